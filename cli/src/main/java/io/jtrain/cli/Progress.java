package io.jtrain.cli;

import io.jtrain.train.EpochMetrics;
import io.jtrain.run.RunListener;
import java.io.PrintWriter;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress on standard error: a progress bar with samples/s and ETA when standard error is a terminal
 * (the progressbar library), plain log lines otherwise (CI logs, pipes, --json runs). On a terminal narrower
 * than an epoch's line (80 columns), the validation numbers go on a second, indented line instead of wrapping.
 */
final class Progress implements RunListener {
    private final PrintWriter err;
    private final boolean terminal;
    private final int epochs;
    private ProgressBar bar;
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
        if (terminal) {
            bar = new ProgressBarBuilder().setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs))
                .setInitialMax(steps).setStyle(ProgressBarStyle.ASCII).setConsumer(
                    new me.tongfei.progressbar.InteractiveConsoleProgressBarConsumer(System.err)).build();
        }
    }

    @Override
    public void stepEnd(StepEnd e) {
        if (bar != null) {
            double secs = (System.nanoTime() - epochStart) / 1e9;
            bar.stepTo(e.step());
            bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f  %.0f samples/s", e.loss(), e.samples() / secs));
        }
    }

    @Override
    public void epochEnd(EpochEnd e) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
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
        if (bar != null) {
            bar.close();
        }
    }
}
