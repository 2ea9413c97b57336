package io.jtrain.data;

/**
 * Training, validation and (optional) test data. The validation split is carved from the training data;
 * the test split is never used for training or model selection.
 */
public record DataSplits(Dataset train, Dataset validation, Dataset test) {
}
