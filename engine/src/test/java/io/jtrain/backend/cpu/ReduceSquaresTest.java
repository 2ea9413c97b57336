package io.jtrain.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jtrain.tensor.CpuMemoryPool;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The live monitor's sample ({@code reduceSquares}) on the CPU, OpenBLAS's float dot product and the pure-Java
 * fallback: the sum of squares to float rounding of a double reference, no non-finite values counted where there
 * are none; a NaN or an infinity makes it count them exactly and sum the finite values, as {@code reduceStats} does.
 */
class ReduceSquaresTest {
    @Test
    void sumOfSquaresAndNonFiniteCount() {
        for (CpuBackend be : new CpuBackend[] {CpuBackend.create(new CpuMemoryPool(64L << 20), 1),
            CpuBackend.createPureJava(new CpuMemoryPool(64L << 20))}) {
            try (be) {
                for (int n : new int[] {1, 7, 1000, 70_001}) {
                    check(be, n, false);
                    check(be, n, true);
                }
            }
        }
    }

    private static void check(CpuBackend be, int n, boolean special) {
        SplittableRandom r = new SplittableRandom(n);
        float[] v = new float[n];
        double want = 0;
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian() * 3f;
        }
        if (special) {
            v[n / 2] = Float.NaN;
            v[n - 1] = Float.NEGATIVE_INFINITY;
        }
        int nonFinite = 0;
        for (float f : v) {
            if (Float.isFinite(f)) {
                want += (double) f * f;
            } else {
                nonFinite++;
            }
        }
        try (Tensor t = be.allocate(Shape.of(n), MemoryCategory.ACTIVATIONS);
             Tensor out = be.allocate(Shape.of(8), MemoryCategory.WORKSPACE)) {
            be.upload(v, 0, t);
            be.reduceSquares(t, out);
            float[] o = new float[8];
            be.download(out, o, 0);
            String at = be.description() + ", n " + n + (special ? " with NaN and -inf" : "");
            assertEquals(want, o[1], 1e-5 * want + 1e-6, at);
            assertEquals(nonFinite, o[4], at);
        }
    }
}
