package io.jtrain.run;

import io.jtrain.backend.Backend;
import io.jtrain.data.Dataset;
import io.jtrain.data.Normalization;
import io.jtrain.job.JobSpec;
import io.jtrain.nn.ModelSpec;
import io.jtrain.nn.Sequential;
import io.jtrain.tensor.Shape;
import io.jtrain.train.Evaluator;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Training and inference throughput of a job's model at its batch size, on synthetic data of the job's input
 * shape: {@code warmup} untimed steps (the JIT compiles meanwhile), then {@code steps} timed ones, through
 * the same {@link TrainingRun} as real training (in memory); then inference over as many batches.
 */
public final class Benchmark {
    private Benchmark() { }

    /** The measurement; samples per second are for the timed steps only. */
    public record Result(String device, String model, int batchSize, int steps, double trainSamplesPerSecond,
                         double msPerBatch, double inferSamplesPerSecond, long peakBytes, long peakReservedBytes) { }

    /** Benchmarks on the job's device ({@code training.device}), announced through {@code notices}. */
    public static Result run(JobSpec job, TrainingRun.Options opts, int warmup, int steps, Consumer<String> notices) {
        checkSteps(warmup, steps);
        Shape in = PreparedData.inputShape(job);
        try (OpenDevice d = OpenDevice.of(job.training().device(), opts, notices)) {
            return run(job, in, d.backend(), d.device(), opts.liveDiagnosis(), warmup, steps);
        }
    }

    /** Benchmarks on a given backend (not closed). */
    public static Result run(JobSpec job, Shape in, Backend be, String device, boolean liveDiagnosis, int warmup,
                             int steps) {
        checkSteps(warmup, steps);
        int b = job.batchSize();
        int classes;
        try (Sequential m = Sequential.build(new ModelSpec(in, job.layers()))) {
            classes = (int) m.outputShape().size();
        }
        Dataset data = synthetic(in, (warmup + steps) * b, classes, job.training().seed());
        double[] times = new double[warmup + steps + 1];
        JobSpec benchJob = job.with(Map.of("training.epochs", "1", "data.validation", "0", "training.accumulation",
            "1", "training.checkpoint_every_steps", "0"));
        long t0 = System.nanoTime();
        TrainingRun.of(benchJob).backend(be).inMemory()
            .data(new PreparedData(data, null, null, Normalization.none(), data))
            .options(TrainingRun.Options.defaults().withLiveDiagnosis(liveDiagnosis, false, null))
            .listener(new RunListener() {
                @Override
                public void stepEnd(StepEnd e) {
                    times[e.step()] = (System.nanoTime() - t0) / 1e9;
                }
            }).build().run();
        double trainSecs = times[warmup + steps] - times[warmup];
        double infer;
        try (Sequential m = Sequential.build(new ModelSpec(in, job.layers()))) {
            m.bind(be, job.training().seed());
            infer = inference(m, job, data, b, warmup, steps);
        }
        return new Result(device, job.modelName(), b, steps, steps * b / trainSecs, 1000 * trainSecs / steps, infer,
            be.pool().peakBytes(), be.pool().peakReservedBytes());
    }

    private static void checkSteps(int warmup, int steps) {
        if (warmup < 1 || steps < 1) {
            throw new io.jtrain.util.UsageException("--warmup and --steps must be at least 1 (got " + warmup + " and "
                + steps + ")");
        }
    }

    private static double inference(Sequential m, JobSpec job, Dataset data, int b, int warmup, int steps) {
        try (Evaluator ev = Evaluator.create(m, job.lossFunction(), b, 1)) {
            ev.evaluate(data.head(b * Math.min(warmup, 3)));
            Dataset timed = data.head(b * steps);
            long t0 = System.nanoTime();
            ev.evaluate(timed);
            return timed.size() / ((System.nanoTime() - t0) / 1e9);
        }
    }

    /** Uniform inputs in [-1, 1) and uniform labels of the given shape. */
    static Dataset synthetic(Shape in, int n, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[(int) (n * in.size())];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (r.nextDouble() * 2 - 1);
        }
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(classes);
        }
        String[] names = new String[classes];
        Arrays.setAll(names, Integer::toString);
        return new Dataset("synthetic", in, x, y, 1, classes, names);
    }
}
