package io.jtrain.diagnose;

import io.jtrain.backend.Backend;
import io.jtrain.data.Dataset;
import io.jtrain.loss.Loss;
import io.jtrain.nn.ModelSpec;
import io.jtrain.nn.Sequential;
import io.jtrain.optim.Optimizer;
import io.jtrain.optim.OptimizerConfig;

/** The overfit-one-tiny-batch test: a healthy model memorises a few samples; on a fresh model. */
public final class TinyBatchOverfit {
    private TinyBatchOverfit() { }

    /** The loss before the first step and after the last (NaN-stopped early if it diverged). */
    public record Result(double initialLoss, double finalLoss) { }

    /** Trains on {@link Thresholds#TINY_BATCH} samples for {@link Thresholds#TINY_STEPS} steps. */
    public static Result run(ModelSpec spec, Loss loss, OptimizerConfig opt, double lr, Dataset data,
                             Backend be, long seed) {
        try (Sequential m = Sequential.build(spec)) {
            m.bind(be, seed);
            try (FixedBatch b = new FixedBatch(m, loss, data, Math.min(Thresholds.TINY_BATCH, data.size()));
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
                return new Result(first, last);
            }
        }
    }
}
