package io.jtrain.nn;

import io.jtrain.backend.Backend;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.List;

/**
 * One layer of a sequential model. Life cycle: built from a spec with its per-sample input shape (shape
 * errors are raised there, before any memory is allocated); {@link #bind} allocates and initialises
 * parameters; {@link #reserve} allocates activation buffers for the largest batch; then
 * {@link #forward} / {@link #backward} pairs run for batches of at most that size.
 *
 * <p>{@code backward} accumulates into the parameter gradients; zeroing them is the optimizer loop's
 * explicit job. The returned {@code dx} is overwritten each call (null when the layer was told its
 * input needs no gradient). Tensors returned by forward/backward belong to the layer and stay valid
 * until its next call.
 */
public interface Layer extends AutoCloseable {

    /** Position in the model (0-based); also the prefix of parameter names. */
    int index();

    /** The spec's type name, e.g. "conv2d". */
    String type();

    /** Per-sample input shape. */
    Shape inputShape();

    /** Per-sample output shape, inferred at build time. */
    Shape outputShape();

    /** Allocates parameters on {@code backend} and initialises them from {@code seed}. */
    void bind(Backend backend, long seed);

    /** Allocates activation buffers for batches of up to {@code maxBatch}; {@code needInputGrad} false skips dx. */
    void reserve(int maxBatch, boolean needInputGrad);

    /** Workspace floats this layer needs at batch size {@code batch} (shared across layers). */
    default long workspaceElements(int batch) {
        return 0;
    }

    /** The shared workspace, at least {@link #workspaceElements} long. */
    default void setWorkspace(Tensor workspace) {
    }

    /** y = layer(x) for x [N, inputShape...]. */
    Tensor forward(Tensor x, boolean training);

    /** dx from dy [N, outputShape...], accumulating parameter gradients. */
    Tensor backward(Tensor dy);

    /** Trainable parameters (empty for parameter-free layers). */
    List<Parameter> parameters();

    /** Non-trainable state saved with the model (batch-norm running statistics), with PyTorch names. */
    default List<NamedTensor> buffers() {
        return List.of();
    }

    /**
     * Bytes per sample of activation memory the layer holds in training (its output, its input gradient —
     * not for the first layer unless it always computes one — and masks), from its shapes alone.
     */
    long activationBytesPerSample();

    /** Trainable parameters, from the shapes alone (so before {@link #bind}). */
    default long parameterCount() {
        return 0;
    }

    /** Non-trainable saved values (batch norm's running statistics), from the shapes alone. */
    default long bufferCount() {
        return 0;
    }

    /** Whether the layer applies a learned weight matrix or kernel (dense, convolution): the diagnosis's "depth". */
    default boolean weighted() {
        return false;
    }

    /**
     * The layer's random-number counter (dropout's mask step), saved in checkpoints so that a resumed run
     * draws the same masks; 0 for layers without randomness.
     */
    default long rngCounter() {
        return 0;
    }

    /** Restores {@link #rngCounter} (on resume, and for repeatable diagnostic passes). */
    default void setRngCounter(long counter) {
    }

    /** Whether the layer draws random numbers in training (its counter is then part of a checkpoint). */
    default boolean random() {
        return false;
    }

    /** One-line configuration for summaries, e.g. "5x5 stride 1 pad 2". */
    default String config() {
        return "";
    }

    /** Releases all memory of this layer. */
    @Override
    void close();

    /** A named tensor. */
    record NamedTensor(String name, Tensor tensor) { }
}
