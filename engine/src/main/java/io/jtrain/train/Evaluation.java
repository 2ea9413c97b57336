package io.jtrain.train;

import io.jtrain.metrics.ConfusionMatrix;

/**
 * Loss, accuracy (null for regression), the confusion matrix (null unless single-label classification) and,
 * for regression, the mean absolute error, root mean squared error and coefficient of determination over
 * every target value (null otherwise).
 */
public record Evaluation(double loss, Double accuracy, ConfusionMatrix confusion, int samples, Regression regression) {

    /** An evaluation without regression metrics. */
    public Evaluation(double loss, Double accuracy, ConfusionMatrix confusion, int samples) {
        this(loss, accuracy, confusion, samples, null);
    }

    /** Regression metrics: MAE, RMSE and R² (1 - residual / total sum of squares; NaN for constant targets). */
    public record Regression(double mae, double rmse, double r2) { }
}
