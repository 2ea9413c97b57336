package io.jtrain.probe;

import io.jtrain.backend.Backend;
import io.jtrain.job.JobSpec;
import io.jtrain.nn.ModelSpec;
import io.jtrain.nn.Sequential;
import io.jtrain.util.Sizes;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The batch-size probe of a job on a backend ({@code jtrain probe}, {@code batch_size: auto}): real trials
 * ({@link TrainingTrial}) searched by {@link BatchProbe}, starting from the analytic estimate.
 */
public final class Probing {
    private Probing() { }

    /**
     * Search settings.
     *
     * @param start first size tried (null: from the estimate)
     * @param cap the largest size tried: the training-set size (a batch larger than the data is never useful)
     * @param target the effective batch wanted, or null
     * @param steps training steps per trial (at least 3)
     * @param trainSize the training set's size (0: unknown); no size above a tenth of it is recommended
     */
    public record Settings(Integer start, int cap, double margin, Integer target, int steps, int trainSize) {
        public Settings(Integer start, int cap, double margin, Integer target, int steps) {
            this(start, cap, margin, target, steps, 0);
        }
    }

    /**
     * Probes a job on its device ({@code training.device}, announced through {@code log}). A null
     * {@code cap} is the training-set size (data.limit and the validation split applied).
     */
    public static Outcome probe(JobSpec job, io.jtrain.run.TrainingRun.Options opts, Integer start, Integer cap,
                               double margin, Integer target, int steps, Consumer<String> log) {
        ModelSpec ms = new ModelSpec(io.jtrain.run.PreparedData.inputShape(job), job.layers());
        int size = io.jtrain.run.PreparedData.load(job, opts.download()).train().size();
        int max = cap != null ? cap : size;
        try (var dev = io.jtrain.run.OpenDevice.of(job.training().device(), opts, log)) {
            ProbeResult r = probe(dev.backend(), ms, job, new Settings(start, max, margin, target, steps, size), log);
            long estimate = 0;
            if (r.recommendedBatchSize() > 0) {
                estimate = estimate(dev.backend(), ms, job, r.recommendedBatchSize()).total();
            }
            return new Outcome(dev.device(), r, estimate);
        }
    }

    /**
     * A probe's outcome on a device.
     *
     * @param estimateBytes the analytic estimate at the recommended size (0 when none fits)
     */
    public record Outcome(String device, ProbeResult result, long estimateBytes) { }

    /** The analytic memory estimate of the job's model at {@code batch} on {@code be}. */
    public static MemoryEstimate estimate(Backend be, ModelSpec ms, JobSpec job, int batch) {
        try (Sequential m = Sequential.build(ms)) {
            m.bind(be, job.training().seed());
            return MemoryEstimate.of(m, job.optimizerConfig(), batch, batch);
        }
    }

    /** Probes on {@code be} (whose pool should be empty); each trial is reported through {@code log}. */
    public static ProbeResult probe(Backend be, ModelSpec ms, JobSpec job, Settings s, Consumer<String> log) {
        long capacity = be.pool().capacityBytes() - be.pool().inUseBytes();
        int first = s.start() != null ? s.start() : startFromEstimate(ms, job, capacity, s.cap());
        TrainingTrial trial = new TrainingTrial(be, ms, job, s.steps());
        trial.run(1);
        BatchProbe probe = new BatchProbe(size -> {
            TrialResult t = trial.run(size);
            log.accept(String.format(Locale.ROOT, "  batch %6d: %s", size, t.fits()
                ? String.format(Locale.ROOT, "fits, peak %s, %.1f samples/s (spread %.0f %%)",
                    Sizes.format(t.peakBytes()), t.samplesPerSecond(), 100 * t.spread()) : "out of memory"));
            return t;
        }, s.trainSize() > 0 ? Math.max(1, s.trainSize() / 10) : Integer.MAX_VALUE);
        return probe.search(Math.min(first, s.cap()), s.cap(), s.margin(), s.target(), capacity);
    }

    /**
     * Start 16 times below the largest power of two whose estimate is within half the capacity (at least 1),
     * so that the doubling phase also measures the throughput of smaller sizes.
     */
    static int startFromEstimate(ModelSpec ms, JobSpec job, long capacity, int cap) {
        try (Sequential m = Sequential.build(ms)) {
            int b = 1;
            while (b * 2 <= cap && MemoryEstimate.of(m, job.optimizerConfig(), b * 2, b * 2).total() < capacity / 2) {
                b *= 2;
            }
            return Math.max(1, b / 16);
        }
    }
}
