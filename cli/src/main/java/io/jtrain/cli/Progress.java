package io.jtrain.cli;

import io.jtrain.train.EpochMetrics;
import io.jtrain.run.RunListener;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress on standard error: on a terminal, a live line redrawn in place at most ten times a second
 * ({@link ProgressBarLine}: bar, steps, running loss and accuracy, samples/s, ETA, then "validating"), sized to
 * the terminal's width (the progressbar library's jline terminal tells it); plain log lines otherwise (CI
 * logs, pipes, --json runs). On a terminal narrower than an epoch's line, the validation numbers go on a
 * second, indented line instead of wrapping.
 */
final class Progress implements RunListener {
    private final PrintWriter err;
    private final boolean terminal;
    private final int epochs;
    private boolean live;
    private int drawn;
    private long lastDraw;
    private long epochStart;
    /** The terminal's width, or 0 when standard error is not a terminal. */
    private final int width;

    Progress(PrintWriter err, boolean terminal, int epochs) {
        this.err = err;
        this.terminal = terminal;
        this.epochs = epochs;
        this.width = terminal ? new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err)
            .getMaxRenderedLength() : 0;
    }

    @Override
    public void epochStart(EpochStart e) {
        int epoch = e.epoch();
        int steps = e.steps();
        epochStart = System.nanoTime();
        live = terminal;
        lastDraw = 0;
        if (live) {
            draw(ProgressBarLine.render(width, epoch, epochs, 0, steps, Double.NaN, null, Double.NaN, -1));
        }
    }

    @Override
    public void stepEnd(StepEnd e) {
        long now = System.nanoTime();
        if (!live || now - lastDraw < 100_000_000L && e.step() < e.steps()) {
            return;
        }
        lastDraw = now;
        double secs = (now - epochStart) / 1e9;
        double eta = e.step() > 0 ? secs / e.step() * (e.steps() - e.step()) : -1;
        draw(ProgressBarLine.render(width, e.epoch(), epochs, e.step(), e.steps(), e.loss(), e.accuracy(),
            e.samples() / secs, eta));
    }

    /** The terminal's width, or 0 when standard error is not a terminal. */
    int width() {
        return width;
    }

    /**
     * {@code line} broken at spaces so that no piece is wider than {@code width} (0: unbroken), the pieces after
     * the first indented by {@code indent} spaces; a word longer than a line stays whole.
     */
    static String wrap(String line, int width, int indent) {
        if (width <= 0 || line.length() <= width) {
            return line;
        }
        StringBuilder out = new StringBuilder();
        StringBuilder cur = new StringBuilder();
        for (String w : line.split(" ")) {
            if (cur.length() > 0 && cur.length() + 1 + w.length() > width) {
                out.append(cur).append(System.lineSeparator());
                cur.setLength(0);
                cur.append(" ".repeat(indent));
            }
            if (cur.length() > 0 && !cur.toString().isBlank()) {
                cur.append(' ');
            }
            cur.append(w);
        }
        return out.append(cur).toString();
    }

    /** A finding or notice printed mid-epoch starts on a clean line (this listener runs before the console's). */
    @Override
    public void finding(io.jtrain.diagnose.Finding f) {
        clear();
    }

    @Override
    public void notice(String line) {
        clear();
    }

    /** Redraws the live line in place (carriage return, the line, blanks over what is left of the last). */
    private void draw(String line) {
        err.print("\r" + line + " ".repeat(Math.max(0, drawn - line.length())));
        err.flush();
        drawn = line.length();
    }

    private void clear() {
        if (drawn > 0) {
            err.print("\r" + " ".repeat(drawn) + "\r");
            drawn = 0;
        }
    }

    @Override
    public void epochEnd(EpochEnd e) {
        clear();
        live = false;
        err.println(line(e.metrics(), e.best(), epochs, width));
        err.flush();
    }

    /** The epoch's line; split in two when it is longer than {@code width} (0: never). */
    static String line(EpochMetrics m, boolean best, int epochs, int width) {
        String test = testLine(m, epochs);
        String one = line(m, best, epochs);
        if (width <= 0 || one.length() <= width || m.valLoss() == null) {
            return one + test;
        }
        java.util.Map<String, Double> training = new java.util.LinkedHashMap<>(m.more());
        training.keySet().removeIf(k -> k.startsWith("val_") || k.startsWith("test_"));
        String first = line(new EpochMetrics(m.epoch(), m.loss(), m.accuracy(), null, null, m.lr(), m.seconds(), null,
            null, training), best, epochs);
        StringBuilder second = new StringBuilder(" ".repeat(String.format(Locale.ROOT, "epoch %d/%d", m.epoch(),
            epochs).length()));
        second.append(String.format(Locale.ROOT, "  val_loss %.4f", m.valLoss()));
        if (m.valAccuracy() != null) {
            second.append(String.format(Locale.ROOT, "  val_accuracy %.4f", m.valAccuracy()));
        }
        if (m.metric("val_mae") != null) {
            second.append(String.format(Locale.ROOT, "  val_mae %.4g", m.metric("val_mae")));
        }
        return first + System.lineSeparator() + second + test;
    }

    /** The test split's numbers of an epoch it was evaluated in, on a line of their own (or ""). */
    private static String testLine(EpochMetrics m, int epochs) {
        Double loss = m.metric("test_loss");
        if (loss == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(System.lineSeparator()).append(" ".repeat(String.format(Locale.ROOT,
            "epoch %d/%d", m.epoch(), epochs).length())).append(String.format(Locale.ROOT, "  test_loss %.4f", loss));
        if (m.metric("test_accuracy") != null) {
            sb.append(String.format(Locale.ROOT, "  test_accuracy %.4f", m.metric("test_accuracy")));
        }
        if (m.metric("test_mae") != null) {
            sb.append(String.format(Locale.ROOT, "  test_mae %.4g", m.metric("test_mae")));
        }
        return sb.toString();
    }

    static String line(EpochMetrics m, boolean best, int epochs) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d  loss %.4f", m.epoch(), epochs,
            m.loss()));
        if (m.accuracy() != null) {
            sb.append(String.format(Locale.ROOT, "  accuracy %.4f", m.accuracy()));
        }
        if (m.metric("mae") != null) {
            sb.append(String.format(Locale.ROOT, "  mae %.4g", m.metric("mae")));
        }
        if (m.valLoss() != null) {
            sb.append(String.format(Locale.ROOT, "  val_loss %.4f", m.valLoss()));
        }
        if (m.valAccuracy() != null) {
            sb.append(String.format(Locale.ROOT, "  val_accuracy %.4f", m.valAccuracy()));
        }
        if (m.metric("val_mae") != null) {
            sb.append(String.format(Locale.ROOT, "  val_mae %.4g", m.metric("val_mae")));
        }
        sb.append(String.format(Locale.ROOT, "  lr %.3g  %.1fs%s", m.lr(), m.seconds(), best ? "  *best" : ""));
        return sb.toString();
    }

    void close() {
        clear();
        err.flush();
    }
}
