package io.jtrain.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The CPU backend's tanh against {@link Math#tanh}: within 4e-7 absolute (6 float ulps) everywhere, exact at the edges. */
class TanhTest {
    @Test
    void within4e7OfMathTanh() {
        int worst = 0;
        for (int bits = 0; bits < 0x7f800000; bits += 4099) { // every 4099th positive float, and its negative
            for (float x : new float[] {Float.intBitsToFloat(bits), -Float.intBitsToFloat(bits)}) {
                float want = (float) Math.tanh(x);
                float got = CpuMath.tanh(x);
                int ulps = Math.abs(Float.floatToRawIntBits(want) - Float.floatToRawIntBits(got));
                worst = Math.max(worst, ulps);
                assertTrue(ulps <= 6 && Math.abs(got - Math.tanh(x)) < 4e-7, "tanh(" + x + "): " + got + " vs " + want);
            }
        }
        assertTrue(worst <= 6);
    }

    @Test
    void edges() {
        assertEquals(1f, CpuMath.tanh(Float.POSITIVE_INFINITY));
        assertEquals(-1f, CpuMath.tanh(Float.NEGATIVE_INFINITY));
        assertTrue(Float.isNaN(CpuMath.tanh(Float.NaN)));
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(CpuMath.tanh(-0f)));
        assertEquals(0.7615942f, CpuMath.tanh(1f), 2e-7f);
    }
}
