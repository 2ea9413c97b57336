package io.jtrain.diagnose;

import io.jtrain.backend.Backend;
import io.jtrain.data.Dataset;
import io.jtrain.loss.Loss;
import io.jtrain.nn.Layer;
import io.jtrain.nn.ModelSpec;
import io.jtrain.nn.Parameter;
import io.jtrain.nn.Sequential;
import io.jtrain.optim.Optimizer;
import io.jtrain.optim.OptimizerConfig;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Diagnostic tools, each on its own fresh copy of the model: a central-difference gradient check of the
 * whole backward pass, the overfit-one-tiny-batch test, and the learning-rate range test.
 */
public final class Tools {
    private Tools() { }

    /** A small fixed batch on the device, with helpers to run the loss. */
    private static final class Batch implements AutoCloseable {
        final Sequential m;
        final Loss loss;
        final Tensor x;
        final Tensor y;
        final Tensor d;
        final int end;

        Batch(Sequential m, Loss loss, Dataset data, int n) {
            this.m = m;
            this.loss = loss;
            Backend be = m.backend();
            m.reserve(n);
            end = loss.fusesSoftmax() ? m.logitsEnd() : m.layers().size();
            x = be.allocate(m.inputShape().withBatch(n), MemoryCategory.ACTIVATIONS);
            y = be.allocate(data.targetSize() == 1 ? Shape.of(n) : Shape.of(n, data.targetSize()),
                MemoryCategory.ACTIVATIONS);
            d = be.allocate(m.layers().get(end - 1).outputShape().withBatch(n), MemoryCategory.ACTIVATIONS);
            float[] hx = new float[(int) x.size()];
            float[] hy = new float[(int) y.size()];
            System.arraycopy(data.x(), 0, hx, 0, hx.length);
            System.arraycopy(data.y(), 0, hy, 0, hy.length);
            be.upload(hx, 0, x);
            be.upload(hy, 0, y);
        }

        /** Loss with the dropout masks of a fixed step (so repeated evaluations see the same network). */
        double loss() {
            for (Layer l : m.layers()) {
                l.setRngCounter(0);
            }
            return loss.compute(m.backend(), m.forward(x, true, end), y, d, 1f);
        }

        @Override
        public void close() {
            x.close();
            y.close();
            d.close();
        }
    }

    /**
     * Compares the backward pass with central differences of the loss (in float32: steps 1e-3, then 1e-4,
     * and a 5 % tolerance relative to the larger of the two values or 1 % of the parameter's largest gradient)
     * on up to 8 entries of every parameter. Batch norm runs on batch statistics
     * and dropout on fixed masks, so the function is deterministic.
     *
     * @return the fraction of checked entries that agreed, and a description of the worst one
     */
    public static Object[] gradientCheck(ModelSpec spec, Loss loss, Dataset data, Backend be, long seed) {
        try (Sequential m = Sequential.build(spec)) {
            m.bind(be, seed);
            try (Batch b = new Batch(m, loss, data, Math.min(4, data.size()))) {
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
                return new Object[] {total == 0 ? 1.0 : (double) ok / total, worst};
            }
        }
    }

    private static double centralDifference(Batch b, Parameter p, float[] w, int i, double h) {
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

    /** Trains on {@link Thresholds#TINY_BATCH} samples; returns {initial loss, final loss}. */
    public static double[] overfitTinyBatch(ModelSpec spec, Loss loss, OptimizerConfig opt, double lr, Dataset data,
                                            Backend be, long seed) {
        try (Sequential m = Sequential.build(spec)) {
            m.bind(be, seed);
            try (Batch b = new Batch(m, loss, data, Math.min(Thresholds.TINY_BATCH, data.size()));
                 Optimizer o = new Optimizer(opt, be)) {
                double first = Double.NaN;
                double last = Double.NaN;
                for (int s = 0; s < Thresholds.TINY_STEPS; s++) {
                    m.zeroGrad();
                    last = b.loss();
                    if (s == 0) {
                        first = last;
                    }
                    if (!Double.isFinite(last)) {
                        break;
                    }
                    m.backward(b.d, b.end);
                    o.step(m.parameters(), lr);
                }
                return new double[] {first, last};
            }
        }
    }

    /**
     * The learning-rate range test: one step per rate from 1e-6 to 1 (exponentially, 100 steps) on
     * successive training batches; the loss is smoothed (EMA 0.98) and the test stops once it exceeds four
     * times the best. Returns the curve and the suggestion: {rates, losses, suggestion}.
     */
    public static Object[] lrRangeTest(ModelSpec spec, Loss loss, OptimizerConfig opt, Dataset data, Backend be,
                                       long seed, int batch) {
        List<Double> rates = new ArrayList<>();
        List<Double> losses = new ArrayList<>();
        try (Sequential m = Sequential.build(spec)) {
            m.bind(be, seed);
            int n = Math.min(batch, data.size());
            try (Optimizer o = new Optimizer(opt, be)) {
                double smooth = 0;
                double best = Double.POSITIVE_INFINITY;
                for (int s = 0; s < 100; s++) {
                    double lr = 1e-6 * Math.pow(1e6, s / 99.0);
                    int from = (s * n) % Math.max(1, data.size() - n + 1);
                    double l;
                    try (Batch b = new Batch(m, loss, slice(data, from, n), n)) {
                        m.zeroGrad();
                        l = b.loss();
                        if (!Double.isFinite(l)) {
                            break;
                        }
                        m.backward(b.d, b.end);
                        o.step(m.parameters(), lr);
                    }
                    smooth = s == 0 ? l : 0.98 * smooth + 0.02 * l;
                    double debiased = smooth / (1 - Math.pow(0.98, s + 1));
                    rates.add(lr);
                    losses.add(debiased);
                    best = Math.min(best, debiased);
                    if (debiased > 4 * best && s > 10) {
                        break;
                    }
                }
            }
        }
        return new Object[] {rates, losses, suggest(rates, losses)};
    }

    /**
     * A tenth of the rate at the smoothed loss's minimum (fastai's original rule; more robust on short,
     * noisy curves than the steepest-slope rule), or NaN when the loss never fell below its start.
     */
    static double suggest(List<Double> rates, List<Double> losses) {
        int bestAt = -1;
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < losses.size(); i++) {
            if (losses.get(i) < best) {
                best = losses.get(i);
                bestAt = i;
            }
        }
        return bestAt <= 0 || best >= losses.get(0) ? Double.NaN : rates.get(bestAt) / 10;
    }

    private static Dataset slice(Dataset d, int from, int n) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = from + i;
        }
        return d.subset(idx, d.name());
    }
}
