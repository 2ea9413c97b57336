package io.jtrain.probe;

/**
 * One trial at a batch size: whether it fit, the pool's peak bytes, training samples/s from the median step
 * time after the first (warm-up) step (NaN when it did not fit), and the spread of those step times: their
 * interquartile range over the median (0 for fewer than 4 timed steps, NaN when it did not fit).
 */
public record TrialResult(int batchSize, boolean fits, long peakBytes, double samplesPerSecond, double spread) {
    /** A trial without a measured spread. */
    public TrialResult(int batchSize, boolean fits, long peakBytes, double samplesPerSecond) {
        this(batchSize, fits, peakBytes, samplesPerSecond, fits ? 0 : Double.NaN);
    }
}
