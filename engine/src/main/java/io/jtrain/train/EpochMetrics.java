package io.jtrain.train;

/**
 * One epoch's numbers. Epochs are numbered from 1; absent values (no validation split, no accuracy for
 * regression) are null. {@code loss} and {@code accuracy} are the running means during training (train mode:
 * dropout on, batch norm on batch statistics); {@code evalLoss} and {@code evalAccuracy}, when the live
 * diagnosis asks for them, are those of a fixed subset of the training data in inference mode — comparable
 * with the validation numbers, which are in inference mode too.
 */
public record EpochMetrics(int epoch, double loss, Double accuracy, Double valLoss, Double valAccuracy, double lr,
                           double seconds, Double evalLoss, Double evalAccuracy) {

    public EpochMetrics(int epoch, double loss, Double accuracy, Double valLoss, Double valAccuracy, double lr,
                        double seconds) {
        this(epoch, loss, accuracy, valLoss, valAccuracy, lr, seconds, null, null);
    }
}
