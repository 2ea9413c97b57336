package io.jtrain.backend;

/** Summary statistics of a tensor: count, sum, sum of squares, min, max, non-finite and exact-zero counts. */
public record TensorStats(long count, double sum, double sumSquares, float min, float max, long nonFinite,
                          long zeros) {
    public double mean() {
        return count == 0 ? 0 : sum / count;
    }

    public double std() {
        if (count == 0) {
            return 0;
        }
        double m = mean();
        return Math.sqrt(Math.max(0, sumSquares / count - m * m));
    }

    public double norm() {
        return Math.sqrt(sumSquares);
    }

    /** Statistics of {@code n} values read through {@code get} (non-finite values counted, not summed). */
    public static TensorStats of(int n, java.util.function.IntToDoubleFunction get) {
        double sum = 0;
        double sq = 0;
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        long nonFinite = 0;
        long zeros = 0;
        for (int i = 0; i < n; i++) {
            float v = (float) get.applyAsDouble(i);
            if (!Float.isFinite(v)) {
                nonFinite++;
                continue;
            }
            if (v == 0f) {
                zeros++;
            }
            sum += v;
            sq += (double) v * v;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return new TensorStats(n, sum, sq, min, max, nonFinite, zeros);
    }
}
