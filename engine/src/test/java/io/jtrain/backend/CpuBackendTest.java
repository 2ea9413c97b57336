package io.jtrain.backend;

import static io.jtrain.nn.LayerHarness.random;
import static io.jtrain.ref.GradCheck.assertClose;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jtrain.TestBackends;
import io.jtrain.backend.cpu.CpuBackend;
import io.jtrain.ref.Ref;
import io.jtrain.tensor.CpuMemoryPool;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Matrix products through OpenBLAS and the pure-Java fallback, against a naive reference. */
class CpuBackendTest {

    @Test
    void openBlasLoadsOnThisPlatform() {
        try (CpuBackend be = TestBackends.cpu()) {
            assertNull(be.blasWarning(), "OpenBLAS should load on Linux x86-64");
            assertTrue(be.description().contains("OpenBLAS") || be.description().contains("0.3"), be.description());
        }
    }

    static double[] refMatmul(double[] a, boolean ta, double[] b, boolean tb, int m, int n, int k) {
        double[] c = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double av = ta ? a[p * m + i] : a[i * k + p];
                    double bv = tb ? b[j * k + p] : b[p * n + j];
                    s += av * bv;
                }
                c[i * n + j] = s;
            }
        }
        return c;
    }

    @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4} beta={5}")
    @CsvSource({"3, 4, 5, false, false, 0", "7, 2, 9, true, false, 0", "5, 6, 3, false, true, 1",
        "1, 1, 17, true, true, 1", "33, 65, 17, false, false, 1"})
    void matmulOpenBlasAndJavaAgreeWithReference(int m, int n, int k, boolean ta, boolean tb, float beta) {
        double[] a = random(m * k, 1, 1);
        double[] b = random(k * n, 2, 1);
        double[] c0 = random(m * n, 3, 1);
        double[] expect = refMatmul(a, ta, b, tb, m, n, k);
        for (int i = 0; i < expect.length; i++) {
            expect[i] += beta * c0[i];
        }
        for (CpuBackend be : new CpuBackend[] {TestBackends.cpu(),
            CpuBackend.createPureJava(new CpuMemoryPool(64L << 20))}) {
            try (be; Tensor at = TestBackends.tensor(be, a, ta ? k : m, ta ? m : k);
                 Tensor bt = TestBackends.tensor(be, b, tb ? n : k, tb ? k : n);
                 Tensor ct = TestBackends.tensor(be, c0, m, n)) {
                be.matmul(at, ta, bt, tb, ct, beta);
                assertClose(be.description() + " matmul", expect, TestBackends.get(be, ct), 1e-5, 1e-5);
            }
        }
    }

    @Test
    void pureJavaBackendTrainsConvolutionsToo() {
        Ref.Geo g = new Ref.Geo(2, 3, 6, 5, 3, 3, 1, 1, 1, 1);
        double[] x = random(2 * 3 * 30, 4, 1);
        double[] w = random(4 * 27, 5, 1);
        double[] expect = Ref.conv2d(x, w, null, g, 4);
        try (CpuBackend be = CpuBackend.createPureJava(new CpuMemoryPool(64L << 20));
             Tensor xt = TestBackends.tensor(be, x, 2, 3, 6, 5); Tensor wt = TestBackends.tensor(be, w, 4, 3, 3, 3);
             Tensor yt = be.allocate(Shape.of(2, 4, 6, 5), MemoryCategory.ACTIVATIONS)) {
            ConvSpec s = ConvSpec.square(3, 1, 1);
            try (Tensor ws = be.allocate(Shape.of((int) be.conv2dWorkspaceElements(xt.shape(), wt.shape(), s)),
                MemoryCategory.WORKSPACE)) {
                be.conv2dForward(xt, wt, null, yt, s, ws);
            }
            assertClose("pure-Java conv", expect, TestBackends.get(be, yt), 1e-5, 1e-4);
        }
    }
}
