package io.jtrain.cli;

import io.jtrain.train.EpochMetrics;
import io.jtrain.train.TrainingListener;
import java.io.PrintWriter;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress on standard error: a progress bar with samples/s and ETA when standard error is a terminal
 * (the progressbar library), plain log lines otherwise (CI logs, pipes, --json runs).
 */
final class Progress implements TrainingListener {
    private final PrintWriter err;
    private final boolean terminal;
    private final int epochs;
    private ProgressBar bar;
    private long epochStart;

    Progress(PrintWriter err, boolean terminal, int epochs) {
        this.err = err;
        this.terminal = terminal;
        this.epochs = epochs;
    }

    @Override
    public void epochStart(int epoch, int steps) {
        epochStart = System.nanoTime();
        if (terminal) {
            bar = new ProgressBarBuilder().setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs))
                .setInitialMax(steps).setStyle(ProgressBarStyle.ASCII).setConsumer(
                    new me.tongfei.progressbar.InteractiveConsoleProgressBarConsumer(System.err)).showSpeed()
                .setUnit(" steps", 1).build();
        }
    }

    @Override
    public void stepEnd(int epoch, int step, int steps, double loss, int samples) {
        if (bar != null) {
            double secs = (System.nanoTime() - epochStart) / 1e9;
            bar.stepTo(step);
            bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f, %.0f samples/s", loss, samples / secs));
        }
    }

    @Override
    public void epochEnd(EpochMetrics m, boolean best) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
        err.println(line(m, best, epochs));
        err.flush();
    }

    static String line(EpochMetrics m, boolean best, int epochs) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d  loss %.4f", m.epoch(), epochs,
            m.loss()));
        if (m.accuracy() != null) {
            sb.append(String.format(Locale.ROOT, "  acc %.4f", m.accuracy()));
        }
        if (m.valLoss() != null) {
            sb.append(String.format(Locale.ROOT, "  val_loss %.4f", m.valLoss()));
        }
        if (m.valAccuracy() != null) {
            sb.append(String.format(Locale.ROOT, "  val_acc %.4f", m.valAccuracy()));
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
