package io.jtrain.nn;

import static io.jtrain.nn.LayerHarness.awayFromZero;
import static io.jtrain.nn.LayerHarness.distinct;
import static io.jtrain.nn.LayerHarness.random;
import static io.jtrain.ref.GradCheck.assertClose;
import static io.jtrain.ref.GradCheck.numeric;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jtrain.ref.Ref;
import io.jtrain.tensor.Shape;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Pooling, activations, softmax and flatten against the reference and central differences. */
class PoolActivationGradientTest {
    static final double ATOL = 2e-4;
    static final double RTOL = 2e-3;

    @ParameterizedTest(name = "{0} n={1} c={2} {3}x{4} k={5}x{6} s={7}x{8} p={9}x{10}")
    @CsvSource({
        "max_pool2d, 2, 3, 5, 7, 2, 2, 2, 2, 0, 0",
        "max_pool2d, 1, 2, 7, 7, 3, 3, 2, 2, 1, 1",
        "max_pool2d, 2, 1, 6, 5, 2, 3, 1, 2, 1, 1",
        "avg_pool2d, 2, 3, 5, 7, 2, 2, 2, 2, 0, 0",
        "avg_pool2d, 1, 2, 7, 7, 3, 3, 2, 2, 1, 1",
        "avg_pool2d, 2, 1, 6, 5, 2, 3, 1, 2, 1, 1"})
    void pooling(String type, int n, int c, int hh, int ww, int kh, int kw, int sh, int sw, int ph, int pw) {
        LayerSpec spec = LayerSpec.of(type, "kernel", List.of(kh, kw), "stride", List.of(sh, sw),
            "padding", List.of(ph, pw));
        Ref.Geo geo = new Ref.Geo(n, c, hh, ww, kh, kw, sh, sw, ph, pw);
        boolean max = type.startsWith("max");
        try (LayerHarness h = LayerHarness.cpu(spec, Shape.of(c, hh, ww), n)) {
            double[] x = distinct(n * c * hh * ww, 11);
            double[][] in = {x};
            Function<double[][], double[]> f = a -> Ref.pool(a[0], geo, max);
            assertClose(type + " forward", f.apply(in), h.forward(x, true), 1e-6, 1e-5);
            double[] g = random(n * c * geo.oh() * geo.ow(), 12, 1);
            assertClose(type + " dx", numeric(f, in, 0, g), h.backward(g), ATOL, RTOL);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"relu", "leaky_relu", "elu", "tanh", "sigmoid", "linear"})
    void activations(String kind) {
        double alpha = kind.equals("elu") ? 0.7 : 0.05;
        LayerSpec spec = kind.equals("elu") || kind.equals("leaky_relu") ? LayerSpec.of(kind, "alpha", alpha)
            : LayerSpec.of(kind);
        try (LayerHarness h = LayerHarness.cpu(spec, Shape.of(2, 3, 3), 3)) {
            double[] x = awayFromZero(54, 13, 0.02);
            double[][] in = {x};
            Function<double[][], double[]> f = a -> Ref.activation(kind, alpha, a[0]);
            assertClose(kind + " forward", f.apply(in), h.forward(x, true), 1e-6, 1e-5);
            double[] g = random(54, 14, 1);
            assertClose(kind + " dx", numeric(f, in, 0, g), h.backward(g), ATOL, RTOL);
        }
    }

    @Test
    void sigmoidAndTanhAreStableForLargeInputs() {
        try (LayerHarness h = LayerHarness.cpu(LayerSpec.of("sigmoid"), Shape.of(4), 1)) {
            assertArrayEquals(new float[] {0f, 1f, 0.5f, 0f}, h.forward(new double[] {-1000, 1000, 0, -90}, false),
                1e-30f);
        }
    }

    @Test
    void softmax() {
        try (LayerHarness h = LayerHarness.cpu(LayerSpec.of("softmax"), Shape.of(5), 3)) {
            double[] x = random(15, 15, 3);
            double[][] in = {x};
            Function<double[][], double[]> f = a -> Ref.softmax(a[0], 3, 5);
            assertClose("softmax forward", f.apply(in), h.forward(x, false), 1e-6, 1e-5);
            double[] g = random(15, 16, 1);
            assertClose("softmax dx", numeric(f, in, 0, g), h.backward(g), ATOL, RTOL);
        }
    }

    @Test
    void softmaxOfHugeLogitsIsFinite() {
        try (LayerHarness h = LayerHarness.cpu(LayerSpec.of("softmax"), Shape.of(3), 1)) {
            float[] y = h.forward(new double[] {1000, 999, -1000}, false);
            assertEquals(1.0, y[0] + y[1] + y[2], 1e-6);
            assertEquals(Math.exp(1) / (1 + Math.exp(1)), y[0], 1e-6);
        }
    }

    @Test
    void flattenIsAViewWithMatchingGradient() {
        try (LayerHarness h = LayerHarness.cpu(LayerSpec.of("flatten"), Shape.of(2, 3, 2), 2)) {
            assertEquals(Shape.of(12), h.layer.outputShape());
            double[] x = random(24, 17, 1);
            assertClose("flatten forward", x, h.forward(x, true), 0, 0);
            double[] g = random(24, 18, 1);
            assertClose("flatten dx", g, h.backward(g), 0, 0);
        }
    }
}
