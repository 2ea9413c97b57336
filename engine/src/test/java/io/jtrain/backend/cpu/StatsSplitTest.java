package io.jtrain.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jtrain.backend.TensorStats;
import io.jtrain.tensor.CpuMemoryPool;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@code Backend.stats} on the CPU against the element loop {@link TensorStats#of}: bit for bit on one thread;
 * split over 2 and 3 threads, counts, minimum and maximum exactly and sums to rounding, with zeros of both
 * signs, NaN and infinities in one part and not the other, at sizes below and above the split.
 */
class StatsSplitTest {
    @Test
    void statsMatchTheElementLoop() {
        for (int threads : new int[] {1, 2, 3}) {
            try (CpuBackend be = CpuBackend.create(new CpuMemoryPool(64L << 20), threads)) {
                for (int n : new int[] {1, 1000, 70_001, Parallel.MIN_SPLIT_ELEMENTS + 1001}) {
                    for (boolean special : new boolean[] {false, true}) {
                        check(be, threads, n, special);
                    }
                }
            }
        }
    }

    private static void check(CpuBackend be, int threads, int n, boolean special) {
        SplittableRandom r = new SplittableRandom(n * 2L + (special ? 1 : 0));
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(7) == 0 ? (r.nextBoolean() ? 0f : -0f) : (float) r.nextGaussian() * 3f;
        }
        if (special) {
            v[n - 1] = Float.NaN;
            v[(n - 1) / 3] = Float.POSITIVE_INFINITY;
        }
        try (Tensor t = be.allocate(Shape.of(n), MemoryCategory.ACTIVATIONS)) {
            t.mem().put(0, v, 0, n);
            TensorStats want = TensorStats.of(n, i -> v[i]);
            TensorStats got = be.stats(t);
            String at = threads + " threads, n " + n + (special ? " with non-finite values" : "");
            assertEquals(want.count(), got.count(), at);
            assertEquals(want.nonFinite(), got.nonFinite(), at);
            assertEquals(want.zeros(), got.zeros(), at);
            assertEquals(Float.floatToRawIntBits(want.min()), Float.floatToRawIntBits(got.min()), at);
            assertEquals(Float.floatToRawIntBits(want.max()), Float.floatToRawIntBits(got.max()), at);
            if (threads == 1) {
                assertEquals(want, got, at);
            }
            assertEquals(want.sum(), got.sum(), 1e-9 * n, at);
            assertEquals(want.sumSquares(), got.sumSquares(), 1e-12 * want.sumSquares(), at);
        }
    }
}
