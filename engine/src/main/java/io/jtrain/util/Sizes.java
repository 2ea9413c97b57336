package io.jtrain.util;

import java.util.Locale;

/** Byte sizes: binary units (k = 1024), parsed from "512m", "2g", "1.5G", "4096". */
public final class Sizes {
    private Sizes() { }

    /** Parses a size such as {@code 512m} or {@code 2g}; suffixes k, m, g, t (optionally followed by b/ib). */
    public static long parse(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        s = s.endsWith("ib") ? s.substring(0, s.length() - 2) : s;
        s = s.endsWith("b") ? s.substring(0, s.length() - 1) : s;
        long mult = 1;
        if (!s.isEmpty()) {
            char c = s.charAt(s.length() - 1);
            int shift = switch (c) {
                case 'k' -> 10;
                case 'm' -> 20;
                case 'g' -> 30;
                case 't' -> 40;
                default -> 0;
            };
            if (shift > 0) {
                mult = 1L << shift;
                s = s.substring(0, s.length() - 1);
            }
        }
        double v;
        try {
            v = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new io.jtrain.util.UsageException("not a size: '" + text + "' (use e.g. 512m, 2g)");
        }
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new io.jtrain.util.UsageException("size must be positive: '" + text + "'");
        }
        return (long) (v * mult);
    }

    /** Formats bytes with a binary unit, e.g. "1.50 GiB". */
    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f %s", v, units[u]);
    }
}
