package io.jtrain.train;

/**
 * One epoch's numbers. Epochs are numbered from 1; absent values (no validation split, no accuracy for
 * regression) are null.
 */
public record EpochMetrics(int epoch, double loss, Double accuracy, Double valLoss, Double valAccuracy, double lr,
                           double seconds) {
}
