package io.jtrain.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jtrain.job.JobSpec;
import io.jtrain.probe.Probing;
import io.jtrain.run.PreparedData;
import io.jtrain.run.RunDirectory;
import io.jtrain.nn.ModelSpec;
import io.jtrain.probe.MemoryEstimate;
import io.jtrain.probe.ProbeResult;
import io.jtrain.probe.TrialResult;
import io.jtrain.util.Sizes;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jtrain probe [JOB.yaml]}: the largest batch that fits, samples/s per size, and a recommendation. */
@Command(name = "probe", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Find the largest batch size that fits in memory, measure throughput per size, recommend one.",
    footer = {"", "Examples:", "  jtrain probe --preset cnn-bn --memory-limit 512m",
        "  jtrain probe examples/vgg-cifar.yaml --estimate-only --batch-size 256",
        "  jtrain probe --preset mlp --memory-limit 64m --target-batch 4096 --json"})
public final class ProbeCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "JOB.yaml", description = "Job file (optional).")
    Path jobFile;

    @Mixin
    CommonOptions common;

    @Option(names = "--estimate-only", description = "Print the analytic memory estimate (at --batch-size) and exit.")
    boolean estimateOnly;

    @Option(names = "--start", paramLabel = "N", description = "First size tried (default: from the estimate).")
    Integer start;

    @Option(names = "--max", paramLabel = "N", description = "Never try sizes above N (default: training-set size).")
    Integer max;

    @Option(names = "--margin", paramLabel = "F", defaultValue = "0.1",
        description = "Safety margin below the largest fit (default 0.1 = 10 %%).")
    double margin;

    @Option(names = "--target-batch", paramLabel = "N", description = "Effective batch wanted; prints the accumulation.")
    Integer target;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "8", description = "Training steps per trial (>= 3); "
        + "samples/s is the median over the steps after the first.")
    int steps;

    @Option(names = "--chart", paramLabel = "FILE.png", description = "Write the chart here (default: probe.png).")
    Path chart;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        io.jtrain.job.Jobs.Loaded loaded = common.load(jobFile, err);
        JobSpec job = loaded.spec();
        io.jtrain.run.TrainingRun.Options opts = common.runOptions(err);
        java.util.function.Consumer<String> log = l -> {
            if (l.startsWith("  batch ") && !common.verbose && !common.json) {
                return;     // the trials are the table on standard output; printed twice before
            }
            err.println(l);
            err.flush();
        };
        if (estimateOnly) {
            ModelSpec ms = new ModelSpec(PreparedData.inputShape(job), job.layers());
            try (var dev = io.jtrain.run.OpenDevice.of(job.training().device(), opts, log)) {
                MemoryEstimate est = Probing.estimate(dev.backend(), ms, job, job.batchSize());
                print(out, common.json ? null : estimateTable(est), common.json ? estimateJson(est) : null);
            }
            return ExitCodes.OK;
        }
        Probing.Outcome o = Probing.probe(job, opts, start, max, margin, target, steps, log);
        ProbeResult r = o.result();
        Path png = chart != null ? chart : Path.of("probe.png");
        if (r.trials().stream().anyMatch(TrialResult::fits)) {
            chart(png, r);
        }
        String estimate = r.recommendedBatchSize() == 0 ? "" : String.format(Locale.ROOT,
            "analytic estimate at batch %d: %s%n", r.recommendedBatchSize(), Sizes.format(o.estimateBytes()));
        print(out, common.json ? null : table(r) + estimate + "chart: " + png + "\n", common.json ? json(r) : null);
        return r.maxBatchSize() == 0 ? ExitCodes.OUT_OF_MEMORY : ExitCodes.OK;
    }

    private static void print(PrintWriter out, String text, ObjectNode json) {
        out.print(json != null ? json.toPrettyString() + "\n" : text);
        out.flush();
    }

    static String estimateTable(MemoryEstimate e) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
            "estimated training memory at batch %d%n%-4s %-12s %12s %12s %12s %12s %12s%n", e.batch(), "#", "layer",
            "weights", "gradients", "opt. state", "activations", "workspace"));
        for (MemoryEstimate.Row r : e.rows()) {
            sb.append(String.format(Locale.ROOT, "%-4d %-12s %12s %12s %12s %12s %12s%n", r.index(), r.type(),
                Sizes.format(r.weights()), Sizes.format(r.gradients()), Sizes.format(r.optimizerState()),
                Sizes.format(r.activations()), Sizes.format(r.workspace())));
        }
        sb.append(String.format(Locale.ROOT, "%-17s %12s %12s %12s %12s %12s%n", "total", Sizes.format(e.weights()),
            Sizes.format(e.gradients()), Sizes.format(e.optimizerState()), Sizes.format(e.activations()),
            Sizes.format(e.workspace())));
        sb.append(String.format(Locale.ROOT, "trainer buffers (batch, targets, output gradient, best weights): %s%n"
            + "estimated total: %s%n", Sizes.format(e.trainer()), Sizes.format(e.total())));
        return sb.toString();
    }

    static ObjectNode estimateJson(MemoryEstimate e) {
        ObjectNode o = RunDirectory.JSON.createObjectNode();
        o.put("batch_size", e.batch());
        ArrayNode layers = o.putArray("layers");
        for (MemoryEstimate.Row r : e.rows()) {
            ObjectNode l = layers.addObject();
            l.put("index", r.index());
            l.put("type", r.type());
            l.put("weights_bytes", r.weights());
            l.put("gradients_bytes", r.gradients());
            l.put("optimizer_state_bytes", r.optimizerState());
            l.put("activations_bytes", r.activations());
            l.put("workspace_bytes", r.workspace());
        }
        o.put("weights_bytes", e.weights());
        o.put("gradients_bytes", e.gradients());
        o.put("optimizer_state_bytes", e.optimizerState());
        o.put("activations_bytes", e.activations());
        o.put("workspace_bytes", e.workspace());
        o.put("trainer_bytes", e.trainer());
        o.put("total_bytes", e.total());
        return o;
    }

    static String table(ProbeResult r) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%8s %6s %14s %14s %8s%n", "batch", "fits",
            "peak memory", "samples/s", "spread"));
        for (TrialResult t : r.trials()) {
            sb.append(String.format(Locale.ROOT, "%8d %6s %14s %14s %8s%n", t.batchSize(), t.fits() ? "yes" : "no",
                Sizes.format(t.peakBytes()), t.fits() ? String.format(Locale.ROOT, "%.1f", t.samplesPerSecond()) : "-",
                t.fits() ? String.format(Locale.ROOT, "%.0f %%", 100 * t.spread()) : "-"));
        }
        sb.append(String.format(Locale.ROOT, "capacity: %s%n", Sizes.format(r.capacityBytes())));
        if (r.maxBatchSize() == 0) {
            sb.append("no batch size fits: ").append(r.reason()).append("; raise --memory-limit or use a smaller model\n");
            return sb.toString();
        }
        sb.append(String.format(Locale.ROOT, "largest batch that fits: %d (confirmed by a second trial)%n",
            r.maxBatchSize()));
        sb.append(String.format(Locale.ROOT, "recommended batch size: %d (the smallest size within 5 %% of the fastest "
            + "median samples/s, at or below %.0f %% of the largest fit%s)%n", r.recommendedBatchSize(),
            100 * (1 - r.margin()), r.dataLimit() == null ? "" : " and a tenth of the training set, "
            + r.dataLimit()));
        sb.append("throughput plateau: ").append(r.plateauBatchSize() == null ? "none found (doubling kept gaining "
            + "5 % or more)" : "from batch " + r.plateauBatchSize() + " (doubling gains less than 5 %)").append('\n');
        if (r.targetBatch() != null) {
            sb.append(String.format(Locale.ROOT, "target batch %d: micro-batch %d x accumulation %d = effective batch "
                + "%d (set training.accumulation: %d; the learning rate is not rescaled)%n", r.targetBatch(),
                r.recommendedBatchSize(), r.accumulation(), r.effectiveBatch(), r.accumulation()));
        }
        return sb.toString();
    }

    static ObjectNode json(ProbeResult r) {
        ObjectNode o = RunDirectory.JSON.createObjectNode();
        o.put("max_batch_size", r.maxBatchSize());
        o.put("recommended_batch_size", r.recommendedBatchSize());
        if (r.plateauBatchSize() == null) {
            o.putNull("plateau_batch_size");
        } else {
            o.put("plateau_batch_size", r.plateauBatchSize());
        }
        o.put("capacity_bytes", r.capacityBytes());
        o.put("margin", r.margin());
        if (r.targetBatch() == null) {
            o.putNull("target_batch");
        } else {
            o.put("target_batch", r.targetBatch());
        }
        if (r.dataLimit() == null) {
            o.putNull("data_limit");
        } else {
            o.put("data_limit", r.dataLimit());
        }
        o.put("accumulation", r.accumulation());
        o.put("effective_batch", r.effectiveBatch());
        ArrayNode ts = o.putArray("trials");
        for (TrialResult t : r.trials()) {
            ObjectNode n = ts.addObject();
            n.put("batch_size", t.batchSize());
            n.put("fits", t.fits());
            n.put("peak_bytes", t.peakBytes());
            if (t.fits()) {
                n.put("samples_per_s", t.samplesPerSecond());
                n.put("spread", t.spread());
            } else {
                n.putNull("samples_per_s");
                n.putNull("spread");
            }
        }
        return o;
    }

    static void chart(Path file, ProbeResult r) {
        List<Double> xs = new ArrayList<>();
        List<Double> speed = new ArrayList<>();
        List<Double> mem = new ArrayList<>();
        r.trials().stream().filter(TrialResult::fits).sorted(java.util.Comparator.comparingInt(TrialResult::batchSize))
            .forEach(t -> {
                if (xs.isEmpty() || xs.get(xs.size() - 1) != t.batchSize()) {
                    xs.add((double) t.batchSize());
                    speed.add(t.samplesPerSecond());
                    mem.add(t.peakBytes() / 1048576.0);
                }
            });
        Charts.probe(file, xs, speed, mem);
    }
}
