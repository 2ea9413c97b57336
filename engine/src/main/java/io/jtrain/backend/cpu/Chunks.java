package io.jtrain.backend.cpu;

/**
 * Heap chunks for the CPU backend's element-wise loops. C2 compiles loops over Java arrays to vector
 * instructions but not loops over off-heap memory, so the loops copy {@link #SIZE} elements of each tensor
 * into an array (a few of them stay in L1), compute there and copy the result back: the same arithmetic in the
 * same order, bit-identical results, several times faster (Adam: 3.7×, ReLU backward: see docs/performance.md).
 * One set of arrays per thread (the loops run on the training thread and {@link Parallel}'s workers).
 */
final class Chunks {
    /** Elements per chunk. */
    static final int SIZE = 1024;
    private static final ThreadLocal<float[][]> FLOATS = ThreadLocal.withInitial(() -> new float[4][SIZE]);
    private static final ThreadLocal<int[][]> INTS = ThreadLocal.withInitial(() -> new int[4][SIZE]);
    private static final ThreadLocal<double[]> DOUBLES = ThreadLocal.withInitial(() -> new double[SIZE]);

    private Chunks() { }

    /** This thread's float chunk number {@code i} (0 to 3). */
    static float[] floats(int i) {
        return FLOATS.get()[i];
    }

    /** This thread's double chunk (only number 0). */
    static double[] doubles(int i) {
        if (i != 0) {
            throw new IllegalArgumentException("one double chunk per thread, asked for number " + i);
        }
        return DOUBLES.get();
    }

    /** This thread's int chunk number {@code i} (0 to 3). */
    static int[] ints(int i) {
        return INTS.get()[i];
    }
}
