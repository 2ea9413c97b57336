package io.jtrain.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jtrain.tensor.CpuMemoryPool;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The element-wise product (dropout's backward) over chunks split over the threads: the naive product's bits, on
 * one thread and two, for sizes around the chunk and split sizes, with NaN, ±∞ and ±0, into a third tensor and in
 * place.
 */
class MultiplyTest {
    private static final float[] SPECIAL = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f};

    @Test
    void productIsTheNaiveOneBitForBit() {
        for (int threads : new int[] {1, 2}) {
            try (CpuBackend be = CpuBackend.create(new CpuMemoryPool(64L << 20), threads)) {
                for (int n : new int[] {1, Chunks.SIZE + 3, 300_001}) {
                    check(be, n, false);
                    check(be, n, true);
                }
            }
        }
    }

    private static void check(CpuBackend be, int n, boolean inPlace) {
        SplittableRandom r = new SplittableRandom(n);
        float[] a = values(r, n);
        float[] b = values(r, n);
        try (Tensor ta = be.allocate(Shape.of(n), MemoryCategory.ACTIVATIONS);
             Tensor tb = be.allocate(Shape.of(n), MemoryCategory.ACTIVATIONS);
             Tensor out = be.allocate(Shape.of(n), MemoryCategory.ACTIVATIONS)) {
            be.upload(a, 0, ta);
            be.upload(b, 0, tb);
            Tensor dst = inPlace ? ta : out;
            be.multiply(ta, tb, dst);
            float[] got = new float[n];
            be.download(dst, got, 0);
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToRawIntBits(a[i] * b[i]), Float.floatToRawIntBits(got[i]),
                    be.description() + ", n " + n + (inPlace ? " in place" : "") + ", element " + i);
            }
        }
    }

    private static float[] values(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextDouble() < 0.05 ? SPECIAL[r.nextInt(SPECIAL.length)] : (float) r.nextGaussian();
        }
        return v;
    }
}
