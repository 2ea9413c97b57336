package io.jtrain.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jtrain.run.EvaluationRun;
import io.jtrain.run.RunDirectory;
import io.jtrain.run.TrainingRun;
import io.jtrain.train.Evaluation;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jtrain eval MODEL_DIR}: accuracy, per-class precision/recall/F1 and the confusion matrix. */
@Command(name = "eval", mixinStandardHelpOptions = true, showDefaultValues = true,
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
        if (out != null) {
            RunDirectory.check(out, true, false);
        }
        TrainingRun.Options opts = TrainingRun.Options.defaults().withDevice(memoryLimit == null ? 0
            : Devices.parseLimit(memoryLimit), gpu.options(), io.jtrain.backend.DeviceSelection.threads());
        EvaluationRun.Result r = EvaluationRun.of(modelDir).data(data).dataDir(dataDir == null ? null
            : Path.of(dataDir)).batchSize(batchSize).device(device, opts).notices(l -> {
                err.println(l);
                err.flush();
            }).run();
        Evaluation e = r.evaluation();
        String[] names = r.classNames();
        ObjectNode j = Report.json(e, names);
        j.put("model", modelDir.toString());
        j.put("data", r.data());
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
            o.print("evaluation of " + modelDir + " on " + r.data() + ": " + Report.text(e, names));
        }
        return ExitCodes.OK;
    }
}
