package io.jtrain.diagnose;

import static io.jtrain.diagnose.Finding.Severity.ERROR;
import static io.jtrain.diagnose.Finding.Severity.INFO;
import static io.jtrain.diagnose.Finding.Severity.WARNING;

import io.jtrain.backend.Backend;
import io.jtrain.backend.TensorStats;
import io.jtrain.data.Dataset;
import io.jtrain.loss.Loss;
import io.jtrain.nn.Layer;
import io.jtrain.nn.Parameter;
import io.jtrain.nn.Sequential;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Tensor;
import java.util.List;
import java.util.Locale;

/** Pre-flight checks of the model: output activation against loss and targets, initial scale, depth. */
public final class ModelChecks {
    private ModelChecks() { }

    public static void finalActivation(Sequential m, Loss loss, Dataset train, List<Finding> out) {
        List<Layer> ls = m.layers();
        String last = ls.get(ls.size() - 1).type();
        String before = ls.size() > 1 ? ls.get(ls.size() - 2).type() : "";
        double[] range = targetRange(train);
        String evidence = "last layers: " + (before.isEmpty() ? "" : before + ", ") + last + "; loss " + loss.id()
            + String.format(Locale.ROOT, "; targets in [%.3g, %.3g]", range[0], range[1]);
        String why = null;
        String fix = null;
        java.util.Map<String, String> set = java.util.Map.of();
        Finding.Severity sev = WARNING;
        switch (loss) {
            case SOFTMAX_CROSS_ENTROPY -> {
                if (List.of("sigmoid", "tanh", "relu").contains(last) || last.equals("softmax")
                    && List.of("softmax", "sigmoid", "tanh").contains(before)) {
                    why = "an output activation is applied before the loss's own softmax";
                    fix = "end the model with a dense layer (logits), optionally followed by one softmax";
                }
            }
            case BINARY_CROSS_ENTROPY -> {
                if (classLabels(m, train) && range[1] > 1) {
                    why = "binary cross-entropy needs one 0/1 target per output, but the targets are class indices "
                        + "up to " + (int) range[1];
                    fix = "use loss: softmax_cross_entropy for one class per sample";
                    sev = ERROR;
                    set = java.util.Map.of("loss", "softmax_cross_entropy");
                } else if (last.equals("softmax") || last.equals("sigmoid")) {
                    why = last.equals("softmax") ? "softmax makes the outputs compete, but binary cross-entropy treats "
                        + "each output as an independent label" : "the loss applies the sigmoid itself, so it is "
                        + "applied twice";
                    fix = "end the model with a dense layer (logits); binary_cross_entropy applies the sigmoid";
                }
            }
            case MEAN_SQUARED_ERROR -> {
                if (classLabels(m, train)) {
                    why = "mean squared error compares each of the model's " + outputs(m) + " outputs with a target, "
                        + "but the targets are one class index per sample";
                    fix = "use loss: softmax_cross_entropy" + (last.equals("sigmoid") || last.equals("softmax")
                        ? " and end the model with the dense layer (the loss applies the softmax)" : "");
                    sev = ERROR;
                    set = java.util.Map.of("loss", "softmax_cross_entropy");
                } else if (last.equals("relu") && range[0] < 0) {
                    why = "ReLU outputs cannot be negative, but the targets are";
                    fix = "remove the final ReLU (use a linear output) for signed targets";
                    sev = ERROR;
                } else if (last.equals("sigmoid") && range[2] == 1) {
                    why = "sigmoid with mean squared error on 0/1 class targets learns slowly (flat gradients when "
                        + "wrong)";
                    fix = "use loss binary_cross_entropy on logits (drop the sigmoid), or softmax_cross_entropy for "
                        + "single-label classes";
                } else if (last.equals("sigmoid") && (range[0] < 0 || range[1] > 1)
                    || last.equals("tanh") && (range[0] < -1 || range[1] > 1)) {
                    why = "the output activation's range does not cover the targets";
                    fix = "use a linear output or rescale the targets";
                    sev = ERROR;
                }
            }
            default -> { }
        }
        if (why != null) {
            out.add(new Finding("final_activation_mismatch", sev, "the final activation does not fit the loss or the "
                + "targets", evidence, why, fix, set));
        }
    }

    /** One integer target per sample for a model with several outputs: class indices. */
    private static boolean classLabels(Sequential m, Dataset d) {
        if (d.targetSize() != 1 || outputs(m) < 2) {
            return false;
        }
        for (float v : d.y()) {
            if (v != Math.rint(v) || v < 0) {
                return false;
            }
        }
        return true;
    }

    private static int outputs(Sequential m) {
        return (int) m.outputShape().size();
    }

    /** {min, max, 1 if every target is 0 or 1}. */
    private static double[] targetRange(Dataset d) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        boolean binary = true;
        for (float v : d.y()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
            binary &= v == 0f || v == 1f;
        }
        return new double[] {min, max, binary ? 1 : 0};
    }

    /** Forward one batch at initialisation (inference mode) and compare each layer's output scale. */
    public static void initialization(Sequential m, Dataset train, List<Finding> out) {
        Backend be = m.backend();
        for (Parameter p : m.parameters()) {
            TensorStats st = be.stats(p.value());
            if ((p.kind() == Parameter.Kind.DENSE_WEIGHT || p.kind() == Parameter.Kind.CONV_KERNEL)
                && p.value().dim(0) > 1 && st.max() == st.min()) {
                out.add(new Finding("bad_initialization", ERROR, "all weights of a layer are equal at initialisation",
                    "parameter " + p.name() + " " + p.value().shape() + " has standard deviation 0", "every unit of "
                        + "the layer computes the same function and receives the same gradient (no symmetry breaking)",
                    "use a random initializer (he_uniform for ReLU, glorot_uniform for tanh/sigmoid)"));
                return;
            }
        }
        int n = Math.min(64, train.size());
        m.reserve(Math.max(n, m.reservedBatch()));
        try (Tensor x = be.allocate(m.inputShape().withBatch(n), MemoryCategory.ACTIVATIONS)) {
            float[] host = new float[(int) x.size()];
            System.arraycopy(train.x(), 0, host, 0, host.length);
            be.upload(host, 0, x);
            double in = be.stats(x).std();
            Tensor h = x;
            for (Layer l : m.layers()) {
                double inStd = be.stats(h).std();
                h = l.forward(h, false);
                if (!l.weighted() || inStd == 0) {
                    continue;
                }
                TensorStats s = be.stats(h);
                double ratio = s.std() / Math.max(in, 1e-12);
                if (ratio > Thresholds.INIT_STD_RATIO || ratio < 1 / Thresholds.INIT_STD_RATIO) {
                    out.add(new Finding("bad_initialization", WARNING, "activations " + (ratio > 1 ? "explode" : "vanish")
                        + " through the network at initialisation", String.format(Locale.ROOT, "output of layer %d (%s)"
                        + " has standard deviation %.3g against %.3g at the input (ratio %.3g)", l.index(), l.type(),
                        s.std(), in, ratio), "the initial weight scale does not match the activations (or a constant "
                        + "initializer)", "use he_uniform/he_normal before ReLU and glorot_uniform before tanh/sigmoid; "
                        + "add batch_norm for deep stacks"));
                    return;
                }
            }
        }
    }

    public static void depth(Sequential m, int trainSize, List<Finding> out) {
        long weighted = m.layers().stream().filter(Layer::weighted).count();
        if (weighted > Thresholds.MAX_START_DEPTH) {
            out.add(new Finding("network_too_deep", INFO, "the network is deep for a first model",
                weighted + " dense/convolution layers, " + trainSize + " training samples",
                "deep stacks without normalisation or skip connections train slowly and hide other problems",
                "start with a small network that trains (a few layers), then grow it while validation improves"));
        }
    }
}
