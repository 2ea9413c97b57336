package io.jtrain.cli;

import io.jtrain.run.RunDirectory;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jtrain.data.CsvData;
import io.jtrain.data.DataException;
import io.jtrain.data.Dataset;
import io.jtrain.data.IdxReader;
import io.jtrain.loss.Loss;
import io.jtrain.model.ModelFiles;
import io.jtrain.nn.Softmax;
import io.jtrain.tensor.Shape;
import io.jtrain.train.Evaluator;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jtrain predict MODEL_DIR INPUT...}: class and probabilities for IDX, CSV or PNG inputs. */
@Command(name = "predict", mixinStandardHelpOptions = true,
    description = "Predict classes for inputs: an IDX image file, a CSV file of features, or PNG images.",
    footer = {"", "Examples:", "  jtrain predict runs/lenet5/best t10k-images-idx3-ubyte.gz --limit 5",
        "  jtrain predict runs/lenet5/best shoe.png bag.png", "  jtrain predict runs/tabular/best rows.csv --json"})
public final class PredictCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL_DIR", description = "A model directory (e.g. RUN/best).")
    Path modelDir;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "INPUT", description = "IDX, CSV or PNG files.")
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

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        io.jtrain.backend.DeviceSelection.Choice dev = Devices.select(device, null, gpu.options());
        try (var be = dev.backend(); ModelFiles.Loaded m = ModelFiles.loadModel(modelDir, be)) {
            Shape in = m.model().inputShape();
            Dataset d = read(in);
            if (limit != null && limit > 0 && limit < d.size()) {
                d = d.head(limit);
            }
            float[][] probs;
            try (Evaluator ev = Evaluator.create(m.model(), Loss.parse(m.meta().loss()), 256, 1)) {
                probs = ev.predict(m.meta().normalization().applyTo(d));
            }
            boolean softmaxed = m.model().layers().get(m.model().layers().size() - 1) instanceof Softmax;
            print(out, probs, softmaxed, m.meta().classNames(), Loss.parse(m.meta().loss()));
        }
        return ExitCodes.OK;
    }

    private Dataset read(Shape in) {
        List<float[]> samples = new ArrayList<>();
        for (Path p : inputs) {
            String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
            if (n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg")) {
                samples.add(image(p, in));
            } else if (n.endsWith(".csv")) {
                Dataset c = CsvData.read(p, null, true);
                if (c.sampleSize() + 1 == in.size()) {
                    throw new DataException(p + ": has " + (c.sampleSize() + 1) + " columns; the model expects "
                        + in.size() + " features (the last column is taken as a label)");
                }
                split(samples, c.x(), (int) in.size(), p);
            } else {
                IdxReader.Idx idx = IdxReader.read(p);
                float[] x = new float[idx.data().length];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (idx.data()[i] & 0xff) / 255f;
                }
                split(samples, x, (int) in.size(), p);
            }
        }
        float[] x = new float[(int) (samples.size() * in.size())];
        for (int i = 0; i < samples.size(); i++) {
            System.arraycopy(samples.get(i), 0, x, (int) (i * in.size()), (int) in.size());
        }
        return new Dataset("input", in, x, new float[samples.size()], 1, 0, new String[0]);
    }

    private static void split(List<float[]> out, float[] x, int size, Path p) {
        if (x.length % size != 0) {
            throw new DataException(p + ": " + x.length + " values is not a whole number of samples of " + size
                + " values (the model's input size)");
        }
        for (int i = 0; i < x.length / size; i++) {
            float[] s = new float[size];
            System.arraycopy(x, i * size, s, 0, size);
            out.add(s);
        }
    }

    /** A grey-scale (or RGB for 3-channel models) image resized to the model's input, scaled to [0, 1]. */
    static float[] image(Path p, Shape in) {
        BufferedImage img;
        try {
            img = ImageIO.read(p.toFile());
        } catch (IOException e) {
            throw new DataException(p + ": cannot read image (" + e.getMessage() + ")");
        }
        if (img == null || in.rank() != 3) {
            throw new DataException(p + (img == null ? ": not a readable image" : ": the model does not take images"));
        }
        int c = in.dim(0);
        int h = in.dim(1);
        int w = in.dim(2);
        BufferedImage scaled = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        scaled.createGraphics().drawImage(img.getScaledInstance(w, h, java.awt.Image.SCALE_SMOOTH), 0, 0, null);
        float[] s = new float[c * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int rgb = scaled.getRGB(x, y);
                int r = (rgb >> 16) & 0xff;
                int g = (rgb >> 8) & 0xff;
                int b = rgb & 0xff;
                if (c == 1) {
                    s[y * w + x] = (0.299f * r + 0.587f * g + 0.114f * b) / 255f;
                } else {
                    s[y * w + x] = r / 255f;
                    s[(h + y) * w + x] = g / 255f;
                    s[(2 * h + y) * w + x] = b / 255f;
                }
            }
        }
        return s;
    }

    private void print(PrintWriter out, float[][] outputs, boolean softmaxed, String[] names, Loss loss) {
        ArrayNode arr = RunDirectory.JSON.createArrayNode();
        for (int i = 0; i < outputs.length; i++) {
            float[] p = loss == Loss.SOFTMAX_CROSS_ENTROPY && !softmaxed ? io.jtrain.api.Predictor.softmax(outputs[i]) : outputs[i];
            int best = Evaluator.argmax(p, 0, p.length);
            ObjectNode o = arr.addObject();
            o.put("index", i);
            o.put("class", best);
            o.put("name", best < names.length ? names[best] : Integer.toString(best));
            ArrayNode ps = o.putArray("probabilities");
            for (float v : p) {
                ps.add(v);
            }
            if (!json) {
                out.println(String.format(Locale.ROOT, "%d: %s (%.3f)%s", i, o.get("name").asText(), p[best],
                    topK(p, names)));
            }
        }
        if (json) {
            ObjectNode root = RunDirectory.JSON.createObjectNode();
            root.put("model", modelDir.toString());
            root.set("predictions", arr);
            out.println(root.toPrettyString());
        }
    }

    private String topK(float[] p, String[] names) {
        Integer[] idx = new Integer[p.length];
        for (int i = 0; i < p.length; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (a, b) -> Float.compare(p[b], p[a]));
        StringBuilder sb = new StringBuilder("  [");
        for (int k = 0; k < Math.min(top, p.length); k++) {
            sb.append(k == 0 ? "" : ", ").append(idx[k] < names.length ? names[idx[k]] : idx[k])
              .append(String.format(Locale.ROOT, " %.3f", p[idx[k]]));
        }
        return sb.append(']').toString();
    }
}
