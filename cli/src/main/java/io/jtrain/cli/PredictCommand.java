package io.jtrain.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jtrain.api.Predictor;
import io.jtrain.run.RunDirectory;
import io.jtrain.run.TrainingRun;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
/** {@code jtrain predict MODEL_DIR INPUT...}: class and probabilities for IDX, CSV or PNG inputs. */
@Command(name = "predict", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Predict classes for inputs: images, a CSV file of features, or an IDX image file.",
    footer = {"", "Examples:", "  jtrain predict runs/lenet5/best t10k-images-idx3-ubyte.gz --limit 5",
        "  jtrain predict runs/lenet5/best shoe.png bag.png", "  jtrain predict runs/tabular/best rows.csv --json"})
public final class PredictCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL_DIR", description = "A model directory (e.g. RUN/best).")
    Path modelDir;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "INPUT", description = "Image (PNG, JPEG, BMP, GIF), "
        + "CSV or IDX files.")
    List<Path> inputs;

    @Option(names = "--limit", paramLabel = "N", description = "Predict at most N samples.")
    Integer limit;

    @Option(names = "--top", paramLabel = "K", defaultValue = "3", description = "Probabilities shown per sample.")
    int top;

    @Option(names = "--device", paramLabel = "auto|cpu|cuda[:N]", defaultValue = "auto", description = "Device.")
    String device;

    @picocli.CommandLine.Mixin
    GpuFlags gpu;

    @Option(names = "--json", description = "Print one JSON object on standard output.")
    boolean json;

    @Option(names = "--verbose", description = "Show stack traces.")
    boolean verbose;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--memory-limit", paramLabel = "SIZE", description = "Memory pool capacity, e.g. 512m.")
    String memoryLimit;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (top < 1) {
            throw new io.jtrain.util.UsageException("--top must be at least 1, got " + top);
        }
        if (limit != null && limit < 1) {
            throw new io.jtrain.util.UsageException("--limit must be at least 1, got " + limit);
        }
        TrainingRun.Options opts = TrainingRun.Options.defaults().withDevice(memoryLimit == null ? 0
            : Devices.parseLimit(memoryLimit), gpu.options(), io.jtrain.backend.DeviceSelection.threads());
        try (Predictor p = Predictor.load(modelDir, device, opts, l -> {
            err.println(l);
            err.flush();
        })) {
            List<Predictor.Prediction> all = new ArrayList<>();
            for (Path in : inputs) {
                if (limit != null && all.size() >= limit) {
                    break;
                }
                List<Predictor.Prediction> got = p.predict(in);
                all.addAll(limit == null ? got : got.subList(0, Math.min(got.size(), limit - all.size())));
            }
            print(out, all, p);
        }
        return ExitCodes.OK;
    }

    private void print(PrintWriter out, List<Predictor.Prediction> all, Predictor p) {
        String[] names = p.classNames();
        ArrayNode arr = RunDirectory.JSON.createArrayNode();
        for (int i = 0; i < all.size(); i++) {
            Predictor.Prediction r = all.get(i);
            ObjectNode o = arr.addObject();
            o.put("index", i);
            float[] probs = r.probabilities();
            if (p.classifier()) {
                o.put("class", r.classIndex());
                o.put("name", r.className());
                ArrayNode ps = o.putArray("probabilities");
                for (float v : probs) {
                    ps.add(v);
                }
            } else {
                ArrayNode vs = o.putArray("outputs");
                for (float v : probs) {
                    vs.add(v);
                }
            }
            if (p.multiLabel()) {
                ArrayNode on = o.putArray("labels");
                present(probs, names).forEach(on::add);
            }
            if (!json) {
                out.println(p.multiLabel() ? i + ": " + (present(probs, names).isEmpty() ? "(no label)"
                    : String.join(", ", present(probs, names))) + topK(r, names)
                    : p.classifier() ? String.format(Locale.ROOT, "%d: %s (%.3f)%s", i, r.className(),
                    r.probability(), topK(r, names)) : i + ": " + values(probs));
            }
        }
        if (json) {
            ObjectNode root = RunDirectory.JSON.createObjectNode();
            root.put("model", modelDir.toString());
            root.set("predictions", arr);
            out.println(root.toPrettyString());
        }
    }

    /** A multi-label prediction's labels: those whose probability is at least 0.5. */
    private static List<String> present(float[] probs, String[] names) {
        List<String> on = new ArrayList<>();
        for (int k = 0; k < probs.length; k++) {
            if (probs[k] >= 0.5f) {
                on.add(k < names.length ? names[k] : Integer.toString(k));
            }
        }
        return on;
    }

    private static String values(float[] v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.4g", v[i]));
        }
        return sb.toString();
    }

    private String topK(Predictor.Prediction r, String[] names) {
        StringBuilder sb = new StringBuilder("  [");
        List<Predictor.Ranked> t = r.top(top, names);
        for (int k = 0; k < t.size(); k++) {
            sb.append(k == 0 ? "" : ", ").append(t.get(k).className())
              .append(String.format(Locale.ROOT, " %.3f", t.get(k).probability()));
        }
        return sb.append(']').toString();
    }
}
