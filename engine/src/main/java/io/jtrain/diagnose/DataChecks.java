package io.jtrain.diagnose;

import static io.jtrain.diagnose.Finding.Severity.ERROR;
import static io.jtrain.diagnose.Finding.Severity.INFO;
import static io.jtrain.diagnose.Finding.Severity.WARNING;

import io.jtrain.data.Dataset;
import java.util.List;
import java.util.Locale;

/**
 * Pre-flight checks of the data as the model sees it (after the job's normalisation): scale, constant
 * features, NaN/Inf, labels against the model's outputs, class balance, training/validation agreement.
 */
public final class DataChecks {
    private DataChecks() { }

    /** Runs every data check; {@code outputs} is the model's output units (class count for classifiers). */
    public static void run(Dataset train, Dataset val, boolean classification, int outputs, List<Finding> out) {
        int f = train.sampleSize();
        int n = train.size();
        double[][] st = featureStats(train);
        long nonFinite = (long) st[3][0];
        if (nonFinite > 0) {
            out.add(new Finding("nan_in_data", ERROR, "the inputs contain NaN or infinite values",
                nonFinite + " non-finite values in " + n + " training samples (first at sample " + (int) st[3][1]
                    + ", feature " + (int) st[3][2] + ")", "missing values in the source data, or a division by zero "
                    + "in preprocessing", "fill or drop missing values before training (e.g. replace with the "
                    + "feature's mean) and check the preprocessing"));
        } else {
            scale(st, f, train.sampleShape().rank() == 1, out);
            constant(st, f, out);
        }
        if (classification) {
            labels(train, val, outputs, out);
        }
        if (nonFinite == 0 && val != null && val.size() > 1) {
            split(st, featureStats(val), f, val.size(), out);
        }
    }

    /** Per feature: {mean}, {std}, {count finite}; row 3: {non-finite count, first sample, first feature}. */
    static double[][] featureStats(Dataset d) {
        int f = d.sampleSize();
        int n = d.size();
        double[] s = new double[f];
        double[] sq = new double[f];
        double[] cnt = new double[f];
        double[] bad = {0, -1, -1};
        float[] x = d.x();
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < f; j++) {
                float v = x[i * f + j];
                if (!Float.isFinite(v)) {
                    if (bad[0]++ == 0) {
                        bad[1] = i;
                        bad[2] = j;
                    }
                    continue;
                }
                s[j] += v;
                sq[j] += (double) v * v;
                cnt[j]++;
            }
        }
        double[] mean = new double[f];
        double[] std = new double[f];
        for (int j = 0; j < f; j++) {
            mean[j] = cnt[j] == 0 ? 0 : s[j] / cnt[j];
            std[j] = cnt[j] == 0 ? 0 : Math.sqrt(Math.max(0, sq[j] / cnt[j] - mean[j] * mean[j]));
        }
        return new double[][] {mean, std, cnt, bad};
    }

    private static void scale(double[][] st, int f, boolean tabular, List<Finding> out) {
        double m = 0;
        double e2 = 0;
        double total = 0;
        double minStd = Double.POSITIVE_INFINITY;
        double maxStd = 0;
        int minAt = 0;
        int maxAt = 0;
        for (int j = 0; j < f; j++) {
            m += st[0][j] * st[2][j];
            e2 += (st[1][j] * st[1][j] + st[0][j] * st[0][j]) * st[2][j];
            total += st[2][j];
            if (st[1][j] > Thresholds.CONSTANT_STD) {
                if (st[1][j] < minStd) {
                    minStd = st[1][j];
                    minAt = j;
                }
                if (st[1][j] > maxStd) {
                    maxStd = st[1][j];
                    maxAt = j;
                }
            }
        }
        double mean = m / Math.max(1, total);
        double std = Math.sqrt(Math.max(0, e2 / Math.max(1, total) - mean * mean));
        boolean badScale = tabular && f > 1 && maxStd / minStd > Thresholds.FEATURE_SCALE_RATIO;
        boolean badGlobal = Math.abs(mean) > Thresholds.INPUT_MEAN_MAX || std < Thresholds.INPUT_STD_MIN
            || std > Thresholds.INPUT_STD_MAX;
        if (badScale || badGlobal) {
            out.add(new Finding("unnormalized_inputs", WARNING, badScale ? "input features are on very different scales"
                : "inputs are far from mean 0 and standard deviation 1", String.format(Locale.ROOT,
                "inputs as the model sees them: mean %.3g, standard deviation %.3g; per-feature deviation from %.3g "
                    + "(feature %d) to %.3g (feature %d)", mean, std, minStd, minAt, maxStd, maxAt),
                "the job's normalization is 'none' or does not fit this data (global statistics on features of "
                    + "different units)", "set data.normalization: " + (tabular ? "per_feature" : "global")
                    + (tabular ? " (tabular data)" : " (images)")).withSet(java.util.Map.of("data.normalization",
                        tabular ? "per_feature" : "global")));
        }
    }

    private static void constant(double[][] st, int f, List<Finding> out) {
        int c = 0;
        int first = -1;
        for (int j = 0; j < f; j++) {
            if (st[1][j] <= Thresholds.CONSTANT_STD) {
                c++;
                first = first < 0 ? j : first;
            }
        }
        if (c > 0) {
            out.add(new Finding("constant_features", INFO, c + " of " + f + " input features are constant",
                "first constant feature: " + first + " (standard deviation 0 on the training split)",
                "features that carry no information (e.g. image borders, an ID column with one value)",
                "nothing is required: jtrain centres them and never divides by a zero deviation; drop them from "
                    + "tabular data to save work"));
        }
    }

    private static void labels(Dataset train, Dataset val, int outputs, List<Finding> out) {
        if (train.targetSize() != 1) {
            return;
        }
        if (!outOfRange(train, "training", outputs, out) && val != null) {
            outOfRange(val, "validation", outputs, out);
        }
        long[] counts = new long[Math.max(1, outputs)];
        for (float v : train.y()) {
            if (v == Math.rint(v) && v >= 0 && v < outputs) {
                counts[(int) v]++;
            }
        }
        imbalance(counts, train.size(), out);
    }

    /** label_out_of_range for labels that are not class indices of the model's outputs (counted, first named). */
    private static boolean outOfRange(Dataset d, String split, int outputs, List<Finding> out) {
        long bad = 0;
        int first = -1;
        float worst = 0;
        for (int i = 0; i < d.y().length; i++) {
            float v = d.y()[i];
            if (!(v == Math.rint(v) && v >= 0 && v < outputs)) {
                if (bad++ == 0) {
                    first = i;
                }
                worst = Math.abs(v) > Math.abs(worst) ? v : worst;
            }
        }
        if (bad == 0) {
            return false;
        }
        out.add(new Finding("label_out_of_range", ERROR, "labels are not class indices of the model's " + outputs
            + " outputs", String.format(Locale.ROOT, "%d label(s) of the %s split outside [0, %d] (first: sample %d, "
                + "label %s; most extreme %s)", bad, split, outputs - 1, first, d.y()[first], worst),
            bad <= 3 ? "a few corrupt labels" : "the last layer's units do not match the number of classes, or labels "
                + "are not 0-based", bad <= 3 ? "fix or drop the corrupt label rows" : "give the last dense layer one "
                + "unit per class, or re-index the labels from 0"));
        return true;
    }

    private static void imbalance(long[] counts, int n, List<Finding> out) {
        long present = 0;
        long max = 0;
        long min = Long.MAX_VALUE;
        int maxK = 0;
        int minK = 0;
        for (int k = 0; k < counts.length; k++) {
            if (counts[k] > 0) {
                present++;
                if (counts[k] < min) {
                    min = counts[k];
                    minK = k;
                }
            }
            if (counts[k] > max) {
                max = counts[k];
                maxK = k;
            }
        }
        if (present == 1) {
            out.add(new Finding("class_imbalance", ERROR, "every training label is the same class (" + maxK + ")",
                max + " of " + n + " samples have label " + maxK, "a broken label column or a filtering step that "
                    + "kept one class", "check how the labels were produced; a classifier needs examples of every "
                    + "class"));
        } else if (present > 1 && (double) max / min > Thresholds.IMBALANCE_RATIO) {
            out.add(new Finding("class_imbalance", WARNING, "classes are strongly imbalanced", String.format(Locale.ROOT,
                "class %d has %d samples, class %d has %d (ratio %.1f)", maxK, max, minK, min, (double) max / min),
                "the data over-represents some classes; accuracy will reward predicting the majority",
                "rebalance (oversample the rare classes or undersample the common ones), and judge the model by "
                    + "per-class recall and macro F1 (jtrain eval)"));
        }
    }

    private static void split(double[][] tr, double[][] va, int f, int nVal, List<Finding> out) {
        int bad = 0;
        double worst = 0;
        int worstAt = 0;
        for (int j = 0; j < f; j++) {
            double pooled = Math.sqrt((tr[1][j] * tr[1][j] + va[1][j] * va[1][j]) / 2);
            if (pooled <= Thresholds.CONSTANT_STD) {
                continue;
            }
            double smd = Math.abs(tr[0][j] - va[0][j]) / pooled;
            double noise = 3 / Math.sqrt(nVal);
            if (smd > Math.max(Thresholds.SPLIT_SMD, noise)) {
                bad++;
            }
            if (smd > worst) {
                worst = smd;
                worstAt = j;
            }
        }
        if (bad > Thresholds.SPLIT_FEATURE_FRACTION * f) {
            out.add(new Finding("split_mismatch", WARNING, "training and validation data look different",
                String.format(Locale.ROOT, "%d of %d features differ by more than %.1f pooled standard deviations "
                    + "(largest: feature %d, %.2f)", bad, f, Thresholds.SPLIT_SMD, worstAt, worst),
                "the split is not random (sorted data, a time or source boundary) or the two come from different "
                    + "sources", "shuffle before splitting, or make sure both splits come from the same distribution"));
        }
    }
}
