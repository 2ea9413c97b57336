package io.jtrain.cli;

import io.jtrain.model.OnnxExport;
import io.jtrain.run.TrainingRun;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jtrain export MODEL_DIR --format onnx [--out FILE]}: the model as an ONNX file. */
@Command(name = "export", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Export a saved model as ONNX (IR 8, opset 17): raw samples in ('input'), normalisation "
        + "included, 'probabilities' out; prints the file's path.",
    footer = {"", "Examples:", "  jtrain export runs/lenet5/best --format onnx",
        "  jtrain export runs/mlp/best --format onnx --out mlp.onnx"})
public final class ExportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL_DIR", description = "A model directory (e.g. RUN/best).")
    Path modelDir;

    @Option(names = "--format", paramLabel = "onnx", defaultValue = "onnx", description = "The format (onnx).")
    String format;

    @Option(names = "--out", paramLabel = "FILE", description = "The file to write (default: MODEL_DIR/model.onnx).")
    Path out;

    @Option(names = "--verbose", description = "Show stack traces.")
    boolean verbose;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (!format.equals("onnx")) {
            throw new io.jtrain.util.UsageException("--format '" + format + "' is not supported; use --format onnx");
        }
        PrintWriter o = spec.commandLine().getOut();
        Path file = OnnxExport.write(modelDir, out, TrainingRun.version());
        o.println(file);
        o.flush();
        return ExitCodes.OK;
    }
}
