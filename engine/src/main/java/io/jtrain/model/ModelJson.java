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
    public static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
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

    public static ModelSpec specFrom(JsonNode o, String where) {
        JsonNode in = o.path("input");
        JsonNode layers = o.path("layers");
        if (!in.isArray() || !layers.isArray()) {
            throw new DataException(where + ": 'model' needs 'input' and 'layers' lists");
        }
        int[] dims = new int[in.size()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = in.get(i).asInt();
        }
        List<LayerSpec> ls = new ArrayList<>();
        for (JsonNode l : layers) {
            @SuppressWarnings("unchecked")
            Map<String, Object> opts = MAPPER.convertValue(l, Map.class);
            Object type = opts.remove("type");
            ls.add(new LayerSpec(type == null ? "" : type.toString(), opts));
        }
        return new ModelSpec(Shape.of(dims), ls);
    }

    public static ModelMeta fromJson(JsonNode root, String where) {
        if (!FORMAT.equals(root.path("format").asText())) {
            throw new DataException(where + ": not a jtrain model file (format is '" + root.path("format").asText()
                + "', expected '" + FORMAT + "')");
        }
        JsonNode n = root.path("normalization");
        Normalization norm = new Normalization(Normalization.Mode.parse(n.path("mode").asText("none")),
            floats(n.path("mean")), floats(n.path("std")));
        List<String> cls = new ArrayList<>();
        root.path("classes").forEach(c -> cls.add(c.asText()));
        return new ModelMeta(specFrom(root.path("model"), where), root.path("loss").asText(), norm,
            cls.toArray(new String[0]), root.path("epoch").asInt());
    }

    private static float[] floats(JsonNode a) {
        float[] f = new float[a.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) a.get(i).asDouble();
        }
        return f;
    }
}
