package io.jtrain.ref;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.function.Function;

/** Central differences in double on the naive reference, and float32-tolerance comparisons. */
public final class GradCheck {
    /** Step of the central difference (the reference is double, so this is far from round-off). */
    public static final double H = 1e-5;

    private GradCheck() { }

    /**
     * d(sum(g * f(inputs)))/d(inputs[which]) by central differences.
     */
    public static double[] numeric(Function<double[][], double[]> f, double[][] inputs, int which, double[] g) {
        double[] x = inputs[which];
        double[] grad = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double keep = x[i];
            x[i] = keep + H;
            double plus = dot(f.apply(inputs), g);
            x[i] = keep - H;
            double minus = dot(f.apply(inputs), g);
            x[i] = keep;
            grad[i] = (plus - minus) / (2 * H);
        }
        return grad;
    }

    /** d(scalar f)/d(inputs[which]). */
    public static double[] numericScalar(Function<double[][], Double> f, double[][] inputs, int which) {
        return numeric(in -> new double[] {f.apply(in)}, inputs, which, new double[] {1});
    }

    public static double dot(double[] a, double[] g) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * g[i];
        }
        return s;
    }

    /**
     * Fails unless |actual - expected| <= atol + rtol * |expected| everywhere; the message names the
     * first bad index, both values and the largest difference.
     */
    public static void assertClose(String what, double[] expected, float[] actual, double atol, double rtol) {
        if (expected.length != actual.length) {
            fail(what + ": length " + actual.length + ", expected " + expected.length);
        }
        int bad = -1;
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(actual[i] - expected[i]);
            worst = Math.max(worst, d);
            if (!(d <= atol + rtol * Math.abs(expected[i])) && bad < 0) {
                bad = i;
            }
        }
        if (bad >= 0) {
            fail(what + ": index " + bad + " is " + actual[bad] + ", expected " + expected[bad]
                + " (largest difference " + worst + ", atol " + atol + ", rtol " + rtol + ")");
        }
    }

    public static void assertClose(String what, float[] expected, float[] actual, double atol, double rtol) {
        assertClose(what, toDouble(expected), actual, atol, rtol);
    }

    public static double[] toDouble(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    public static float[] toFloat(double[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            f[i] = (float) a[i];
        }
        return f;
    }
}
