package io.jtrain.probe;

import io.jtrain.backend.Backend;
import io.jtrain.data.Dataset;
import io.jtrain.data.Normalization;
import io.jtrain.job.JobSpec;
import io.jtrain.nn.ModelSpec;
import io.jtrain.nn.Sequential;
import io.jtrain.run.PreparedData;
import io.jtrain.run.RunListener;
import io.jtrain.run.TrainingRun;
import io.jtrain.tensor.OutOfMemoryException;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A real trial: the job's model trained for {@code steps} full steps at a batch size (more for small sizes,
 * up to {@link #SMALL_BATCH_SAMPLES} samples and 64 steps, whose short steps are noisy), through a
 * {@link TrainingRun} in memory on the chosen backend (so lazily created optimizer state exists, the live
 * doctor samples as in {@code train}, and the end-of-epoch bookkeeping of a real run happens), then an
 * evaluation pass at the evaluation batch size, on synthetic data of the job's shapes. Out of memory anywhere
 * means "does not fit"; everything is closed either way, so the pool returns to its baseline.
 */
public final class TrainingTrial implements Trial {
    private final Backend be;
    private final ModelSpec spec;
    private final JobSpec job;
    /** Small batch sizes get steps up to this many samples in all, so that their median is stable. */
    static final int SMALL_BATCH_SAMPLES = 4096;
    private final int steps;
    private final int classes;

    public TrainingTrial(Backend be, ModelSpec spec, JobSpec job, int steps) {
        if (steps < 3) {
            throw new io.jtrain.util.UsageException("a trial needs at least 3 training steps, got " + steps);
        }
        this.be = be;
        this.spec = spec;
        this.job = job;
        this.steps = steps;
        try (Sequential m = Sequential.build(spec)) {
            this.classes = (int) m.outputShape().size();
        }
    }

    @Override
    public TrialResult run(int b) {
        long baseline = be.pool().inUseBytes();
        be.pool().resetPeaks();
        int steps = Math.max(this.steps, Math.min(64, (SMALL_BATCH_SAMPLES + b - 1) / b));
        double[] times = new double[steps + 1];
        int eb = Math.max(b, job.training().evalBatchSize());
        JobSpec trial = job.with(Map.of("training.epochs", "1", "training.batch_size", Integer.toString(b),
            "training.eval_batch_size", Integer.toString(eb), "training.checkpoint_every_steps", "0",
            "training.accumulation", "1", "optimizer.lr", "1e-6", "schedule.name", "constant", "schedule.epochs", "1"));
        PreparedData data = new PreparedData(synthetic(b * steps), synthetic(eb), null, Normalization.none(), null);
        try {
            long t0 = System.nanoTime();
            TrainingRun.of(trial).backend(be).data(data).inMemory().listener(new RunListener() {
                @Override
                public void stepEnd(StepEnd e) {
                    times[e.step()] = (System.nanoTime() - t0) / 1e9;
                }
            }).build().run();
            be.synchronize();
        } catch (OutOfMemoryException e) {
            return new TrialResult(b, false, Math.max(be.pool().peakBytes(), e.inUseBytes() + e.requestedBytes())
                - baseline, Double.NaN);
        } finally {
            if (be.pool().inUseBytes() != baseline) {
                throw new IllegalStateException("probe trial at batch " + b + " leaked "
                    + (be.pool().inUseBytes() - baseline) + " bytes");
            }
        }
        return timed(b, be.pool().peakBytes() - baseline, times);
    }

    /**
     * Samples/s from the median of the step times after the first (warm-up) step, and their spread: one slow
     * step (a collection, the JIT) moves the median little, where a total over 3 steps moved by 2x.
     *
     * @param times seconds from the start at the end of each step, times[1..steps]
     */
    static TrialResult timed(int b, long peak, double[] times) {
        int n = times.length - 2;
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = times[i + 2] - times[i + 1];
        }
        java.util.Arrays.sort(d);
        double median = n % 2 == 1 ? d[n / 2] : (d[n / 2 - 1] + d[n / 2]) / 2;
        double spread = n < 4 ? 0 : (d[(3 * n) / 4] - d[n / 4]) / median;
        return new TrialResult(b, true, peak, b / median, spread);
    }

    private int targetSize() {
        return job.lossFunction().classIndexTargets() ? 1 : classes;
    }

    private Dataset synthetic(int n) {
        long seed = job.training().seed();
        SplittableRandom r = new SplittableRandom(seed);
        long size = spec.input().size();
        float[] x = new float[(int) (n * size)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        float[] y = new float[n * targetSize()];
        for (int i = 0; i < y.length; i++) {
            y[i] = job.lossFunction().classIndexTargets() ? r.nextInt(Math.max(1, classes)) : r.nextInt(2);
        }
        String[] names = new String[classes];
        java.util.Arrays.setAll(names, Integer::toString);
        return new Dataset("probe", spec.input(), x, y, targetSize(), classes, names);
    }
}
