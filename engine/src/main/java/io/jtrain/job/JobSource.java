package io.jtrain.job;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a job's values came from, for error messages: the file's text and name, and the keys set by
 * overrides (flags, {@code --set}) with the option that set them. {@link #locate} names a key's origin as
 * "file:line" or as the option.
 */
final class JobSource {
    private final String text;
    private final String where;
    private final Map<String, String> overridden = new LinkedHashMap<>();

    JobSource(String text, String where) {
        this.text = text;
        this.where = where;
    }

    String where() {
        return where;
    }

    void overridden(String path, String origin) {
        overridden.put(path, origin);
    }

    /**
     * The origin of the value at {@code path} ("optimizer.lr"): the option that set it, else "file:line" of the
     * line that sets it in the file, of its section when the key is absent, or just the file.
     */
    String locate(String path) {
        String o = overridden.get(path);
        if (o != null) {
            return o;
        }
        String[] lines = text.split("\n", -1);
        String[] parts = path.split("\\.");
        int from = 0;
        int found = -1;
        for (String part : parts) {
            int at = find(lines, part.replaceAll("\\[\\d+]$", ""), from);
            if (at < 0) {
                break;
            }
            found = at;
            from = at + 1;
        }
        return found < 0 ? where : where + ":" + (found + 1);
    }

    private static int find(String[] lines, String key, int from) {
        for (int i = from; i < lines.length; i++) {
            String t = lines[i].trim();
            if (t.startsWith(key + ":") || t.startsWith("- " + key + ":")) {
                return i;
            }
        }
        return -1;
    }
}
