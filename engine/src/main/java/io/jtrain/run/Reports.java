package io.jtrain.run;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jtrain.metrics.ConfusionMatrix;
import io.jtrain.train.Evaluation;

/** report.json: an evaluation's loss, accuracy, per-class precision/recall/F1 and confusion matrix. */
public final class Reports {
    private Reports() { }

    public static ObjectNode json(Evaluation ev, String[] names) {
        ObjectNode o = RunDirectory.JSON.createObjectNode();
        o.put("samples", ev.samples());
        o.put("loss", ev.loss());
        RunDirectory.putNullable(o, "accuracy", ev.accuracy());
        if (ev.regression() != null) {
            o.put("mae", ev.regression().mae());
            o.put("rmse", ev.regression().rmse());
            RunDirectory.putNullable(o, "r2", Double.isNaN(ev.regression().r2()) ? null : ev.regression().r2());
        }
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
            r.put("name", names != null && c < names.length && names[c] != null ? names[c] : Integer.toString(c));
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
}
