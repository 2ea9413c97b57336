package io.jtrain.model;

import io.jtrain.data.Normalization;
import io.jtrain.nn.ModelSpec;

/**
 * What is saved beside the weights: the model specification, the loss it was trained with, the input
 * normalisation fitted on the training data, class names, the epoch the weights come from, and for tabular
 * data the feature column names (so that {@code predict} picks a CSV's columns by name; null otherwise).
 */
public record ModelMeta(ModelSpec spec, String loss, Normalization normalization, String[] classNames, int epoch,
                        String[] features, Targets targets) {

    /**
     * What the model's targets were: the task ({@code classification}, {@code multilabel} or
     * {@code regression}), whether class labels were made one-hot vectors, and their label smoothing.
     */
    public record Targets(String task, boolean oneHot, double labelSmoothing) {
        /** What a model file without a {@code targets} key (older jtrain) was trained on: its loss tells. */
        public static Targets byLoss(String loss) {
            return new Targets(io.jtrain.loss.Loss.parse(loss) == io.jtrain.loss.Loss.MEAN_SQUARED_ERROR
                ? "regression" : "classification", false, 0);
        }

        public boolean classification() {
            return !task.equals("regression");
        }
    }

    public ModelMeta {
        targets = targets != null ? targets : Targets.byLoss(loss);
    }

    /** Meta data whose targets are told by the loss. */
    public ModelMeta(ModelSpec spec, String loss, Normalization normalization, String[] classNames, int epoch,
                     String[] features) {
        this(spec, loss, normalization, classNames, epoch, features, null);
    }

    /** Meta data without feature names (image models). */
    public ModelMeta(ModelSpec spec, String loss, Normalization normalization, String[] classNames, int epoch) {
        this(spec, loss, normalization, classNames, epoch, null, null);
    }

    /** The accuracy rule of evaluations of this model. */
    public io.jtrain.train.AccuracyRule accuracyRule() {
        return io.jtrain.train.AccuracyRule.of(io.jtrain.loss.Loss.parse(loss), targets.classification(),
            targets.oneHot());
    }
}
