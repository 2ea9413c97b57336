package io.jtrain.model;

import io.jtrain.data.Normalization;
import io.jtrain.nn.ModelSpec;

/**
 * What is saved beside the weights: the model specification, the loss it was trained with, the input
 * normalisation fitted on the training data, class names, and the epoch the weights come from.
 */
public record ModelMeta(ModelSpec spec, String loss, Normalization normalization, String[] classNames, int epoch) {
}
