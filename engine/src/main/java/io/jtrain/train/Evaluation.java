package io.jtrain.train;

import io.jtrain.metrics.ConfusionMatrix;

/** Loss, accuracy (null for regression) and the confusion matrix (null unless single-label classification). */
public record Evaluation(double loss, Double accuracy, ConfusionMatrix confusion, int samples) {
}
