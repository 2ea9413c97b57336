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

    /**
     * The rates tried, the smoothed loss at each, the suggested rate (NaN for none), the raw loss at each and,
     * without a suggestion, why.
     */
    public record Result(List<Double> rates, List<Double> losses, double suggestion, List<Double> rawLosses,
                         String reason) {
        public Result(List<Double> rates, List<Double> losses, double suggestion) {
            this(rates, losses, suggestion, losses, null);
        }
    }

    /**
     * The range test of a job ({@code jtrain lr-find}): its model on its training data (loaded and prepared as
     * training would), its optimizer, batches of its batch size (at most 64), on its device.
     */
    public static Result forJob(io.jtrain.job.JobSpec job, io.jtrain.run.TrainingRun.Options opts,
                                java.util.function.Consumer<String> log) {
        io.jtrain.run.PreparedData data = io.jtrain.run.PreparedData.load(job, opts.download());
        try (var dev = io.jtrain.run.OpenDevice.of(job.training().device(), opts, log)) {
            int batch = job.batchAuto() ? 32 : Math.min(64, job.batchSize());
            log.accept("lr-find: 100 rates from 1e-6 to 1, one step each on batches of " + batch + " of the "
                + data.train().size() + " training samples");
            return run(data.modelSpec(job), job.lossFunction(), job.optimizerConfig(), data.train(), dev.backend(),
                job.training().seed(), batch);
        }
    }

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
        List<Double> raw = new ArrayList<>();
        String stop = null;
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
                            stop = String.format(java.util.Locale.ROOT, "the loss became non-finite at rate %.2g",
                                lr);
                            break;
                        }
                        m.backward(b.d, b.end);
                        o.step(m.parameters(), lr);
                    }
                    smooth = 0.98 * smooth + 0.02 * l;
                    double debiased = smooth / (1 - Math.pow(0.98, s + 1));
                    rates.add(lr);
                    losses.add(debiased);
                    raw.add(l);
                    best = Math.min(best, debiased);
                    if (debiased > 4 * best && s > 10) {
                        break;
                    }
                }
            }
        }
        double sug = suggest(rates, losses);
        String reason = !Double.isNaN(sug) ? null : rates.size() < 2 ? (stop != null ? stop : "too few rates ran")
            + " before the loss could fall" : "the smoothed loss never fell below its value at the smallest rate ("
            + String.format(java.util.Locale.ROOT, "%.4g", losses.get(0)) + "); the model may be stuck for another "
            + "reason: run jtrain doctor";
        return new Result(List.copyOf(rates), List.copyOf(losses), sug, List.copyOf(raw), reason);
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
