package io.jtrain.probe;

import io.jtrain.backend.Backend;
import io.jtrain.data.Dataset;
import io.jtrain.loss.Loss;
import io.jtrain.nn.ModelSpec;
import io.jtrain.nn.Sequential;
import io.jtrain.optim.Optimizer;
import io.jtrain.optim.OptimizerConfig;
import io.jtrain.schedule.ScheduleConfig;
import io.jtrain.tensor.OutOfMemoryException;
import io.jtrain.train.TrainConfig;
import io.jtrain.train.TrainState;
import io.jtrain.train.Trainer;
import io.jtrain.train.TrainingListener;
import java.util.SplittableRandom;

/**
 * A real trial: a fresh copy of the job's model and optimizer (the job's own are never touched) on the
 * chosen backend, {@code steps} full training steps (forward, backward, optimizer step — so lazily
 * created optimizer state exists) with the live doctor sampling as in {@code train} (its device buffers count),
 * the end-of-epoch bookkeeping of a real run (the copy of the best
 * weights), and an evaluation pass at the evaluation batch size. Out of memory anywhere means "does not
 * fit"; everything is closed either way, so the pool returns to its baseline.
 */
public final class TrainingTrial implements Trial {
    private final Backend be;
    private final ModelSpec spec;
    private final OptimizerConfig opt;
    private final Loss loss;
    private final int steps;
    private final int evalBatch;
    private final int classes;
    private final long seed;

    /**
     * @param evalBatch evaluation batch size; 0 applies the training default, max(batch, 256)
     */
    public TrainingTrial(Backend be, ModelSpec spec, OptimizerConfig opt, Loss loss, int steps, int evalBatch,
                         long seed) {
        if (steps < 3) {
            throw new IllegalArgumentException("a trial needs at least 3 training steps, got " + steps);
        }
        this.be = be;
        this.spec = spec;
        this.opt = opt;
        this.loss = loss;
        this.steps = steps;
        this.evalBatch = evalBatch;
        this.seed = seed;
        try (Sequential m = Sequential.build(spec)) {
            this.classes = (int) m.outputShape().size();
        }
    }

    @Override
    public TrialResult run(int b) {
        long baseline = be.pool().inUseBytes();
        be.pool().resetPeaks();
        double[] times = new double[steps + 1];
        int eb = evalBatch > 0 ? evalBatch : Math.max(b, 256);
        try (Sequential m = Sequential.build(spec)) {
            m.bind(be, seed);
            TrainConfig tc = new TrainConfig(1, b, false, seed, 1, io.jtrain.train.EarlyStopping.Config.off(), 0,
                io.jtrain.data.Augmentation.none(), eb);
            try (Optimizer o = new Optimizer(opt, be);
                 Trainer t = new Trainer(m, o, loss, ScheduleConfig.constant(1e-6, 1).create(), tc, targetSize())) {
                long t0 = System.nanoTime();
                io.jtrain.diagnose.TrainingMonitor monitor = new io.jtrain.diagnose.TrainingMonitor(m, f -> { },
                    false);
                try {
                    t.fit(synthetic(b * steps), null, new TrainState(), new TrainingListener() {
                        @Override
                        public void stepEnd(int epoch, int step, int n, double l, int samples) {
                            monitor.stepEnd(epoch, step, n, l, samples);
                            times[step] = (System.nanoTime() - t0) / 1e9;
                        }
                    });
                    t.evaluate(synthetic(eb));
                    be.synchronize();
                } finally {
                    monitor.close();
                }
            }
        } catch (OutOfMemoryException e) {
            return new TrialResult(b, false, Math.max(be.pool().peakBytes(), e.inUseBytes() + e.requestedBytes())
                - baseline, Double.NaN);
        } finally {
            if (be.pool().inUseBytes() != baseline) {
                throw new IllegalStateException("probe trial at batch " + b + " leaked "
                    + (be.pool().inUseBytes() - baseline) + " bytes");
            }
        }
        double secs = times[steps] - times[1];
        return new TrialResult(b, true, be.pool().peakBytes() - baseline, (steps - 1) * (double) b / secs);
    }

    private int targetSize() {
        return loss.classIndexTargets() ? 1 : classes;
    }

    private Dataset synthetic(int n) {
        SplittableRandom r = new SplittableRandom(seed);
        long size = spec.input().size();
        float[] x = new float[(int) (n * size)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        float[] y = new float[n * targetSize()];
        for (int i = 0; i < y.length; i++) {
            y[i] = loss.classIndexTargets() ? r.nextInt(Math.max(1, classes)) : r.nextInt(2);
        }
        return new Dataset("probe", spec.input(), x, y, targetSize(), classes, new String[classes]);
    }
}
