package io.jtrain.nn;

import static io.jtrain.nn.LayerHarness.random;
import static io.jtrain.ref.GradCheck.assertClose;
import static io.jtrain.ref.GradCheck.numeric;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jtrain.ref.Ref;
import io.jtrain.tensor.Shape;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Batch norm (training, running statistics, inference) and dropout. */
class NormDropoutTest {
    static final double EPS = 1e-5;

    @ParameterizedTest(name = "batch_norm n={0} c={1} s={2} image={3}")
    @CsvSource({"4, 3, 1, false", "3, 2, 6, true", "2, 4, 9, true"})
    void batchNormTraining(int n, int c, int s, boolean image) {
        Shape in = image ? Shape.of(c, s / 3, 3) : Shape.of(c);
        try (LayerHarness h = LayerHarness.cpu(LayerSpec.of("batch_norm"), in, n)) {
            double[] x = random(n * c * s, 21, 2);
            double[] gamma = random(c, 22, 1);
            double[] beta = random(c, 23, 1);
            h.setParam(0, gamma);
            h.setParam(1, beta);
            double[][] inputs = {x, gamma, beta};
            Function<double[][], double[]> f = a -> Ref.batchNorm(a[0], a[1], a[2], n, c, s, EPS);
            assertClose("bn forward", f.apply(inputs), h.forward(x, true), 2e-5, 1e-4);
            double[] g = random(n * c * s, 24, 1);
            float[] dx = h.backward(g);
            assertClose("bn dx", numeric(f, inputs, 0, g), dx, 5e-4, 3e-3);
            assertClose("bn dgamma", numeric(f, inputs, 1, g), h.grad(0), 5e-4, 3e-3);
            assertClose("bn dbeta", numeric(f, inputs, 2, g), h.grad(1), 5e-4, 3e-3);
        }
    }

    @Test
    void runningStatisticsAfterSeveralStepsAndInference() {
        int n = 4;
        int c = 2;
        int s = 4;
        double momentum = 0.3;
        try (LayerHarness h = LayerHarness.cpu(LayerSpec.of("batch_norm", "momentum", momentum, "eps", 1e-3),
            Shape.of(c, 2, 2), n)) {
            double[] rm = {0, 0};
            double[] rv = {1, 1};
            double[] last = null;
            for (int step = 0; step < 5; step++) {
                double[] x = random(n * c * s, 30 + step, 1 + step);
                h.forward(x, true);
                for (int ch = 0; ch < c; ch++) {
                    double[] st = Ref.channelStats(x, n, c, s, ch);
                    double unbiased = st[1] * n * s / (n * s - 1);
                    rm[ch] = (1 - momentum) * rm[ch] + momentum * st[0];
                    rv[ch] = (1 - momentum) * rv[ch] + momentum * unbiased;
                }
                last = x;
            }
            assertClose("running_mean", rm, h.download(h.layer.buffers().get(0).tensor()), 1e-5, 1e-4);
            assertClose("running_var", rv, h.download(h.layer.buffers().get(1).tensor()), 1e-5, 1e-4);
            double[] expect = new double[last.length];
            for (int i = 0; i < last.length; i++) {
                int ch = (i / s) % c;
                expect[i] = (last[i] - rm[ch]) / Math.sqrt(rv[ch] + 1e-3);
            }
            assertClose("bn inference", expect, h.forward(last, false), 1e-5, 1e-4);
        }
    }

    @Test
    void dropoutScalesKeptUnitsAndIsIdentityAtInference() {
        float rate = 0.3f;
        int n = 10;
        int f = 1000;
        try (LayerHarness h = LayerHarness.cpu(LayerSpec.of("dropout", "rate", rate), Shape.of(f), n)) {
            double[] x = new double[n * f];
            java.util.Arrays.fill(x, 1.0);
            float[] y = h.forward(x, true);
            int kept = 0;
            for (float v : y) {
                assertTrue(v == 0f || Math.abs(v - 1 / (1 - rate)) < 1e-6, "value " + v);
                kept += v == 0f ? 0 : 1;
            }
            double frac = kept / (double) (n * f);
            assertEquals(1 - rate, frac, 0.02, "kept fraction");
            double[] g = random(n * f, 25, 1);
            float[] dx = h.backward(g);
            for (int i = 0; i < dx.length; i++) {
                assertEquals(y[i] * g[i], dx[i], 1e-6);
            }
            assertClose("dropout inference", x, h.forward(x, false), 0, 0);
        }
    }

    @Test
    void dropoutMasksDependOnSeedAndStepOnly() {
        LayerSpec spec = LayerSpec.of("dropout", "rate", 0.5);
        try (LayerHarness a = LayerHarness.cpu(spec, Shape.of(64), 2);
             LayerHarness b = LayerHarness.cpu(spec, Shape.of(64), 2)) {
            double[] x = random(128, 26, 1);
            float[] a1 = a.forward(x, true);
            float[] a2 = a.forward(x, true);
            float[] b1 = b.forward(x, true);
            org.junit.jupiter.api.Assertions.assertArrayEquals(a1, b1);
            assertTrue(!java.util.Arrays.equals(a1, a2), "a new step draws a new mask");
        }
    }
}
