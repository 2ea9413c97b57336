package io.jtrain.run;

import io.jtrain.data.DataException;
import io.jtrain.data.Dataset;
import io.jtrain.job.JobException;
import io.jtrain.loss.Loss;

/**
 * Checks of a run's data before the first step (and of {@code eval}'s data against a model): inputs given from
 * Java are finite, targets are what the loss accepts for the model's outputs, named by their file row.
 */
public final class DataPreflight {
    private DataPreflight() { }

    /** Data given from Java has no file to be checked when read: its inputs must be finite. */
    static void checkFinite(Dataset d) {
        if (d == null) {
            return;
        }
        float[] x = d.x();
        long bad = 0;
        int first = -1;
        for (int i = 0; i < x.length; i++) {
            if (!Float.isFinite(x[i])) {
                first = bad++ == 0 ? i : first;
            }
        }
        if (bad > 0) {
            throw new DataException(d.name() + ": " + bad + " non-finite input values (the first in sample "
                + first / d.sampleSize() + ", value " + first % d.sampleSize() + "); fill or drop them before "
                + "training");
        }
    }

    /**
     * The first target the loss refuses for a model with {@code outputs} outputs, named by its place in the
     * source files ({@code origin}; null names the sample's index in {@code d}).
     */
    public static void checkTargets(Dataset d, Loss loss, int outputs, io.jtrain.data.DataSplits.Origin origin) {
        int ts = d.targetSize();
        if (loss.classIndexTargets() && ts == 1 && outputs == 1) {
            throw new JobException("softmax_cross_entropy needs at least 2 outputs, but the model's last layer has 1; "
                + "use binary_cross_entropy for a single output, or give the last layer one unit per class");
        }
        if (!loss.classIndexTargets() && ts != outputs) {
            throw new JobException(loss.id() + " compares each of the model's " + outputs + " outputs with a target, "
                + "but " + d.name() + " has " + ts + " target value(s) per sample; make the last layer's units match");
        }
        float[] y = d.y();
        boolean probabilities = loss.classIndexTargets() && ts > 1;
        for (int i = 0; i < y.length; i++) {
            boolean ok = probabilities ? y[i] >= 0 && y[i] <= 1 : loss.validTarget(y[i], outputs);
            if (!ok) {
                throw new DataException(io.jtrain.data.DataSplits.Origin.name(origin, i / ts, d.name()) + ": target "
                    + y[i] + " is not " + loss.targetRule(outputs) + "; fix the labels or the model's last layer");
            }
        }
    }
}
