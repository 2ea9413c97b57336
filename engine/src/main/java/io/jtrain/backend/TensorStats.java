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
}
