package io.jtrain.metrics;

/**
 * Counts of (true class, predicted class) and the metrics derived from them: accuracy, per-class
 * precision, recall and F1, and their macro (unweighted) and weighted (by support) averages. A class
 * with no predictions has precision 0; with no samples, recall 0 (as scikit-learn's zero_division=0).
 */
public final class ConfusionMatrix {
    private final long[][] counts;

    public ConfusionMatrix(int classes) {
        counts = new long[classes][classes];
    }

    public void add(int truth, int predicted) {
        counts[truth][predicted]++;
    }

    public int classes() {
        return counts.length;
    }

    public long count(int truth, int predicted) {
        return counts[truth][predicted];
    }

    public long total() {
        long t = 0;
        for (long[] row : counts) {
            for (long v : row) {
                t += v;
            }
        }
        return t;
    }

    public long support(int c) {
        long s = 0;
        for (long v : counts[c]) {
            s += v;
        }
        return s;
    }

    private long predicted(int c) {
        long s = 0;
        for (long[] row : counts) {
            s += row[c];
        }
        return s;
    }

    public double accuracy() {
        long correct = 0;
        for (int c = 0; c < counts.length; c++) {
            correct += counts[c][c];
        }
        long t = total();
        return t == 0 ? 0 : (double) correct / t;
    }

    public double precision(int c) {
        long p = predicted(c);
        return p == 0 ? 0 : (double) counts[c][c] / p;
    }

    public double recall(int c) {
        long s = support(c);
        return s == 0 ? 0 : (double) counts[c][c] / s;
    }

    public double f1(int c) {
        double p = precision(c);
        double r = recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /** {precision, recall, f1} averaged over classes, unweighted. */
    public double[] macro() {
        double[] m = new double[3];
        for (int c = 0; c < counts.length; c++) {
            m[0] += precision(c);
            m[1] += recall(c);
            m[2] += f1(c);
        }
        for (int i = 0; i < 3; i++) {
            m[i] /= counts.length;
        }
        return m;
    }

    /** {precision, recall, f1} averaged over classes, weighted by support. */
    public double[] weighted() {
        double[] m = new double[3];
        long t = total();
        for (int c = 0; c < counts.length && t > 0; c++) {
            double w = (double) support(c) / t;
            m[0] += w * precision(c);
            m[1] += w * recall(c);
            m[2] += w * f1(c);
        }
        return m;
    }

    public long[][] counts() {
        long[][] copy = new long[counts.length][];
        for (int i = 0; i < counts.length; i++) {
            copy[i] = counts[i].clone();
        }
        return copy;
    }
}
