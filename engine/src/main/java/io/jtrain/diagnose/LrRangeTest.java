package io.jtrain.diagnose;

import io.jtrain.backend.Backend;
import io.jtrain.data.Dataset;
import io.jtrain.loss.Loss;
import io.jtrain.nn.ModelSpec;
import io.jtrain.nn.Sequential;
import io.jtrain.optim.Optimizer;
import io.jtrain.optim.OptimizerConfig;
import java.util.ArrayList;
import java.util.List;

/** The learning-rate range test (Smith 2015; fastai's LR finder), on a fresh model. */
public final class LrRangeTest {
    private LrRangeTest() { }

    /** The rates tried, the smoothed loss at each, and the suggested rate (NaN for none). */
    public record Result(List<Double> rates, List<Double> losses, double suggestion) { }

    /**
     * Runs the test: one step per rate from 1e-6 to 1 (exponentially, 100 steps) on successive training
     * batches of {@code batch} samples; the loss is smoothed by an exponential moving average (0.98)
     * started at zero and bias-corrected, as fastai does, so the first smoothed value is the first loss;
     * the test stops once the smoothed loss exceeds four times its best.
     */
    public static Result run(ModelSpec spec, Loss loss, OptimizerConfig opt, Dataset data, Backend be,
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
                    try (FixedBatch b = new FixedBatch(m, loss, slice(data, from, n), n)) {
                        m.zeroGrad();
                        l = b.loss();
                        if (!Double.isFinite(l)) {
                            break;
                        }
                        m.backward(b.d, b.end);
                        o.step(m.parameters(), lr);
                    }
                    smooth = 0.98 * smooth + 0.02 * l;
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
        return new Result(List.copyOf(rates), List.copyOf(losses), suggest(rates, losses));
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
