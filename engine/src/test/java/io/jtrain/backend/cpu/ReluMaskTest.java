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
}
