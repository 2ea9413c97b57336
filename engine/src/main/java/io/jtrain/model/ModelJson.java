package io.jtrain.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jtrain.data.DataException;
import io.jtrain.data.Normalization;
import io.jtrain.nn.LayerSpec;
import io.jtrain.nn.ModelSpec;
import io.jtrain.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@link ModelMeta} to and from JSON (model.json). */
public final class ModelJson {
    public static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    public static final String FORMAT = "jtrain-model";

    private ModelJson() { }

    public static ObjectNode toJson(ModelMeta m) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("format", FORMAT);
        root.put("format_version", 1);
        root.set("model", specJson(m.spec()));
        root.put("loss", m.loss());
        ObjectNode n = root.putObject("normalization");
        n.put("mode", m.normalization().mode().id());
        ArrayNode mean = n.putArray("mean");
        for (float v : m.normalization().mean()) {
            mean.add(v);
        }
        ArrayNode std = n.putArray("std");
        for (float v : m.normalization().std()) {
            std.add(v);
        }
        ArrayNode cls = root.putArray("classes");
        for (String c : m.classNames()) {
            cls.add(c);
        }
        root.put("epoch", m.epoch());
        ObjectNode t = root.putObject("targets");
        t.put("task", m.targets().task());
        t.put("one_hot", m.targets().oneHot());
        t.put("label_smoothing", m.targets().labelSmoothing());
        if (m.features() != null) {
            ArrayNode f = root.putArray("features");
            for (String c : m.features()) {
                f.add(c);
            }
        }
        return root;
    }

    public static ObjectNode specJson(ModelSpec spec) {
        ObjectNode o = MAPPER.createObjectNode();
        ArrayNode in = o.putArray("input");
        for (int d : spec.input().dims()) {
            in.add(d);
        }
        ArrayNode layers = o.putArray("layers");
        for (LayerSpec l : spec.layers()) {
            ObjectNode ln = layers.addObject();
            ln.put("type", l.type());
            l.options().forEach((k, v) -> ln.set(k, MAPPER.valueToTree(v)));
        }
        return o;
    }

    /** The model spec of a {@code model} node; anything malformed is a {@link DataException} naming it. */
    public static ModelSpec specFrom(JsonNode o, String where) {
        JsonNode in = o.path("input");
        JsonNode layers = o.path("layers");
        if (!in.isArray() || !layers.isArray()) {
            throw new DataException(where + ": 'model' needs 'input' and 'layers' lists");
        }
        if (in.size() < 1 || in.size() > 4 || layers.size() == 0) {
            throw new DataException(where + ": 'model.input' must hold 1 to 4 dimensions and 'model.layers' at least "
                + "one layer");
        }
        int[] dims = new int[in.size()];
        for (int i = 0; i < dims.length; i++) {
            JsonNode d = in.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToInt() || d.asInt() < 1) {
                throw new DataException(where + ": 'model.input' dimension " + i + " is " + d + ", not a positive "
                    + "integer");
            }
            dims[i] = d.asInt();
        }
        List<LayerSpec> ls = new ArrayList<>();
        for (JsonNode l : layers) {
            if (!l.isObject() || !l.path("type").isTextual()) {
                throw new DataException(where + ": layer " + ls.size() + " of 'model.layers' is " + l + ", not an "
                    + "object with a 'type'");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> opts = MAPPER.convertValue(l, Map.class);
            Object type = opts.remove("type");
            ls.add(new LayerSpec(type.toString(), opts));
        }
        return new ModelSpec(Shape.of(dims), ls);
    }

    /**
     * Reads model.json: the format and version, the model, a known loss, a normalisation whose statistics
     * are finite and sized for the input, class and feature names as strings, and the epoch. Anything else is
     * a {@link DataException} naming the file and the key.
     */
    public static ModelMeta fromJson(JsonNode root, String where) {
        if (root == null || !root.isObject() || !FORMAT.equals(root.path("format").asText())) {
            throw new DataException(where + ": not a jtrain model file (format is '" + (root == null ? ""
                : root.path("format").asText()) + "', expected '" + FORMAT + "')");
        }
        if (root.path("format_version").asInt(1) > 1) {
            throw new DataException(where + ": format_version " + root.path("format_version") + " is newer than "
                + "this jtrain reads (1); use a newer jtrain");
        }
        ModelSpec spec = specFrom(root.path("model"), where);
        String loss = root.path("loss").asText();
        try {
            io.jtrain.loss.Loss.parse(loss);
        } catch (IllegalArgumentException e) {
            throw new DataException(where + ": loss: " + e.getMessage());
        }
        Normalization norm = normalization(root.path("normalization"), spec, where);
        String[] classes = strings(root.path("classes"), "classes", where);
        String[] features = root.has("features") ? strings(root.path("features"), "features", where) : null;
        if (features != null && features.length != spec.input().size()) {
            throw new DataException(where + ": " + features.length + " feature names for an input of "
                + spec.input().size() + " values");
        }
        JsonNode epoch = root.path("epoch");
        if (!epoch.isMissingNode() && (!epoch.isIntegralNumber() || epoch.asInt() < 0)) {
            throw new DataException(where + ": epoch is " + epoch + ", not a non-negative integer");
        }
        return new ModelMeta(spec, loss, norm, classes, epoch.asInt(), features, targets(root.path("targets"), where));
    }

    /** The {@code targets} key: task, one_hot, label_smoothing (absent in older files: null, told by the loss). */
    private static ModelMeta.Targets targets(JsonNode t, String where) {
        if (t.isMissingNode()) {
            return null;
        }
        String task = t.path("task").asText();
        double eps = t.path("label_smoothing").asDouble(0);
        if (!java.util.List.of("classification", "multilabel", "regression").contains(task)
            || !t.path("one_hot").isBoolean() || !(eps >= 0 && eps < 1)) {
            throw new DataException(where + ": targets is " + t + "; expected {task: classification | multilabel | "
                + "regression, one_hot: true | false, label_smoothing: a number in [0, 1)}");
        }
        return new ModelMeta.Targets(task, t.path("one_hot").asBoolean(), eps);
    }

    private static Normalization normalization(JsonNode n, ModelSpec spec, String where) {
        Normalization.Mode mode;
        try {
            mode = Normalization.Mode.parse(n.path("mode").asText("none"));
        } catch (IllegalArgumentException e) {
            throw new DataException(where + ": normalization.mode: " + e.getMessage());
        }
        float[] mean = floats(n.path("mean"), "normalization.mean", where);
        float[] std = floats(n.path("std"), "normalization.std", where);
        long want = switch (mode) {
            case NONE -> 0;
            case GLOBAL -> 1;
            case PER_FEATURE -> spec.input().size();
        };
        if (mean.length != want || std.length != want) {
            throw new DataException(where + ": normalization " + mode.id() + " needs " + want + " mean and std "
                + "values, found " + mean.length + " and " + std.length);
        }
        for (float v : std) {
            if (!(v > 0)) {
                throw new DataException(where + ": normalization.std holds " + v + "; every deviation must be "
                    + "positive");
            }
        }
        return new Normalization(mode, mean, std);
    }

    private static String[] strings(JsonNode a, String key, String where) {
        if (a.isMissingNode()) {
            return new String[0];
        }
        if (!a.isArray()) {
            throw new DataException(where + ": " + key + " is not a list");
        }
        String[] out = new String[a.size()];
        for (int i = 0; i < out.length; i++) {
            if (!a.get(i).isTextual()) {
                throw new DataException(where + ": " + key + "[" + i + "] is " + a.get(i) + ", not a string");
            }
            out[i] = a.get(i).asText();
        }
        return out;
    }

    private static float[] floats(JsonNode a, String key, String where) {
        if (a.isMissingNode()) {
            return new float[0];
        }
        if (!a.isArray()) {
            throw new DataException(where + ": " + key + " is not a list");
        }
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) a.get(i).asDouble(Double.NaN);
            if (!a.get(i).isNumber() || !Float.isFinite(f[i])) {
                throw new DataException(where + ": " + key + "[" + i + "] is " + a.get(i) + ", not a finite number");
            }
        }
        return f;
    }
}
