package io.jtrain.tensor;

import java.lang.reflect.Field;

/**
 * Raw float access to a host tensor's off-heap memory for the CPU backend's loops. Direct
 * {@link java.nio.FloatBuffer} access costs a bounds check per element that the JIT does not remove
 * (measured: most of LeNet-5's CPU time); these accessors compile to plain loads and stores.
 * Bounds are the caller's contract: every CPU op checks tensor sizes before its loops.
 */
public final class HostMemory {
    private static final sun.misc.Unsafe U = unsafe();
    private final long base;
    private final long size;

    HostMemory(long base, long size) {
        this.base = base;
        this.size = size;
    }

    @SuppressWarnings("removal")
    private static sun.misc.Unsafe unsafe() {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Accessors over {@code size} floats of off-heap memory at {@code address} (owned by the caller). */
    public static HostMemory at(long address, long size) {
        return new HostMemory(address, size);
    }

    /** The native address of float 0 (for native libraries that take pointers, e.g. oneDNN). */
    public long address() {
        return base;
    }

    /** Number of floats. */
    public long size() {
        return size;
    }

    public float get(int i) {
        return U.getFloat(base + ((long) i << 2));
    }

    public void put(int i, float v) {
        U.putFloat(base + ((long) i << 2), v);
    }

    /** Copies {@code n} floats from {@code src[srcIndex..]} to {@code this[index..]} (regions may not overlap). */
    public void copyFrom(int index, HostMemory src, int srcIndex, int n) {
        U.copyMemory(src.base + ((long) srcIndex << 2), base + ((long) index << 2), (long) n << 2);
    }

    /** Sets {@code n} floats from {@code index} to zero. */
    public void zero(int index, int n) {
        U.setMemory(base + ((long) index << 2), (long) n << 2, (byte) 0);
    }

    /** Copies {@code n} floats to a heap array. */
    public void get(int index, float[] dst, int dstIndex, int n) {
        U.copyMemory(null, base + ((long) index << 2), dst,
            sun.misc.Unsafe.ARRAY_FLOAT_BASE_OFFSET + ((long) dstIndex << 2), (long) n << 2);
    }

    /** Copies the bits of {@code n} floats to a heap int array (for loops the JIT vectorises as integer ops). */
    public void getBits(int index, int[] dst, int dstIndex, int n) {
        U.copyMemory(null, base + ((long) index << 2), dst,
            sun.misc.Unsafe.ARRAY_INT_BASE_OFFSET + ((long) dstIndex << 2), (long) n << 2);
    }

    /** Copies {@code n} float bit patterns from a heap int array. */
    public void putBits(int index, int[] src, int srcIndex, int n) {
        U.copyMemory(src, sun.misc.Unsafe.ARRAY_INT_BASE_OFFSET + ((long) srcIndex << 2), null,
            base + ((long) index << 2), (long) n << 2);
    }

    /** Copies {@code n} floats from a heap array. */
    public void put(int index, float[] src, int srcIndex, int n) {
        U.copyMemory(src, sun.misc.Unsafe.ARRAY_FLOAT_BASE_OFFSET + ((long) srcIndex << 2), null,
            base + ((long) index << 2), (long) n << 2);
    }
}
