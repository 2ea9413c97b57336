package io.jtrain.data;

import java.util.Locale;

/**
 * Input normalisation fitted on training data only and stored with the model: {@code x' = (x - mean) / std}.
 * {@link Mode#GLOBAL} uses one mean and deviation over all values (images); {@link Mode#PER_FEATURE} one
 * per feature (tabular data). A feature whose deviation is zero (or not finite) keeps std = 1, so it is
 * centred but never divided by zero. Statistics are taken over finite values only, so a NaN (which training
 * refuses, but the doctor examines) stays one value, not the mean of every feature.
 */
public record Normalization(Mode mode, float[] mean, float[] std) {

    /** How statistics are pooled. */
    public enum Mode {
        NONE, GLOBAL, PER_FEATURE;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Mode parse(String s) {
            for (Mode m : values()) {
                if (m.id().equalsIgnoreCase(s)) {
                    return m;
                }
            }
            throw new io.jtrain.util.UsageException("unknown normalization '" + s + "'; allowed: none, global, per_feature");
        }
    }

    public static Normalization none() {
        return new Normalization(Mode.NONE, new float[0], new float[0]);
    }

    /** Fits the statistics on {@code train}. */
    public static Normalization fit(Mode mode, Dataset train) {
        int f = train.sampleSize();
        int n = train.size();
        float[] x = train.x();
        return switch (mode) {
            case NONE -> none();
            case GLOBAL -> {
                double s = 0;
                double sq = 0;
                long c = 0;
                for (float v : x) {
                    if (Float.isFinite(v)) {
                        s += v;
                        sq += (double) v * v;
                        c++;
                    }
                }
                double m = c == 0 ? 0 : s / c;
                double sd = c == 0 ? 1 : Math.sqrt(Math.max(0, sq / c - m * m));
                yield new Normalization(mode, new float[] {(float) m}, new float[] {safe(sd)});
            }
            case PER_FEATURE -> {
                double[] s = new double[f];
                double[] sq = new double[f];
                long[] c = new long[f];
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < f; j++) {
                        double v = x[i * f + j];
                        if (Double.isFinite(v)) {
                            s[j] += v;
                            sq[j] += v * v;
                            c[j]++;
                        }
                    }
                }
                float[] mean = new float[f];
                float[] std = new float[f];
                for (int j = 0; j < f; j++) {
                    double m = c[j] == 0 ? 0 : s[j] / c[j];
                    mean[j] = (float) m;
                    std[j] = c[j] == 0 ? 1f : safe(Math.sqrt(Math.max(0, sq[j] / c[j] - m * m)));
                }
                yield new Normalization(mode, mean, std);
            }
        };
    }

    private static float safe(double sd) {
        return sd > 1e-8 && Double.isFinite(sd) ? (float) sd : 1f;
    }

    /** Number of features whose deviation was zero (kept at std = 1). */
    public int constantFeatures() {
        int c = 0;
        for (float s : std) {
            c += s == 1f ? 1 : 0;
        }
        return mode == Mode.PER_FEATURE ? c : 0;
    }

    /** Normalises {@code x} ([n, f] row-major) in place. */
    public void apply(float[] x, int f) {
        if (mode == Mode.NONE) {
            return;
        }
        for (int i = 0; i < x.length; i++) {
            int j = mode == Mode.GLOBAL ? 0 : i % f;
            x[i] = (x[i] - mean[j]) / std[j];
        }
    }

    /** A copy of {@code d} with normalised inputs. */
    public Dataset applyTo(Dataset d) {
        if (d == null) {
            return null;
        }
        float[] x = d.x().clone();
        apply(x, d.sampleSize());
        return new Dataset(d.name(), d.sampleShape(), x, d.y(), d.targetSize(), d.numClasses(), d.classNames());
    }
}
