package io.jtrain.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The branch-free "x > 0" mask of the CPU ReLU agrees with the comparison on every kind of float. */
class ReluMaskTest {
    @Test
    void maskIsExactlyGreaterThanZero() {
        float[] cases = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, 1f, -1f, Float.MAX_VALUE,
            -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
            Float.intBitsToFloat(0xffc00000), Float.intBitsToFloat(0x7f800001), Float.intBitsToFloat(0x7fffffff),
            Float.intBitsToFloat(0x80000001)};
        for (float x : cases) {
            int expected = x > 0 ? -1 : 0;
            assertEquals(expected, CpuMath.positive(Float.floatToRawIntBits(x)), "x = " + x + " bits "
                + Integer.toHexString(Float.floatToRawIntBits(x)));
        }
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        for (int i = 0; i < 1_000_000; i++) {
            int b = r.nextInt();
            assertEquals(Float.intBitsToFloat(b) > 0 ? -1 : 0, CpuMath.positive(b), Integer.toHexString(b));
        }
    }

    /**
     * The chunked loops (int[] chunks of {@link Chunks#SIZE}) against the rule element by element, bit for bit, over
     * a range that starts and ends inside chunks (as {@link Parallel}'s parts do), special values mixed in.
     */
    @Test
    void chunkedLoopsFollowTheRuleBitForBit() {
        int n = 2 * Chunks.SIZE + 300;
        float[] special = {0f, -0f, Float.NaN, Float.intBitsToFloat(0xffc00001), Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE};
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        try (CpuBackend be = CpuBackend.create(new io.jtrain.tensor.CpuMemoryPool(16L << 20), 1)) {
            io.jtrain.tensor.Tensor[] t = new io.jtrain.tensor.Tensor[4];
            for (int i = 0; i < 4; i++) {
                t[i] = be.allocate(io.jtrain.tensor.Shape.of(n), io.jtrain.tensor.MemoryCategory.ACTIVATIONS);
            }
            io.jtrain.tensor.HostMemory x = t[0].mem();
            io.jtrain.tensor.HostMemory dy = t[1].mem();
            for (int i = 0; i < n; i++) {
                x.put(i, i % 13 == 0 ? special[i % special.length] : (float) r.nextGaussian());
                dy.put(i, i % 11 == 0 ? special[i % special.length] : (float) r.nextGaussian());
                t[2].mem().put(i, 7f);
                t[3].mem().put(i, 7f);
            }
            int from = 37;
            int to = n - 5;
            CpuMath.reluForward(x, t[2].mem(), from, to);
            CpuMath.reluBackward(x, dy, t[3].mem(), from, to);
            for (int i = 0; i < n; i++) {
                boolean in = i >= from && i < to;
                float xi = x.get(i);
                float y = in ? (xi > 0 ? xi : 0f) : 7f;
                float dx = in ? (xi > 0 ? dy.get(i) : 0f) : 7f;
                assertEquals(Float.floatToRawIntBits(y), Float.floatToRawIntBits(t[2].mem().get(i)), "forward at " + i);
                assertEquals(Float.floatToRawIntBits(dx), Float.floatToRawIntBits(t[3].mem().get(i)), "backward at " + i);
            }
        }
    }
}
