package io.jtrain.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jtrain.metrics.ConfusionMatrix;
import io.jtrain.train.EpochMetrics;
import io.jtrain.train.Evaluation;
import java.util.List;
import java.util.Locale;

/** Evaluation reports: report.json, the learning-curve and confusion-matrix charts, and a text table. */
final class Report {
    private Report() { }

    static void write(RunDirectory run, Session.Data data, Evaluation test, List<EpochMetrics> history) {
        if (!history.isEmpty()) {
            Charts.learningCurves(run.resolve("curves.png"), history);
        }
        if (test != null) {
            run.writeJson("report.json", json(test, data.train().classNames()));
            if (test.confusion() != null) {
                Charts.confusion(run.resolve("confusion.png"), test.confusion(), data.train().classNames());
            }
        }
    }

    static ObjectNode json(Evaluation ev, String[] names) {
        ObjectNode o = RunDirectory.JSON.createObjectNode();
        o.put("samples", ev.samples());
        o.put("loss", ev.loss());
        RunDirectory.putNullable(o, "accuracy", ev.accuracy());
        ConfusionMatrix cm = ev.confusion();
        if (cm == null) {
            o.putNull("per_class");
            o.putNull("confusion_matrix");
            return o;
        }
        ArrayNode pc = o.putArray("per_class");
        for (int c = 0; c < cm.classes(); c++) {
            ObjectNode r = pc.addObject();
            r.put("class", c);
            r.put("name", c < names.length ? names[c] : Integer.toString(c));
            r.put("precision", cm.precision(c));
            r.put("recall", cm.recall(c));
            r.put("f1", cm.f1(c));
            r.put("support", cm.support(c));
        }
        put(o.putObject("macro_avg"), cm.macro());
        put(o.putObject("weighted_avg"), cm.weighted());
        ArrayNode m = o.putArray("confusion_matrix");
        for (long[] row : cm.counts()) {
            ArrayNode a = m.addArray();
            for (long v : row) {
                a.add(v);
            }
        }
        return o;
    }

    private static void put(ObjectNode o, double[] prf) {
        o.put("precision", prf[0]);
        o.put("recall", prf[1]);
        o.put("f1", prf[2]);
    }

    /** The per-class table and confusion matrix as text. */
    static String text(Evaluation ev, String[] names) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "loss %.4f", ev.loss()));
        if (ev.accuracy() != null) {
            sb.append(String.format(Locale.ROOT, ", accuracy %.4f", ev.accuracy()));
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
