package io.jtrain.probe;

/**
 * One trial at a batch size: whether it fit, the pool's peak bytes, and training samples/s after the
 * first (warm-up) step (NaN when it did not fit).
 */
public record TrialResult(int batchSize, boolean fits, long peakBytes, double samplesPerSecond) {
}
