package io.jtrain.loss;

import static io.jtrain.TestBackends.get;
import static io.jtrain.TestBackends.tensor;
import static io.jtrain.nn.LayerHarness.random;
import static io.jtrain.ref.GradCheck.assertClose;
import static io.jtrain.ref.GradCheck.numericScalar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jtrain.TestBackends;
import io.jtrain.backend.cpu.CpuBackend;
import io.jtrain.ref.Ref;
import io.jtrain.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Loss values against the naive reference and gradients against central differences. */
class LossTest {
    static final double ATOL = 1e-5;
    static final double RTOL = 1e-3;

    @Test
    void softmaxCrossEntropyWithIndices() {
        int n = 4;
        int c = 5;
        double[] z = random(n * c, 1, 3);
        int[] labels = {0, 4, 2, 2};
        double[] lab = {0, 4, 2, 2};
        try (CpuBackend be = TestBackends.cpu(); Tensor zt = tensor(be, z, n, c); Tensor t = tensor(be, lab, n);
             Tensor dz = tensor(be, new double[n * c], n, c)) {
            float loss = Loss.SOFTMAX_CROSS_ENTROPY.compute(be, zt, t, dz, 1f);
            assertEquals(Ref.crossEntropy(z, labels, c), loss, 1e-5);
            double[] num = numericScalar(a -> Ref.crossEntropy(a[0], labels, c), new double[][] {z}, 0);
            assertClose("ce dlogits", num, get(be, dz), ATOL, RTOL);
        }
    }

    @Test
    void softmaxCrossEntropyWithOneHotEqualsIndices() {
        int n = 3;
        int c = 4;
        double[] z = random(n * c, 2, 2);
        double[] oneHot = {0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0};
        try (CpuBackend be = TestBackends.cpu(); Tensor zt = tensor(be, z, n, c); Tensor t = tensor(be, oneHot, n, c);
             Tensor dz = tensor(be, new double[n * c], n, c)) {
            float loss = Loss.SOFTMAX_CROSS_ENTROPY.compute(be, zt, t, dz, 1f);
            assertEquals(Ref.crossEntropy(z, new int[] {1, 3, 0}, c), loss, 1e-5);
            double[] num = numericScalar(a -> Ref.crossEntropyDense(a[0], oneHot, n, c), new double[][] {z}, 0);
            assertClose("ce one-hot dlogits", num, get(be, dz), ATOL, RTOL);
        }
    }

    @Test
    void crossEntropyIsStableForHugeLogits() {
        try (CpuBackend be = TestBackends.cpu(); Tensor zt = tensor(be, new double[] {1000, -1000, 0}, 1, 3);
             Tensor t = tensor(be, new double[] {1}, 1); Tensor dz = tensor(be, new double[3], 1, 3)) {
            float loss = Loss.SOFTMAX_CROSS_ENTROPY.compute(be, zt, t, dz, 1f);
            assertEquals(2000f, loss, 1e-2);
            assertTrue(Float.isFinite(get(be, dz)[0]));
        }
    }

    @Test
    void labelOutOfRangeIsRejected() {
        try (CpuBackend be = TestBackends.cpu(); Tensor zt = tensor(be, new double[3], 1, 3);
             Tensor t = tensor(be, new double[] {3}, 1); Tensor dz = tensor(be, new double[3], 1, 3)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Loss.SOFTMAX_CROSS_ENTROPY.compute(be, zt, t, dz, 1f));
            assertTrue(e.getMessage().contains("outside the class range"), e.getMessage());
        }
    }

    @Test
    void binaryCrossEntropyWithLogits() {
        double[] z = random(12, 3, 4);
        double[] t = {1, 0, 1, 1, 0, 0, 1, 0, 0.5, 1, 0, 1};
        try (CpuBackend be = TestBackends.cpu(); Tensor zt = tensor(be, z, 3, 4); Tensor tt = tensor(be, t, 3, 4);
             Tensor dz = tensor(be, new double[12], 3, 4)) {
            float loss = Loss.BINARY_CROSS_ENTROPY.compute(be, zt, tt, dz, 1f);
            assertEquals(Ref.bce(z, t), loss, 1e-5);
            double[] num = numericScalar(a -> Ref.bce(a[0], t), new double[][] {z}, 0);
            assertClose("bce dlogits", num, get(be, dz), ATOL, RTOL);
        }
    }

    @Test
    void meanSquaredErrorsAccumulatorHoldsTheAbsoluteErrorSumForTheMae() {
        double[] p = random(12, 6, 3);
        double[] t = random(12, 7, 3);
        try (CpuBackend be = TestBackends.cpu(); Tensor pt = tensor(be, p, 4, 3); Tensor tt = tensor(be, t, 4, 3);
             Tensor dp = tensor(be, new double[12], 4, 3); Tensor acc = tensor(be, new double[4], 4)) {
            be.meanSquaredError(pt, tt, dp, 1f, acc);
            double abs = 0;
            double sq = 0;
            for (int i = 0; i < 12; i++) {
                abs += Math.abs(p[i] - t[i]);
                sq += (p[i] - t[i]) * (p[i] - t[i]);
            }
            float[] a = get(be, acc);
            assertEquals(sq / 3, a[0], 1e-5, "the squared-error sum over the values per row");
            assertEquals(abs / 3, a[1], 1e-5, "the absolute-error sum over the values per row");
            assertEquals(0, a[2]);
            assertEquals(4, a[3]);
        }
    }

    @Test
    void meanSquaredErrorWithGradScale() {
        double[] p = random(10, 4, 2);
        double[] t = random(10, 5, 2);
        try (CpuBackend be = TestBackends.cpu(); Tensor pt = tensor(be, p, 5, 2); Tensor tt = tensor(be, t, 5, 2);
             Tensor dp = tensor(be, new double[10], 5, 2)) {
            float loss = Loss.MEAN_SQUARED_ERROR.compute(be, pt, tt, dp, 0.5f);
            assertEquals(Ref.mse(p, t), loss, 1e-5);
            double[] num = numericScalar(a -> 0.5 * Ref.mse(a[0], t), new double[][] {p}, 0);
            assertClose("mse dpred (scaled)", num, get(be, dp), ATOL, RTOL);
        }
    }
}
