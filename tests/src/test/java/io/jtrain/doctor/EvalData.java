package io.jtrain.doctor;

import io.jtrain.data.DataLocator;
import io.jtrain.data.Dataset;
import io.jtrain.data.Splits;
import io.jtrain.tensor.Shape;
import io.jtrain.util.CounterRng;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The evaluation's data sets, generated or drawn with a seed, and the faults that change data: tabular
 * (Gaussian features, classes from a random linear map or, for the hard variant, from products of pairs),
 * Fashion-MNIST (a seeded subset of the embedded data), and CIFAR-shaped synthetic images (3x32x32: a class
 * colour, a class stripe frequency, noise).
 */
final class EvalData {
    static final int N = 600;

    private EvalData() { }

    /** The three data sets of the evaluation. */
    enum Kind {
        TABULAR, FASHION, CIFAR;

        boolean images() {
            return this != TABULAR;
        }
    }

    static Dataset make(Kind k, long seed, boolean hard) {
        return switch (k) {
            case TABULAR -> tabular(seed, N, 12, 3, hard);
            case FASHION -> fashion(seed, N);
            case CIFAR -> cifar(seed, N);
        };
    }

    static Dataset tabular(long seed, int n, int f, int classes, boolean hard) {
        SplittableRandom r = new SplittableRandom(seed * 7919 + 11);
        double[][] w = new double[classes][f];
        for (double[] row : w) {
            for (int j = 0; j < f; j++) {
                row[j] = r.nextGaussian();
            }
        }
        float[] x = new float[n * f];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < f; j++) {
                x[i * f + j] = (float) r.nextGaussian();
            }
            int best = 0;
            double bestV = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                double v = 0;
                for (int j = 0; j < f; j++) {
                    double xj = hard ? x[i * f + j] * x[i * f + (j + 1) % f] : x[i * f + j];
                    v += w[c][j] * xj;
                }
                if (v > bestV) {
                    bestV = v;
                    best = c;
                }
            }
            y[i] = best;
        }
        return new Dataset("tabular", Shape.of(f), x, y, 1, classes, names(classes));
    }

    static Dataset fashion(long seed, int n) {
        Dataset all = DataLocator.embedded().train();
        int[] order = Splits.permutation(all.size(), CounterRng.derive(seed, 77));
        return all.subset(Arrays.copyOf(order, n), "fashion");
    }

    static Dataset cifar(long seed, int n) {
        return cifar(seed, n, 1.0, 0.15);
    }

    /**
     * CIFAR-shaped images: a class colour scaled by {@code colour} (1: the base data set; 0: grey), a class
     * stripe, and Gaussian noise of deviation {@code noise}.
     */
    static Dataset cifar(long seed, int n, double colour, double noise) {
        SplittableRandom r = new SplittableRandom(seed * 104729 + 3);
        int hw = 32;
        int plane = hw * hw;
        float[] x = new float[n * 3 * plane];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(10);
            y[i] = c;
            double freq = 1 + c % 5;
            for (int ch = 0; ch < 3; ch++) {
                double base = 0.2 + 0.6 * ((c * (ch + 1) * 37) % 10) / 9.0;
                if (colour != 1) {
                    base = 0.5 + colour * (base - 0.5);
                }
                for (int p = 0; p < plane; p++) {
                    int row = p / hw;
                    double stripe = c < 5 ? Math.sin(freq * row * Math.PI / hw) : Math.sin(freq * (p % hw) * Math.PI / hw);
                    double v = base + 0.15 * stripe + noise * r.nextGaussian();
                    x[(i * 3 + ch) * plane + p] = (float) Math.min(1, Math.max(0, v));
                }
            }
        }
        return new Dataset("cifar-like", Shape.of(3, hw, hw), x, y, 1, 10, names(10));
    }

    static String[] names(int classes) {
        String[] s = new String[classes];
        Arrays.setAll(s, Integer::toString);
        return s;
    }

    /** Multiplies feature (or, for images, every value's deviation) to give a scale problem. */
    static Dataset rescale(Dataset d, double feature0Factor, double imageStd) {
        float[] x = d.x().clone();
        int f = d.sampleSize();
        if (d.sampleShape().rank() == 1) {
            for (int i = 0; i < d.size(); i++) {
                x[i * f] *= (float) feature0Factor;
            }
        } else {
            double mean = 0;
            double sq = 0;
            for (float v : x) {
                mean += v;
                sq += (double) v * v;
            }
            mean /= x.length;
            double std = Math.sqrt(Math.max(1e-12, sq / x.length - mean * mean));
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (0.5 + (x[i] - mean) * imageStd / std);
            }
        }
        return copy(d, x, d.y());
    }

    /** Keeps every sample of class 0 and 1/ratio as many of each other class. */
    static Dataset imbalance(Dataset d, double ratio, long seed) {
        List<Integer> keep = new ArrayList<>();
        int[] seen = new int[d.numClasses()];
        long n0 = 0;
        for (float v : d.y()) {
            n0 += v == 0 ? 1 : 0;
        }
        long other = Math.max(1, Math.round(n0 / ratio));
        int[] order = Splits.permutation(d.size(), CounterRng.derive(seed, 5));
        for (int i : order) {
            int c = (int) d.y()[i];
            if (c == 0 || seen[c] < other) {
                keep.add(i);
                seen[c]++;
            }
        }
        return d.subset(keep.stream().mapToInt(Integer::intValue).toArray(), d.name());
    }

    /** Replaces a fraction of the input values (at least one) with NaN. */
    static Dataset withNaN(Dataset d, double fraction, long seed) {
        float[] x = d.x().clone();
        SplittableRandom r = new SplittableRandom(seed);
        long k = Math.max(1, Math.round(fraction * x.length));
        for (long i = 0; i < k; i++) {
            x[r.nextInt(x.length)] = Float.NaN;
        }
        return copy(d, x, d.y());
    }

    /** Gives {@code count} samples the label {@code label}. */
    static Dataset badLabels(Dataset d, int count, float label, long seed) {
        float[] y = d.y().clone();
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < count; i++) {
            y[r.nextInt(y.length)] = label;
        }
        return copy(d, d.x(), y);
    }

    /** Sets a fraction of the input values to exactly zero (a healthy sparse look-alike of NaN data). */
    static Dataset zeros(Dataset d, double fraction, long seed) {
        float[] x = d.x().clone();
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < x.length; i++) {
            if (r.nextDouble() < fraction) {
                x[i] = 0;
            }
        }
        return copy(d, x, d.y());
    }

    static Dataset head(Dataset d, int n) {
        return d.head(n);
    }

    private static Dataset copy(Dataset d, float[] x, float[] y) {
        return new Dataset(d.name(), d.sampleShape(), x, y, d.targetSize(), d.numClasses(), d.classNames());
    }
}
