package io.jtrain.nn;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One layer of a model specification: a type ("dense", "conv2d", ...) and its options as they appear in
 * a job file. {@link LayerFactory} validates the options (unknown keys, types and ranges).
 */
public record LayerSpec(String type, Map<String, Object> options) {

    public LayerSpec {
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options == null ? Map.of() : options));
    }

    public static LayerSpec of(String type, Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return new LayerSpec(type, m);
    }

    @Override
    public String toString() {
        return options.isEmpty() ? type : type + options;
    }
}
