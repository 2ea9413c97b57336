package io.jtrain.cli;

import java.util.Locale;

/**
 * The live line of an epoch on a terminal, fixed-width fields so that nothing jumps or garbles as numbers
 * change: {@code epoch 3/10  [=====>     ]   42/100  loss 1.2346  acc 0.6048  12.3k/s  ETA  0:12}. The bar takes
 * what the fields leave of the width (10 to 40 columns); at narrower widths the rate, then the accuracy, then
 * the bar are dropped, never cut in the middle. After the last step it says {@code validate} (the
 * evaluation passes are running) instead of the ETA, until the epoch's line replaces it.
 */
final class ProgressBarLine {
    private ProgressBarLine() { }

    /**
     * @param width the terminal's columns (the line is at most width - 1, so the cursor never wraps)
     * @param acc the running accuracy, or null (regression)
     * @param rate samples per second so far
     * @param eta seconds left in the epoch (negative: unknown)
     */
    static String render(int width, int epoch, int epochs, int step, int steps, double loss, Double acc, double rate,
                         double eta) {
        String task = String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs);
        int digits = Integer.toString(steps).length();
        String count = String.format(Locale.ROOT, "%" + digits + "d/%d", step, steps);
        String lossField = String.format(Locale.ROOT, "loss %6.4f", loss);
        String accField = acc == null ? "" : String.format(Locale.ROOT, "acc %.4f", acc);
        String rateField = String.format(Locale.ROOT, "%5s/s", si(rate));
        String tail = step >= steps ? "validate" : String.format(Locale.ROOT, "ETA %5s", clock(eta));
        String[][] variants = {
            {task, null, count, lossField, accField, rateField, tail},
            {task, null, count, lossField, accField, tail},
            {task, null, count, lossField, tail},
            {task, count, lossField, tail},
            {task, count, lossField}};
        int max = Math.max(20, width - 1);
        for (String[] v : variants) {
            String line = join(v, max, step, steps);
            if (line != null) {
                return line;
            }
        }
        return (task + " " + count).substring(0, Math.min(max, task.length() + 1 + count.length()));
    }

    /** The fields joined by two spaces, the bar (null entry) sized to what is left; null when it cannot fit. */
    private static String join(String[] fields, int max, int step, int steps) {
        int fixed = 0;
        int n = 0;
        boolean hasBar = false;
        for (String f : fields) {
            if (f == null) {
                hasBar = true;
                n++;
            } else if (!f.isEmpty()) {
                fixed += f.length();
                n++;
            }
        }
        fixed += 2 * (n - 1);
        int barWidth = hasBar ? Math.min(40, max - fixed - 2) : 0;
        if (hasBar && barWidth < 10 || fixed > max) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (String f : fields) {
            if (f != null && f.isEmpty()) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append("  ");
            }
            sb.append(f != null ? f : bar(barWidth, step, steps));
        }
        return sb.toString();
    }

    private static String bar(int w, int step, int steps) {
        int done = steps <= 0 ? 0 : (int) ((long) w * Math.min(step, steps) / steps);
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < w; i++) {
            sb.append(i < done ? '=' : i == done ? '>' : ' ');
        }
        return sb.append(']').toString();
    }

    /** 950, 12.3k, 1.25M: at most 5 characters. */
    static String si(double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            return "?";
        }
        if (v < 1000) {
            return String.format(Locale.ROOT, v < 10 ? "%.1f" : "%.0f", v);
        }
        if (v < 1e6) {
            return String.format(Locale.ROOT, v < 1e4 ? "%.2fk" : v < 1e5 ? "%.1fk" : "%.0fk", v / 1e3);
        }
        return String.format(Locale.ROOT, v < 1e7 ? "%.2fM" : "%.1fM", v / 1e6);
    }

    /** m:ss, or h:mm:ss from an hour; "?" when unknown. */
    static String clock(double secs) {
        if (!(secs >= 0) || Double.isInfinite(secs)) {
            return "?";
        }
        long s = Math.round(secs);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
            : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
