package io.jtrain.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jtrain.job.JobSpec;
import io.jtrain.job.Jobs;
import io.jtrain.run.PreparedData;
import io.jtrain.run.RunDirectory;
import io.jtrain.run.RunListener;
import io.jtrain.run.TrainingRun;
import io.jtrain.data.Dataset;
import io.jtrain.nn.ModelSpec;
import io.jtrain.nn.Sequential;
import io.jtrain.tensor.Shape;
import io.jtrain.train.Evaluator;
import io.jtrain.util.Sizes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code jtrain bench [JOB.yaml]}: steady-state training and inference throughput of a job's model on
 * the chosen device, measured through the same training loop users run, on synthetic inputs of the
 * data set's shape (so data loading from disk is excluded, batch assembly is not).
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measure training and inference throughput (samples/s after warm-up), ms per batch, peak memory.",
    footer = {"", "Examples:", "  jtrain bench --preset lenet5 --batch-size 128",
        "  jtrain bench examples/cnn-bn.yaml --steps 30 --json"})
public final class BenchCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "JOB.yaml", description = "Job file (optional).")
    Path jobFile;

    @Mixin
    CommonOptions common;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "20", description = "Warm-up steps (not timed; the JIT compiles meanwhile).")
    int warmup;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "30", description = "Timed training steps.")
    int steps;

    @Option(names = "--no-live-diagnosis", description = "Measure without the doctor's live detectors "
        + "(which train runs by default).")
    boolean noDiagnosis;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (warmup < 1 || steps < 1) {
            throw new IllegalArgumentException("--warmup and --steps must be at least 1");
        }
        Jobs.Loaded loaded = common.load(jobFile);
        loaded.warnings().forEach(w -> err.println("jtrain: warning: " + w));
        JobSpec job = loaded.spec();
        Shape in = SummaryCommand.inputShape(job);
        io.jtrain.backend.DeviceSelection.Choice dev = Devices.announce(job.training().device(), common.memoryLimit,
            common.gpu.options(), err);
        int b = job.batchSize();
        ObjectNode r;
        try (var be = dev.backend()) {
            int classes;
            try (Sequential m = Sequential.build(new ModelSpec(in, job.layers()))) {
                classes = (int) m.outputShape().size();
            }
            Dataset data = synthetic(in, (warmup + steps) * b, classes, job.training().seed());
            double[] times = new double[warmup + steps + 1];
            JobSpec benchJob = job.with(java.util.Map.of("training.epochs", "1", "data.validation", "0",
                "training.accumulation", "1", "training.checkpoint_every_steps", "0"));
            long t0 = System.nanoTime();
            TrainingRun.of(benchJob).backend(be).inMemory()
                .data(new PreparedData(data, null, null, io.jtrain.data.Normalization.none(), data))
                .options(TrainingRun.Options.defaults().withLiveDiagnosis(!noDiagnosis, false, null))
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
                infer = inference(m, job, data, b);
            }
            r = RunDirectory.JSON.createObjectNode();
            r.put("device", dev.device());
            r.put("model", job.modelName());
            r.put("batch_size", b);
            r.put("steps", steps);
            r.put("train_samples_per_s", steps * b / trainSecs);
            r.put("ms_per_batch", 1000 * trainSecs / steps);
            r.put("infer_samples_per_s", infer);
            r.put("peak_bytes", be.pool().peakBytes());
            r.put("peak_reserved_bytes", be.pool().peakReservedBytes());
        }
        if (common.json) {
            out.println(r.toPrettyString());
        } else {
            out.println(String.format(Locale.ROOT, "%s, batch %d on %s: training %.1f samples/s (%.2f ms per batch), "
                + "inference %.1f samples/s, peak memory %s", r.get("model").asText(), b, dev.device(),
                r.get("train_samples_per_s").asDouble(), r.get("ms_per_batch").asDouble(),
                r.get("infer_samples_per_s").asDouble(), Sizes.format(r.get("peak_bytes").asLong())));
        }
        return ExitCodes.OK;
    }

    private double inference(Sequential m, JobSpec job, Dataset data, int b) {
        try (Evaluator ev = Evaluator.create(m, job.lossFunction(), b, 1)) {
            Dataset warm = data.head(b * Math.min(warmup, 3));
            ev.evaluate(warm);
            Dataset timed = data.head(b * steps);
            long t0 = System.nanoTime();
            ev.evaluate(timed);
            return timed.size() / ((System.nanoTime() - t0) / 1e9);
        }
    }

    /** Normal inputs and uniform labels of the given shape. */
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
        java.util.Arrays.setAll(names, Integer::toString);
        return new Dataset("synthetic", in, x, y, 1, classes, names);
    }
}
