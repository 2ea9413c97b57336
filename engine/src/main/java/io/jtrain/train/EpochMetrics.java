package io.jtrain.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One epoch's numbers. Epochs are numbered from 1; absent values (no validation split, no accuracy for
 * regression, a split not evaluated this epoch) are null. {@code loss} and {@code accuracy} are the running
 * means during training (train mode: dropout on, batch norm on batch statistics); {@code evalLoss} and
 * {@code evalAccuracy}, when the live diagnosis asks for them, are those of a fixed subset of the training data
 * in inference mode — comparable with the validation numbers, which are in inference mode too.
 *
 * @param more further named metrics in the order they are reported: regression's {@code mae}, {@code rmse},
 *     {@code val_mae}, {@code val_rmse}, and those of the test split when it is evaluated during training
 *     ({@code test_loss}, {@code test_accuracy}, {@code test_mae}, {@code test_rmse}); never null
 */
public record EpochMetrics(int epoch, double loss, Double accuracy, Double valLoss, Double valAccuracy, double lr,
                           double seconds, Double evalLoss, Double evalAccuracy, Map<String, Double> more) {

    public EpochMetrics {
        more = more == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(more));
    }

    public EpochMetrics(int epoch, double loss, Double accuracy, Double valLoss, Double valAccuracy, double lr,
                        double seconds, Double evalLoss, Double evalAccuracy) {
        this(epoch, loss, accuracy, valLoss, valAccuracy, lr, seconds, evalLoss, evalAccuracy, null);
    }

    public EpochMetrics(int epoch, double loss, Double accuracy, Double valLoss, Double valAccuracy, double lr,
                        double seconds) {
        this(epoch, loss, accuracy, valLoss, valAccuracy, lr, seconds, null, null, null);
    }

    /**
     * A metric by the name metrics.csv gives it ({@code loss}, {@code val_accuracy}, {@code test_loss},
     * {@code val_mae}, ...), or null when this epoch does not have it.
     */
    public Double metric(String name) {
        return switch (name) {
            case "loss" -> loss;
            case "accuracy" -> accuracy;
            case "val_loss" -> valLoss;
            case "val_accuracy" -> valAccuracy;
            default -> more.get(name);
        };
    }
}
