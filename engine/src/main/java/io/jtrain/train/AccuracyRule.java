package io.jtrain.train;

import io.jtrain.loss.Loss;

/**
 * How a run's accuracy is counted. Whether there is an accuracy at all comes from the task ({@code data.task}),
 * not from the loss: a classifier trained with mean squared error on one-hot targets has one.
 */
public enum AccuracyRule {
    /** No accuracy: regression. */
    NONE,
    /**
     * The loss's own count: the label (or the target's argmax) against the output's argmax for softmax
     * cross-entropy; the sign match of each output with its 0/1 target for binary cross-entropy (binary and
     * multi-label classification).
     */
    LOSS,
    /**
     * The output's argmax against the target's argmax (first maximum each), for mean squared error or binary
     * cross-entropy on one-hot (or label-smoothed) class targets.
     */
    ARGMAX;

    /**
     * The rule of a run.
     *
     * @param classification whether the task is classification ({@code data.task})
     * @param oneHot whether the targets are one-hot vectors made from class labels
     */
    public static AccuracyRule of(Loss loss, boolean classification, boolean oneHot) {
        if (!classification) {
            return NONE;
        }
        if (loss == Loss.SOFTMAX_CROSS_ENTROPY) {
            return LOSS;
        }
        if (oneHot) {
            return ARGMAX;
        }
        return loss == Loss.BINARY_CROSS_ENTROPY ? LOSS : NONE;
    }

    /** The rule when only the loss is known: none for mean squared error, the loss's count otherwise. */
    public static AccuracyRule byLoss(Loss loss) {
        return loss == Loss.MEAN_SQUARED_ERROR ? NONE : LOSS;
    }
}
