package io.jtrain.nn;

import io.jtrain.backend.Activation;
import io.jtrain.backend.ConvSpec;
import io.jtrain.init.Initializer;
import io.jtrain.tensor.Shape;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Builds a {@link Layer} from a {@link LayerSpec} and its per-sample input shape, validating every option. */
public final class LayerFactory {
    /** {@code mode: inverted} (the default) or {@code scale_at_inference}. */
    private static boolean dropoutMode(Opts o) {
        Object m = o.map.get("mode");
        if (m == null || m.toString().equals("inverted")) {
            return false;
        }
        if (m.toString().equals("scale_at_inference")) {
            return true;
        }
        throw o.error("mode", "must be inverted or scale_at_inference, got '" + m + "'");
    }

    /** Allowed options per layer type. */
    public static final Map<String, Set<String>> OPTIONS = new TreeMap<>(Map.ofEntries(
        Map.entry("dense", Set.of("units", "bias", "init", "bias_init", "in_features")),
        Map.entry("conv2d", Set.of("filters", "kernel", "stride", "padding", "bias", "init", "bias_init",
            "in_channels")),
        Map.entry("max_pool2d", Set.of("kernel", "stride", "padding")),
        Map.entry("avg_pool2d", Set.of("kernel", "stride", "padding")),
        Map.entry("batch_norm", Set.of("momentum", "eps")),
        Map.entry("dropout", Set.of("rate", "mode")),
        Map.entry("relu", Set.of()),
        Map.entry("leaky_relu", Set.of("alpha")),
        Map.entry("elu", Set.of("alpha")),
        Map.entry("tanh", Set.of()),
        Map.entry("sigmoid", Set.of()),
        Map.entry("linear", Set.of()),
        Map.entry("softmax", Set.of()),
        Map.entry("flatten", Set.of())));

    private LayerFactory() { }

    public static Layer create(int index, LayerSpec spec, Shape in) {
        String type = spec.type() == null ? "" : spec.type().toLowerCase(Locale.ROOT);
        Set<String> allowed = OPTIONS.get(type);
        if (allowed == null) {
            throw new SpecException("layer " + index + ": unknown type '" + spec.type() + "'; allowed: "
                + String.join(", ", OPTIONS.keySet()));
        }
        for (String key : spec.options().keySet()) {
            if (!allowed.contains(key)) {
                throw new SpecException("layer " + index + " (" + type + "): unknown option '" + key + "'; allowed: "
                    + (allowed.isEmpty() ? "none" : String.join(", ", new java.util.TreeSet<>(allowed))));
            }
        }
        Opts o = new Opts(index, type, spec.options());
        return switch (type) {
            case "dense" -> dense(index, in, o);
            case "conv2d" -> conv(index, in, o);
            case "max_pool2d", "avg_pool2d" -> pool(index, in, o, type.startsWith("max"));
            case "batch_norm" -> new BatchNorm(index, in, o.floatOpt("momentum", 0.1f, 0f, 1f),
                o.floatOpt("eps", 1e-5f, 0f, 1f));
            case "dropout" -> new Dropout(index, in, o.floatReq("rate", 0f, 0.999f), dropoutMode(o));
            case "softmax" -> new Softmax(index, in);
            case "flatten" -> new Flatten(index, in);
            default -> activation(index, in, type, o);
        };
    }

    private static Layer dense(int index, Shape in, Opts o) {
        if ("auto".equals(o.raw("units"))) {
            throw o.error("units", "is auto, which only the last dense layer of a job's layer list may be (it is then "
                + "sized from the data)");
        }
        int units = o.intReq("units", 1);
        Integer declared = o.intOpt("in_features", null);
        if (declared != null && (in.rank() != 1 || in.dim(0) != declared)) {
            throw new ShapeException(index, "dense", in, "[" + declared + "] (in_features)",
                "fix in_features or the layer before it");
        }
        return new Dense(index, in, units, o.bool("bias", true), o.init("init", Initializer.Kind.GLOROT_UNIFORM),
            o.init("bias_init", Initializer.Kind.ZEROS));
    }

    private static Layer conv(int index, Shape in, Opts o) {
        int filters = o.intReq("filters", 1);
        int[] k = o.pair("kernel", null);
        int[] s = o.pair("stride", new int[] {1, 1});
        int[] p = padding(o, k);
        Integer declared = o.intOpt("in_channels", null);
        if (declared != null && (in.rank() != 3 || in.dim(0) != declared)) {
            throw new ShapeException(index, "conv2d", in, "[" + declared + ", H, W] (in_channels)",
                "fix in_channels or the layer before it");
        }
        Initializer[] inits = {o.init("init", Initializer.Kind.GLOROT_UNIFORM),
            o.init("bias_init", Initializer.Kind.ZEROS)};
        return new Conv2d(index, in, filters, new ConvSpec(k[0], k[1], s[0], s[1], p[0], p[1]), o.bool("bias", true),
            inits);
    }

    /** padding: an int, [ph, pw], "valid" (0) or "same" (k/2 for odd kernels). */
    private static int[] padding(Opts o, int[] k) {
        Object v = o.raw("padding");
        if (v instanceof String str) {
            if (str.equalsIgnoreCase("valid")) {
                return new int[] {0, 0};
            }
            if (str.equalsIgnoreCase("same")) {
                if (k[0] % 2 == 0 || k[1] % 2 == 0) {
                    throw o.error("padding", "'same' needs an odd kernel size, got " + k[0] + "x" + k[1]);
                }
                return new int[] {k[0] / 2, k[1] / 2};
            }
            throw o.error("padding", "'" + str + "' is not allowed; use a number, [h, w], 'same' or 'valid'");
        }
        int[] p = o.pair("padding", new int[] {0, 0});
        if (p[0] < 0 || p[1] < 0) {
            throw o.error("padding", "must not be negative");
        }
        return p;
    }

    private static Layer pool(int index, Shape in, Opts o, boolean max) {
        int[] k = o.pair("kernel", null);
        int[] s = o.pair("stride", k);
        int[] p = o.pair("padding", new int[] {0, 0});
        return new Pool2d(index, in, max, new ConvSpec(k[0], k[1], s[0], s[1], p[0], p[1]));
    }

    private static Layer activation(int index, Shape in, String type, Opts o) {
        Activation.Kind kind = Activation.Kind.valueOf(type.toUpperCase(Locale.ROOT));
        Activation def = Activation.of(kind);
        float alpha = o.floatOpt("alpha", def.alpha(), 0f, 100f);
        return new ActivationLayer(index, in, new Activation(kind, alpha));
    }

    /** Typed access to options with messages naming the layer and the key. */
    private record Opts(int index, String type, Map<String, Object> map) {
        Object raw(String key) {
            return map.get(key);
        }

        SpecException error(String key, String what) {
            return new SpecException("layer " + index + " (" + type + "): option '" + key + "' " + what);
        }

        int intReq(String key, int min) {
            Integer v = intOpt(key, null);
            if (v == null) {
                throw error(key, "is required");
            }
            if (v < min) {
                throw error(key, "must be at least " + min + ", got " + v);
            }
            return v;
        }

        Integer intOpt(String key, Integer def) {
            Object v = map.get(key);
            if (v == null) {
                return def;
            }
            if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
                return n.intValue();
            }
            throw error(key, "must be an integer, got '" + v + "'");
        }

        float floatReq(String key, float min, float max) {
            if (!map.containsKey(key)) {
                throw error(key, "is required");
            }
            return floatOpt(key, 0f, min, max);
        }

        float floatOpt(String key, float def, float min, float max) {
            Object v = map.get(key);
            if (v == null) {
                return def;
            }
            if (!(v instanceof Number n)) {
                throw error(key, "must be a number, got '" + v + "'");
            }
            float f = n.floatValue();
            if (!(f >= min && f <= max)) {
                throw error(key, "must be in [" + min + ", " + max + "], got " + f);
            }
            return f;
        }

        boolean bool(String key, boolean def) {
            Object v = map.get(key);
            if (v == null) {
                return def;
            }
            if (v instanceof Boolean b) {
                return b;
            }
            throw error(key, "must be true or false, got '" + v + "'");
        }

        Initializer init(String key, Initializer.Kind def) {
            Object v = map.get(key);
            if (v == null) {
                return Initializer.of(def);
            }
            if (v instanceof Number n) {
                return new Initializer(Initializer.Kind.CONSTANT, n.doubleValue(), 0);
            }
            try {
                return Initializer.parseSpec(v.toString());
            } catch (IllegalArgumentException e) {
                throw error(key, e.getMessage());
            }
        }

        int[] pair(String key, int[] def) {
            Object v = map.get(key);
            if (v == null) {
                if (def == null) {
                    throw error(key, "is required");
                }
                return def;
            }
            if (v instanceof Number) {
                int i = intOpt(key, null);
                if (i < 0 || (i == 0 && !key.equals("padding"))) {
                    throw error(key, "must be positive, got " + i);
                }
                return new int[] {i, i};
            }
            if (v instanceof List<?> l && l.size() == 2 && l.get(0) instanceof Number a && l.get(1) instanceof Number b) {
                return new int[] {a.intValue(), b.intValue()};
            }
            throw error(key, "must be an integer or a pair [h, w], got '" + v + "'");
        }
    }
}
