package io.jtrain.diagnose;

import io.jtrain.backend.Backend;
import io.jtrain.data.Dataset;
import io.jtrain.loss.Loss;
import io.jtrain.nn.ModelSpec;
import io.jtrain.nn.Parameter;
import io.jtrain.nn.Sequential;
import java.util.SplittableRandom;

/** The doctor's gradient check: the whole backward pass against central differences, on a fresh model. */
public final class GradientCheck {
    private GradientCheck() { }

    /** The fraction of checked entries that agreed, and a description of the worst one. */
    public record Result(double agreement, String worst) { }

    /**
     * Compares the backward pass with central differences of the loss (in float32: steps 1e-3, then 1e-4,
     * and a 5 % tolerance relative to the larger of the two values or 1 % of the parameter's largest gradient)
     * on up to 8 entries of every parameter. Batch norm runs on batch statistics
     * and dropout on fixed masks, so the function is deterministic.
     *
     */
    public static Result run(ModelSpec spec, Loss loss, Dataset data, Backend be, long seed) {
        try (Sequential m = Sequential.build(spec)) {
            m.bind(be, seed);
            try (FixedBatch b = new FixedBatch(m, loss, data, Math.min(4, data.size()))) {
                m.zeroGrad();
                b.loss();
                m.backward(b.d, b.end);
                SplittableRandom r = new SplittableRandom(seed);
                int ok = 0;
                int total = 0;
                String worst = "";
                double worstErr = -1;
                for (Parameter p : m.parameters()) {
                    float[] g = new float[(int) p.grad().size()];
                    float[] w = new float[(int) p.value().size()];
                    be.download(p.grad(), g, 0);
                    be.download(p.value(), w, 0);
                    double scale = 0;
                    for (float v : g) {
                        scale = Math.max(scale, Math.abs(v));
                    }
                    for (int k = 0; k < Math.min(8, w.length); k++) {
                        int i = r.nextInt(w.length);
                        double num = centralDifference(b, p, w, i, 1e-3);
                        double floor = Math.max(1e-2 * scale, 1e-4);
                        double err = Math.abs(num - g[i]) / Math.max(Math.max(Math.abs(num), Math.abs(g[i])), floor);
                        if (err > Thresholds.GRADCHECK_RELATIVE) {
                            double num2 = centralDifference(b, p, w, i, 1e-4);
                            err = Math.min(err, Math.abs(num2 - g[i]) / Math.max(Math.max(Math.abs(num2),
                                Math.abs(g[i])), floor));
                            num = num2;
                        }
                        total++;
                        ok += err <= Thresholds.GRADCHECK_RELATIVE ? 1 : 0;
                        if (err > worstErr) {
                            worstErr = err;
                            worst = String.format(java.util.Locale.ROOT, "%s[%d]: backward %.4g, central difference "
                                + "%.4g", p.name(), i, g[i], num);
                        }
                    }
                }
                return new Result(total == 0 ? 1.0 : (double) ok / total, worst);
            }
        }
    }

    private static double centralDifference(FixedBatch b, Parameter p, float[] w, int i, double h) {
        Backend be = b.m.backend();
        float keep = w[i];
        w[i] = (float) (keep + h);
        be.upload(w, 0, p.value());
        double plus = b.loss();
        w[i] = (float) (keep - h);
        be.upload(w, 0, p.value());
        double minus = b.loss();
        w[i] = keep;
        be.upload(w, 0, p.value());
        return (plus - minus) / (2 * h);
    }
}
