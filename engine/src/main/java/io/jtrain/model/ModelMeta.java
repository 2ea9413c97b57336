package io.jtrain.model;

import io.jtrain.data.Normalization;
import io.jtrain.nn.ModelSpec;

/**
 * What is saved beside the weights: the model specification, the loss it was trained with, the input
 * normalisation fitted on the training data, class names, the epoch the weights come from, and for tabular
 * data the feature column names (so that {@code predict} picks a CSV's columns by name; null otherwise).
 */
public record ModelMeta(ModelSpec spec, String loss, Normalization normalization, String[] classNames, int epoch,
                        String[] features) {

    /** Meta data without feature names (image models). */
    public ModelMeta(ModelSpec spec, String loss, Normalization normalization, String[] classNames, int epoch) {
        this(spec, loss, normalization, classNames, epoch, null);
    }
}
