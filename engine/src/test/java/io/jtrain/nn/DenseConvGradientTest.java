package io.jtrain.nn;

import static io.jtrain.nn.LayerHarness.random;
import static io.jtrain.ref.GradCheck.assertClose;
import static io.jtrain.ref.GradCheck.numeric;

import io.jtrain.ref.Ref;
import io.jtrain.tensor.Shape;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Dense and Conv2d: forward against the naive reference, backward against central differences. */
class DenseConvGradientTest {
    static final double FWD_ATOL = 1e-5;
    static final double FWD_RTOL = 1e-4;
    static final double GRAD_ATOL = 2e-4;
    static final double GRAD_RTOL = 2e-3;

    @ParameterizedTest(name = "dense n={0} in={1} out={2} bias={3}")
    @CsvSource({"3, 5, 4, true", "1, 7, 3, true", "4, 6, 2, false"})
    void dense(int n, int in, int out, boolean bias) {
        LayerSpec spec = LayerSpec.of("dense", "units", out, "bias", bias);
        try (LayerHarness h = LayerHarness.cpu(spec, Shape.of(in), n)) {
            double[] x = random(n * in, 1, 1);
            double[] w = random(out * in, 2, 0.5);
            double[] b = bias ? random(out, 3, 0.5) : null;
            h.setParam(0, w);
            if (bias) {
                h.setParam(1, b);
            }
            double[][] inputs = bias ? new double[][] {x, w, b} : new double[][] {x, w};
            java.util.function.Function<double[][], double[]> f =
                a -> Ref.dense(a[0], a[1], bias ? a[2] : null, n, in, out);
            assertClose("dense forward", f.apply(inputs), h.forward(x, true), FWD_ATOL, FWD_RTOL);
            double[] g = random(n * out, 4, 1);
            float[] dx = h.backward(g);
            assertClose("dense dx", numeric(f, inputs, 0, g), dx, GRAD_ATOL, GRAD_RTOL);
            assertClose("dense dw", numeric(f, inputs, 1, g), h.grad(0), GRAD_ATOL, GRAD_RTOL);
            if (bias) {
                assertClose("dense db", numeric(f, inputs, 2, g), h.grad(1), GRAD_ATOL, GRAD_RTOL);
            }
        }
    }

    /** Includes batch 1, odd sizes, pad = k/2 with stride 2, non-square kernels, inputs and strides. */
    @ParameterizedTest(name = "conv n={0} c={1} {2}x{3} k={4} {5}x{6} s={7}x{8} p={9}x{10} bias={11}")
    @CsvSource({
        "2, 3, 7, 6, 4, 3, 3, 1, 1, 1, 1, true",
        "1, 2, 9, 9, 3, 3, 3, 2, 2, 1, 1, true",
        "2, 2, 6, 5, 3, 2, 3, 2, 1, 1, 0, true",
        "3, 1, 5, 7, 2, 5, 5, 1, 1, 2, 2, false",
        "1, 3, 8, 8, 2, 4, 4, 2, 2, 2, 2, true",
        "2, 4, 4, 4, 3, 1, 1, 1, 1, 0, 0, true"})
    void conv2d(int n, int c, int hh, int ww, int k, int kh, int kw, int sh, int sw, int ph, int pw, boolean bias) {
        LayerSpec spec = LayerSpec.of("conv2d", "filters", k, "kernel", List.of(kh, kw), "stride", List.of(sh, sw),
            "padding", List.of(ph, pw), "bias", bias);
        Ref.Geo geo = new Ref.Geo(n, c, hh, ww, kh, kw, sh, sw, ph, pw);
        try (LayerHarness h = LayerHarness.cpu(spec, Shape.of(c, hh, ww), n)) {
            double[] x = random(n * c * hh * ww, 5, 1);
            double[] w = random(k * c * kh * kw, 6, 0.5);
            double[] b = bias ? random(k, 7, 0.5) : null;
            h.setParam(0, w);
            if (bias) {
                h.setParam(1, b);
            }
            double[][] inputs = bias ? new double[][] {x, w, b} : new double[][] {x, w};
            java.util.function.Function<double[][], double[]> f = a -> Ref.conv2d(a[0], a[1], bias ? a[2] : null, geo, k);
            assertClose("conv forward", f.apply(inputs), h.forward(x, true), FWD_ATOL, FWD_RTOL);
            double[] g = random(n * k * geo.oh() * geo.ow(), 8, 1);
            float[] dx = h.backward(g);
            assertClose("conv dx", numeric(f, inputs, 0, g), dx, GRAD_ATOL, GRAD_RTOL);
            assertClose("conv dw", numeric(f, inputs, 1, g), h.grad(0), GRAD_ATOL, GRAD_RTOL);
            if (bias) {
                assertClose("conv db", numeric(f, inputs, 2, g), h.grad(1), GRAD_ATOL, GRAD_RTOL);
            }
        }
    }

    @ParameterizedTest(name = "conv gradients accumulate over {0} backward calls")
    @CsvSource({"2", "3"})
    void gradientsAccumulate(int calls) {
        LayerSpec spec = LayerSpec.of("conv2d", "filters", 2, "kernel", 3, "padding", 1);
        try (LayerHarness h = LayerHarness.cpu(spec, Shape.of(1, 5, 5), 2)) {
            double[] x = random(50, 9, 1);
            double[] g = random(100, 10, 1);
            h.forward(x, true);
            h.backward(g);
            float[] once = h.grad(0);
            for (int i = 1; i < calls; i++) {
                h.forward(x, true);
                h.backward(g);
            }
            float[] many = h.grad(0);
            double[] expect = new double[once.length];
            for (int i = 0; i < once.length; i++) {
                expect[i] = once[i] * (double) calls;
            }
            assertClose("accumulated dw", expect, many, 1e-5, 1e-5);
        }
    }
}
