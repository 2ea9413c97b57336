package io.jtrain.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jtrain.metrics.ConfusionMatrix;
import io.jtrain.train.EpochMetrics;
import io.jtrain.train.Evaluation;
import java.util.List;
import java.util.Locale;

/** Evaluation reports for the terminal: the charts of a run directory and the per-class text table. */
final class Report {
    private Report() { }

    /** The learning curves and, with a test evaluation, the confusion matrix, as PNG files in {@code dir}. */
    static void charts(java.nio.file.Path dir, String[] names, Evaluation test, List<EpochMetrics> history,
                       int bestEpoch) {
        if (!history.isEmpty()) {
            Charts.learningCurves(dir.resolve("curves.png"), history, bestEpoch);
        }
        if (test != null && test.confusion() != null) {
            Charts.confusion(dir.resolve("confusion.png"), test.confusion(), names);
        }
    }

    static ObjectNode json(Evaluation ev, String[] names) {
        return io.jtrain.run.Reports.json(ev, names);
    }

    /** The per-class table and confusion matrix as text. */
    static String text(Evaluation ev, String[] names) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "loss %.4f", ev.loss()));
        if (ev.accuracy() != null) {
            sb.append(String.format(Locale.ROOT, ", accuracy %.4f", ev.accuracy()));
        }
        if (ev.regression() != null) {
            sb.append(String.format(Locale.ROOT, ", MAE %.4g, RMSE %.4g, R² %.4f", ev.regression().mae(),
                ev.regression().rmse(), ev.regression().r2()));
        }
        sb.append(String.format(Locale.ROOT, " (%d samples)%n", ev.samples()));
        ConfusionMatrix cm = ev.confusion();
        if (cm == null) {
            return sb.toString();
        }
        sb.append(String.format(Locale.ROOT, "%n%-14s %9s %9s %9s %8s%n", "class", "precision", "recall", "f1", "support"));
        for (int c = 0; c < cm.classes(); c++) {
            sb.append(String.format(Locale.ROOT, "%-14s %9.4f %9.4f %9.4f %8d%n", c < names.length ? names[c] : "" + c,
                cm.precision(c), cm.recall(c), cm.f1(c), cm.support(c)));
        }
        double[] ma = cm.macro();
        double[] wa = cm.weighted();
        sb.append(String.format(Locale.ROOT, "%-14s %9.4f %9.4f %9.4f %8d%n", "macro avg", ma[0], ma[1], ma[2],
            cm.total()));
        sb.append(String.format(Locale.ROOT, "%-14s %9.4f %9.4f %9.4f %8d%n", "weighted avg", wa[0], wa[1], wa[2],
            cm.total()));
        sb.append("\nconfusion matrix (rows: true class, columns: predicted)\n");
        for (long[] row : cm.counts()) {
            for (long v : row) {
                sb.append(String.format(Locale.ROOT, "%6d", v));
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
