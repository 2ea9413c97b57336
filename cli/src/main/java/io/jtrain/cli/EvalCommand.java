package io.jtrain.cli;

import io.jtrain.run.RunDirectory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jtrain.data.DataLocator;
import io.jtrain.data.DataSplits;
import io.jtrain.data.Dataset;
import io.jtrain.loss.Loss;
import io.jtrain.model.ModelFiles;
import io.jtrain.train.Evaluation;
import io.jtrain.train.Evaluator;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jtrain eval MODEL_DIR}: accuracy, per-class precision/recall/F1 and the confusion matrix. */
@Command(name = "eval", mixinStandardHelpOptions = true,
    description = "Evaluate a saved model on the test split of its data set (or on --data).",
    footer = {"", "Examples:", "  jtrain eval runs/lenet5-20260101-120000/best",
        "  jtrain eval runs/mnist/best --data mnist --data-dir ../shared/data --json"})
public final class EvalCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL_DIR", description = "A model directory (e.g. RUN/best).")
    Path modelDir;

    @Option(names = "--data", paramLabel = "NAME|PATH", description = "Data set (default: the one the run used).")
    String data;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Folder holding one folder per named data set.")
    String dataDir;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "256", description = "Evaluation batch size.")
    int batchSize;

    @Option(names = "--device", paramLabel = "auto|cpu|cuda[:N]", defaultValue = "auto", description = "Device.")
    String device;

    @picocli.CommandLine.Mixin
    GpuFlags gpu;

    @Option(names = "--memory-limit", paramLabel = "SIZE", description = "Memory pool capacity, e.g. 512m.")
    String memoryLimit;

    @Option(names = "--json", description = "Print one JSON object on standard output.")
    boolean json;

    @Option(names = "--verbose", description = "Show stack traces.")
    boolean verbose;

    @Option(names = "--out", paramLabel = "DIR", description = "Also write report.json and confusion.png here.")
    Path out;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        }
        io.jtrain.backend.DeviceSelection.Choice dev = Devices.announce(device, memoryLimit, gpu.options(), err);
        try (var be = dev.backend(); ModelFiles.Loaded m = ModelFiles.loadModel(modelDir, be)) {
            Dataset d = testSplit(m);
            Loss loss = Loss.parse(m.meta().loss());
            try (Evaluator ev = Evaluator.create(m.model(), loss, batchSize, 1)) {
                Evaluation e = ev.evaluate(m.meta().normalization().applyTo(d));
                String[] names = m.meta().classNames();
                ObjectNode j = Report.json(e, names);
                j.put("model", modelDir.toString());
                j.put("data", d.name());
                if (out != null) {
                    RunDirectory run = RunDirectory.open(out, true, false);
                    run.writeJson("report.json", j);
                    if (e.confusion() != null) {
                        Charts.confusion(run.resolve("confusion.png"), e.confusion(), names);
                    }
                }
                if (json) {
                    o.println(j.toPrettyString());
                } else {
                    o.print("evaluation of " + modelDir + " on " + d.name() + ": " + Report.text(e, names));
                }
            }
        }
        return ExitCodes.OK;
    }

    private Dataset testSplit(ModelFiles.Loaded m) {
        String name = data;
        String dir = dataDir;
        if (name == null) {
            JsonNode job = runJob(modelDir);
            name = job.path("data").path("name").asText(DataLocator.EMBEDDED);
            if (dir == null && job.path("data").hasNonNull("dir")) {
                dir = job.path("data").path("dir").asText();
            }
        }
        DataSplits s = DataLocator.load(name, dir == null ? null : Path.of(dir), null, false);
        if (s.test() == null) {
            throw new IllegalArgumentException("data '" + name + "' has no test split; pass a data set with one");
        }
        return s.test();
    }

    /** The job of the run a model directory belongs to (RUN/best -> RUN/run.json), or an empty node. */
    static JsonNode runJob(Path modelDir) {
        Path abs = modelDir.toAbsolutePath();
        for (Path p = abs; p != null && p.getNameCount() > abs.getNameCount() - 3; p = p.getParent()) {
            Path f = p.resolve("run.json");
            if (Files.exists(f)) {
                try {
                    return RunDirectory.JSON.readTree(f.toFile()).path("job");
                } catch (java.io.IOException e) {
                    break;
                }
            }
        }
        return RunDirectory.JSON.createObjectNode();
    }
}
