package io.jtrain.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jtrain.job.Jobs;
import io.jtrain.run.Benchmark;
import io.jtrain.run.RunDirectory;
import io.jtrain.util.Sizes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
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
@Command(name = "bench", mixinStandardHelpOptions = true, showDefaultValues = true,
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
        Jobs.Loaded loaded = common.load(jobFile, err);
        int width = new Progress(err, System.console() != null && !common.json, 1).width();
        Benchmark.Result r = Benchmark.run(loaded.spec(), common.runOptions(err).withLiveDiagnosis(!noDiagnosis, false,
            null), warmup, steps, l -> {
                err.println(Progress.wrap(l, width - 1, 8));   // as train does: broken at spaces in a terminal
                err.flush();
            });
        if (common.json) {
            out.println(json(r).toPrettyString());
        } else {
            // one fact a line, each well inside 80 columns
            out.println(String.format(Locale.ROOT, "%s, batch %d on %s", r.model(), r.batchSize(), r.device()));
            out.println(String.format(Locale.ROOT, "  training    %.1f samples/s (%.2f ms per batch)",
                r.trainSamplesPerSecond(), r.msPerBatch()));
            out.println(String.format(Locale.ROOT, "  inference   %.1f samples/s", r.inferSamplesPerSecond()));
            out.println("  peak memory " + Sizes.format(r.peakBytes()));
        }
        return ExitCodes.OK;
    }

    static ObjectNode json(Benchmark.Result r) {
        ObjectNode o = RunDirectory.JSON.createObjectNode();
        o.put("device", r.device());
        o.put("model", r.model());
        o.put("batch_size", r.batchSize());
        o.put("steps", r.steps());
        o.put("train_samples_per_s", r.trainSamplesPerSecond());
        o.put("ms_per_batch", r.msPerBatch());
        o.put("infer_samples_per_s", r.inferSamplesPerSecond());
        o.put("peak_bytes", r.peakBytes());
        o.put("peak_reserved_bytes", r.peakReservedBytes());
        return o;
    }
}
