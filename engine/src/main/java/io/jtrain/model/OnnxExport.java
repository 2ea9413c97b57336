package io.jtrain.model;

import io.jtrain.backend.Activation;
import io.jtrain.backend.Backend;
import io.jtrain.backend.ConvSpec;
import io.jtrain.data.Normalization;
import io.jtrain.loss.Loss;
import io.jtrain.nn.ActivationLayer;
import io.jtrain.nn.BatchNorm;
import io.jtrain.nn.Conv2d;
import io.jtrain.nn.Dense;
import io.jtrain.nn.Dropout;
import io.jtrain.nn.Flatten;
import io.jtrain.nn.Layer;
import io.jtrain.nn.Pool2d;
import io.jtrain.nn.Softmax;
import io.jtrain.tensor.Tensor;
import io.jtrain.util.Proto;
import java.util.List;

/**
 * A trained model as an ONNX model (IR version 8, default-domain opset 17), written with the published field
 * numbers of onnx.proto (ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto). The graph takes raw
 * samples as {@code Predictor} does — input {@code input} [batch, sample shape...], float — normalises them
 * with the stored statistics as its first nodes (Sub, Div), runs every layer in inference mode, and ends in
 * {@code probabilities} [batch, outputs]: what {@code Predictor} returns (softmax for softmax cross-entropy,
 * [P(0), P(1)] for one binary sigmoid output, each label's sigmoid for multi-label models, the outputs for
 * regression and mean-squared-error models). Class names, feature names and the normalisation are also in
 * the model's metadata_props.
 */
public final class OnnxExport {
    public static final int IR_VERSION = 8;
    public static final int OPSET = 17;
    private static final int FLOAT = 1;

    private OnnxExport() { }

    /**
     * Writes the model in {@code modelDir} (what {@code eval} accepts) as ONNX to {@code out}, or to
     * {@code modelDir/model.onnx} when {@code out} is null (atomically); returns the file written.
     */
    public static java.nio.file.Path write(java.nio.file.Path modelDir, java.nio.file.Path out, String version) {
        java.nio.file.Path file = out != null ? out : modelDir.resolve("model.onnx");
        byte[] bytes;
        try (io.jtrain.backend.cpu.CpuBackend be = io.jtrain.backend.cpu.CpuBackend.createDefault();
             ModelFiles.Loaded m = ModelFiles.loadModel(modelDir, be)) {
            bytes = export(m, version);
        }
        io.jtrain.util.AtomicFiles.write(file, o -> o.write(bytes));
        return file;
    }

    /** The ONNX bytes of a loaded model. */
    public static byte[] export(ModelFiles.Loaded m, String producerVersion) {
        Graph g = new Graph(m.model().backend());
        String x = normalization(g, m.meta().normalization(), m.model().inputShape().dims());
        for (Layer l : m.model().layers()) {
            x = layer(g, l, x);
        }
        x = outputs(g, m, x);
        g.node("Identity", "probabilities", new Proto[0], x);
        int outputs = (int) m.model().outputShape().size();
        int[] in = m.model().inputShape().dims();
        Proto graph = g.graph("jtrain", valueInfo("input", in), valueInfo("probabilities", new int[] {
            m.meta().targets().task().equals("classification") && Loss.parse(m.meta().loss())
                == Loss.BINARY_CROSS_ENTROPY && outputs == 1 ? 2 : outputs}));
        Proto model = new Proto().varint(1, IR_VERSION).string(2, "jtrain").string(3, producerVersion)
            .message(7, graph).message(8, new Proto().string(1, "").varint(2, OPSET));
        model.message(14, entry("classes", json(m.meta().classNames())));
        model.message(14, entry("normalization", m.meta().normalization().mode().id()));
        model.message(14, entry("task", m.meta().targets().task()));
        if (m.meta().features() != null) {
            model.message(14, entry("features", json(m.meta().features())));
        }
        return model.toByteArray();
    }

    private static Proto entry(String k, String v) {
        return new Proto().string(1, k).string(2, v);
    }

    private static String json(String[] values) {
        com.fasterxml.jackson.databind.node.ArrayNode a = ModelJson.MAPPER.createArrayNode();
        for (String s : values) {
            a.add(s);
        }
        return a.toString();
    }

    /** (x - mean) / std with the model's statistics: one value (global) or one per input value (per feature). */
    private static String normalization(Graph g, Normalization n, int[] sample) {
        if (n.mode() == Normalization.Mode.NONE) {
            return "input";
        }
        int[] dims = n.mean().length == 1 ? new int[] {1} : sample;
        String mean = g.init("normalization.mean", dims, n.mean());
        String std = g.init("normalization.std", dims, n.std());
        return g.node("Div", null, new Proto[0], g.node("Sub", null, new Proto[0], "input", mean), std);
    }

    private static String layer(Graph g, Layer l, String x) {
        if (l instanceof Flatten) {
            return g.node("Flatten", null, new Proto[] {attr("axis", 1)}, x);
        }
        if (l instanceof Dense d) {
            List<io.jtrain.nn.Parameter> p = d.parameters();
            String w = g.init(p.get(0).name(), p.get(0).value());
            return d.hasBias() ? g.node("Gemm", null, new Proto[] {attr("transB", 1)}, x, w, g.init(p.get(1).name(),
                p.get(1).value())) : g.node("Gemm", null, new Proto[] {attr("transB", 1)}, x, w);
        }
        if (l instanceof Conv2d c) {
            List<io.jtrain.nn.Parameter> p = c.parameters();
            String w = g.init(p.get(0).name(), p.get(0).value());
            Proto[] a = window(c.spec());
            return c.hasBias() ? g.node("Conv", null, a, x, w, g.init(p.get(1).name(), p.get(1).value()))
                : g.node("Conv", null, a, x, w);
        }
        if (l instanceof Pool2d p) {
            Proto[] w = window(p.spec());
            if (p.max()) {
                return g.node("MaxPool", null, w, x);
            }
            Proto[] a = java.util.Arrays.copyOf(w, w.length + 1);
            a[w.length] = attr("count_include_pad", 1);    // jtrain's average counts zero padding
            return g.node("AveragePool", null, a, x);
        }
        if (l instanceof BatchNorm b) {
            List<io.jtrain.nn.Parameter> p = b.parameters();
            List<Layer.NamedTensor> s = b.buffers();
            return g.node("BatchNormalization", null, new Proto[] {attr("epsilon", b.eps())}, x,
                g.init(p.get(0).name(), p.get(0).value()), g.init(p.get(1).name(), p.get(1).value()),
                g.init(s.get(0).name(), s.get(0).tensor()), g.init(s.get(1).name(), s.get(1).tensor()));
        }
        if (l instanceof Dropout d) {
            if (!d.scaleAtInference() || d.rate() == 0f) {
                return x;    // inverted dropout is the identity at inference
            }
            return g.node("Mul", null, new Proto[0], x, g.init("layer" + l.index() + ".keep", new int[] {1},
                new float[] {1f - d.rate()}));
        }
        if (l instanceof ActivationLayer a) {
            return activation(g, a.activation(), x);
        }
        if (l instanceof Softmax) {
            return g.node("Softmax", null, new Proto[] {attr("axis", -1)}, x);
        }
        throw new io.jtrain.util.UsageException("layer " + l.index() + " (" + l.type() + ") has no ONNX export");
    }

    private static String activation(Graph g, Activation a, String x) {
        return switch (a.kind()) {
            case RELU -> g.node("Relu", null, new Proto[0], x);
            case LEAKY_RELU -> g.node("LeakyRelu", null, new Proto[] {attr("alpha", a.alpha())}, x);
            case ELU -> g.node("Elu", null, new Proto[] {attr("alpha", a.alpha())}, x);
            case TANH -> g.node("Tanh", null, new Proto[0], x);
            case SIGMOID -> g.node("Sigmoid", null, new Proto[0], x);
            case LINEAR -> g.node("Identity", null, new Proto[0], x);
        };
    }

    /** What Predictor makes of the model's outputs. */
    private static String outputs(Graph g, ModelFiles.Loaded m, String x) {
        if (!m.meta().targets().classification()) {
            return x;
        }
        Loss loss = Loss.parse(m.meta().loss());
        List<Layer> layers = m.model().layers();
        if (loss == Loss.MEAN_SQUARED_ERROR) {
            return x;
        }
        if (loss == Loss.BINARY_CROSS_ENTROPY) {
            String s = g.node("Sigmoid", null, new Proto[0], x);
            if (m.model().outputShape().size() != 1) {
                return s;
            }
            String one = g.init("one", new int[] {1}, new float[] {1f});
            return g.node("Concat", null, new Proto[] {attr("axis", 1)}, g.node("Sub", null, new Proto[0], one, s), s);
        }
        return layers.get(layers.size() - 1) instanceof Softmax ? x
            : g.node("Softmax", null, new Proto[] {attr("axis", -1)}, x);
    }

    private static Proto[] window(ConvSpec s) {
        return new Proto[] {ints("kernel_shape", s.kh(), s.kw()), ints("strides", s.sh(), s.sw()),
            ints("pads", s.ph(), s.pw(), s.ph(), s.pw())};
    }

    /** AttributeProto: name (1), f (2), i (3), ints (8), type (20: FLOAT 1, INT 2, INTS 7). */
    private static Proto attr(String name, long v) {
        return new Proto().string(1, name).varint(3, v).varint(20, 2);
    }

    private static Proto attr(String name, float v) {
        return new Proto().string(1, name).fixed32(2, v).varint(20, 1);
    }

    private static Proto ints(String name, long... v) {
        return new Proto().string(1, name).packed(8, v).varint(20, 7);
    }

    /** ValueInfoProto: name (1), type (2) = TypeProto.tensor_type (1) {elem_type (1), shape (2)}. */
    private static Proto valueInfo(String name, int[] sample) {
        Proto shape = new Proto().message(1, new Proto().string(2, "batch"));    // Dimension.dim_param
        for (int d : sample) {
            shape.message(1, new Proto().varint(1, d));                            // Dimension.dim_value
        }
        Proto tensor = new Proto().varint(1, FLOAT).message(2, shape);
        return new Proto().string(1, name).message(2, new Proto().message(1, tensor));
    }

    /** The nodes and initializers of a graph being built. */
    private static final class Graph {
        private final Backend be;
        private final java.util.List<Proto> nodes = new java.util.ArrayList<>();
        private final java.util.List<Proto> inits = new java.util.ArrayList<>();
        private int next;

        Graph(Backend be) {
            this.be = be;
        }

        /** A node (NodeProto: input 1, output 2, name 3, op_type 4, attribute 5); returns its output's name. */
        String node(String op, String output, Proto[] attrs, String... inputs) {
            String out = output != null ? output : op.toLowerCase(java.util.Locale.ROOT) + "_" + next;
            Proto n = new Proto();
            for (String i : inputs) {
                n.string(1, i);
            }
            n.string(2, out).string(3, op + "_" + next++).string(4, op);
            for (Proto a : attrs) {
                n.message(5, a);
            }
            nodes.add(n);
            return out;
        }

        /** A float initializer from a tensor (its shape and values). */
        String init(String name, Tensor t) {
            float[] v = new float[(int) t.size()];
            be.download(t, v, 0);
            return init(name, t.shape().dims(), v);
        }

        /** TensorProto: dims (1), data_type (2), name (8), raw_data (9, little-endian floats). */
        String init(String name, int[] dims, float[] v) {
            java.nio.ByteBuffer raw = java.nio.ByteBuffer.allocate(4 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            for (float f : v) {
                raw.putFloat(f);
            }
            long[] d = new long[dims.length];
            for (int i = 0; i < dims.length; i++) {
                d[i] = dims[i];
            }
            inits.add(new Proto().packed(1, d).varint(2, FLOAT).string(8, name).bytes(9, raw.array()));
            return name;
        }

        /** GraphProto: node (1), name (2), initializer (5), input (11), output (12). */
        Proto graph(String name, Proto input, Proto output) {
            Proto g = new Proto();
            nodes.forEach(n -> g.message(1, n));
            g.string(2, name);
            inits.forEach(i -> g.message(5, i));
            g.message(11, input).message(12, output);
            return g;
        }
    }
}
