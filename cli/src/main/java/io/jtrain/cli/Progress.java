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
 * (the progressbar library), plain log lines otherwise (CI logs, pipes, --json runs).
 */
final class Progress implements RunListener {
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
    public void epochStart(EpochStart e) {
        int epoch = e.epoch();
        int steps = e.steps();
        epochStart = System.nanoTime();
        if (terminal) {
            bar = new ProgressBarBuilder().setTaskName(String.format(Locale.ROOT, "epoch %d/%d", epoch, epochs))
                .setInitialMax(steps).setStyle(ProgressBarStyle.ASCII).setConsumer(
                    new me.tongfei.progressbar.InteractiveConsoleProgressBarConsumer(System.err)).showSpeed()
                .setUnit(" steps", 1).build();
        }
    }

    @Override
    public void stepEnd(StepEnd e) {
        if (bar != null) {
            double secs = (System.nanoTime() - epochStart) / 1e9;
            bar.stepTo(e.step());
            bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4f, %.0f samples/s", e.loss(), e.samples() / secs));
        }
    }

    @Override
    public void epochEnd(EpochEnd e) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
        err.println(line(e.metrics(), e.best(), epochs));
        err.flush();
    }

    static String line(EpochMetrics m, boolean best, int epochs) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d  loss %.4f", m.epoch(), epochs,
            m.loss()));
        if (m.accuracy() != null) {
            sb.append(String.format(Locale.ROOT, "  accuracy %.4f", m.accuracy()));
        }
        if (m.valLoss() != null) {
            sb.append(String.format(Locale.ROOT, "  val_loss %.4f", m.valLoss()));
        }
        if (m.valAccuracy() != null) {
            sb.append(String.format(Locale.ROOT, "  val_accuracy %.4f", m.valAccuracy()));
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
