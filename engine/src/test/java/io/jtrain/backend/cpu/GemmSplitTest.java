package io.jtrain.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jtrain.tensor.CpuMemoryPool;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Matrix products large enough for {@link OpenBlasGemm} to split them over the backend's threads (by rows of C,
 * and by columns when C has few rows), every transposition, beta 0 and 1: on 2 threads bit for bit what OpenBLAS
 * on 1 thread gives, and within float rounding of a naive double-precision product; and the same products on one
 * thread with oneDNN ({@link OneDnnMatmul} for the large ones), the same bits on every run.
 */
class GemmSplitTest {
    @Test
    void splitProductsMatchTheWholeOneBitForBit() {
        try (CpuBackend one = CpuBackend.create(new CpuMemoryPool(256L << 20), 1).oneDnn(false);
             CpuBackend two = CpuBackend.create(new CpuMemoryPool(256L << 20), 2)) {
            check(one, two);
        }
    }

    /** On one thread with oneDNN (its matmul primitive from 1 M multiply-adds), against the naive product. */
    @Test
    void oneDnnProductsOnOneThreadMatchTheNaiveOne() {
        try (CpuBackend dnn = CpuBackend.create(new CpuMemoryPool(256L << 20), 1);
             CpuBackend dnnToo = CpuBackend.create(new CpuMemoryPool(256L << 20), 1)) {
            check(dnn, dnnToo);
        }
    }

    private static void check(CpuBackend a, CpuBackend b) {
        int[][] sizes = {{256, 260, 160}, {20, 1000, 500}, {7, 9, 11}};
        for (int[] s : sizes) {
            for (int t = 0; t < 4; t++) {
                for (float beta : new float[] {0f, 1f}) {
                    check(a, b, s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0, beta);
                }
            }
        }
    }

    private static void check(CpuBackend one, CpuBackend two, int m, int n, int k, boolean ta, boolean tb, float beta) {
        String what = m + "x" + n + "x" + k + " ta=" + ta + " tb=" + tb + " beta=" + beta;
        SplittableRandom r = new SplittableRandom(m * 31L + n * 7L + k + (ta ? 1 : 0) + (tb ? 2 : 0));
        float[] a = random(r, m * k);
        float[] b = random(r, k * n);
        float[] c = random(r, m * n);
        float[] got1 = product(one, a, b, c, m, n, k, ta, tb, beta);
        float[] got2 = product(two, a, b, c, m, n, k, ta, tb, beta);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int p = 0; p < k; p++) {
                    sum += (double) a[ta ? p * m + i : i * k + p] * b[tb ? j * k + p : p * n + j];
                }
                double want = sum + beta * c[i * n + j];
                int at = i * n + j;
                assertEquals(Float.floatToRawIntBits(got1[at]), Float.floatToRawIntBits(got2[at]), what + " at " + at);
                assertEquals(want, got2[at], 1e-5 * Math.sqrt(k) * (1 + Math.abs(want)), what + " at " + at);
            }
        }
    }

    private static float[] product(CpuBackend be, float[] a, float[] b, float[] c, int m, int n, int k, boolean ta,
                                   boolean tb, float beta) {
        try (Tensor ta1 = tensor(be, a, ta ? k : m, ta ? m : k); Tensor tb1 = tensor(be, b, tb ? n : k, tb ? k : n);
             Tensor tc = tensor(be, c, m, n)) {
            be.matmul(ta1, ta, tb1, tb, tc, beta);
            float[] out = new float[m * n];
            be.download(tc, out, 0);
            return out;
        }
    }

    private static Tensor tensor(CpuBackend be, float[] v, int rows, int cols) {
        Tensor t = be.allocate(Shape.of(rows, cols), MemoryCategory.ACTIVATIONS);
        be.upload(v, 0, t);
        return t;
    }

    private static float[] random(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }
}
