package io.jtrain.loss;

import io.jtrain.backend.Backend;
import io.jtrain.tensor.Tensor;
import java.util.Locale;

/**
 * Training losses. Each computes the mean loss of a batch and writes the gradient with respect to the
 * model output (scaled by {@code gradScale}, e.g. 1/k for k accumulated micro-batches).
 */
public enum Loss {
    /** Softmax fused with cross-entropy over [N, C] logits; targets are [N] class indices or [N, C] one-hot. */
    SOFTMAX_CROSS_ENTROPY("softmax_cross_entropy"),
    /** Sigmoid fused with binary cross-entropy, per element (multi-label); targets in [0, 1]. */
    BINARY_CROSS_ENTROPY("binary_cross_entropy"),
    /** Mean squared error over all elements. */
    MEAN_SQUARED_ERROR("mse");

    private final String id;

    Loss(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static Loss parse(String s) {
        String k = s.toLowerCase(Locale.ROOT).replace('-', '_');
        for (Loss l : values()) {
            if (l.id.equals(k)) {
                return l;
            }
        }
        if (k.equals("cross_entropy") || k.equals("categorical_crossentropy")) {
            return SOFTMAX_CROSS_ENTROPY;
        }
        if (k.equals("bce") || k.equals("bce_with_logits")) {
            return BINARY_CROSS_ENTROPY;
        }
        if (k.equals("mean_squared_error")) {
            return MEAN_SQUARED_ERROR;
        }
        throw new io.jtrain.util.UsageException("unknown loss '" + s + "'; allowed: softmax_cross_entropy, "
            + "binary_cross_entropy, mse");
    }

    /** Whether the loss applies the softmax itself (a trailing softmax layer is then skipped in training). */
    public boolean fusesSoftmax() {
        return this == SOFTMAX_CROSS_ENTROPY;
    }

    /** Whether targets are class indices ([N]) rather than dense values of the output's shape. */
    public boolean classIndexTargets() {
        return this == SOFTMAX_CROSS_ENTROPY;
    }

    /** Mean loss of the batch, read back (blocks); {@code dOutput} receives gradScale * d(loss)/d(output). */
    public float compute(Backend be, Tensor output, Tensor target, Tensor dOutput, float gradScale) {
        return switch (this) {
            case SOFTMAX_CROSS_ENTROPY -> be.softmaxCrossEntropy(output, target, dOutput, gradScale);
            case BINARY_CROSS_ENTROPY -> be.binaryCrossEntropyWithLogits(output, target, dOutput, gradScale);
            case MEAN_SQUARED_ERROR -> be.meanSquaredError(output, target, dOutput, gradScale);
        };
    }

    /**
     * The loss's gradient into {@code dOutput} and its sums into the device accumulator {@code acc} (loss sum,
     * correct, invalid targets, rows; see {@link Backend#softmaxCrossEntropy(Tensor, Tensor, Tensor, float,
     * Tensor)}); nothing is read back.
     */
    public void accumulate(Backend be, Tensor output, Tensor target, Tensor dOutput, float gradScale, Tensor acc) {
        switch (this) {
            case SOFTMAX_CROSS_ENTROPY -> be.softmaxCrossEntropy(output, target, dOutput, gradScale, acc);
            case BINARY_CROSS_ENTROPY -> be.binaryCrossEntropyWithLogits(output, target, dOutput, gradScale, acc);
            case MEAN_SQUARED_ERROR -> be.meanSquaredError(output, target, dOutput, gradScale, acc);
            default -> throw new IllegalStateException("unknown loss " + this);
        }
    }

    /** Whether a target value is one this loss accepts for a model with {@code outputs} outputs. */
    public boolean validTarget(float v, int outputs) {
        return switch (this) {
            case SOFTMAX_CROSS_ENTROPY -> outputs == 1 || (v == (int) v && v >= 0 && v < outputs);
            case BINARY_CROSS_ENTROPY -> v >= 0 && v <= 1;
            case MEAN_SQUARED_ERROR -> Float.isFinite(v);
        };
    }

    /** What a valid target of this loss is, for error messages. */
    public String targetRule(int outputs) {
        return switch (this) {
            case SOFTMAX_CROSS_ENTROPY -> "a class index in [0, " + (outputs - 1) + "] (the model has " + outputs
                + " outputs)";
            case BINARY_CROSS_ENTROPY -> "a value in [0, 1]";
            case MEAN_SQUARED_ERROR -> "a finite number";
        };
    }
}
