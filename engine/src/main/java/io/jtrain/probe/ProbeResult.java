package io.jtrain.probe;

import java.util.List;

/**
 * The outcome of a probe.
 *
 * @param maxBatchSize the largest size that fit (confirmed by a second trial), 0 when none did
 * @param recommendedBatchSize the smallest size within 5 % of the fastest median throughput, at or below
 *     (1 - margin) of the largest fit and {@code dataLimit}
 * @param plateauBatchSize the first size at which doubling gained less than 5 % samples/s, or null
 * @param accumulation gradient-accumulation factor reaching the target batch (1 without a target)
 * @param trials every trial in the order run
 * @param dataLimit the largest size the data warrants recommending (a tenth of the training set), or null
 */
public record ProbeResult(int maxBatchSize, int recommendedBatchSize, Integer plateauBatchSize,
                          long capacityBytes, double margin, Integer targetBatch, int accumulation,
                          List<TrialResult> trials, String reason, Integer dataLimit) {

    public ProbeResult(int maxBatchSize, int recommendedBatchSize, Integer plateauBatchSize, long capacityBytes,
                       double margin, Integer targetBatch, int accumulation, List<TrialResult> trials, String reason) {
        this(maxBatchSize, recommendedBatchSize, plateauBatchSize, capacityBytes, margin, targetBatch, accumulation,
            trials, reason, null);
    }

    /** The effective batch: recommended micro-batch times the accumulation factor. */
    public int effectiveBatch() {
        return recommendedBatchSize * accumulation;
    }
}
