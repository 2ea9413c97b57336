package io.jtrain.tensor;

/**
 * A second copy of a host tensor's values that a backend keeps elsewhere — on the CPU, in oneDNN's blocked
 * layout, so that consecutive oneDNN ops hand their results to each other without reordering through NCHW.
 * Attached to the tensor's storage ({@link Tensor#attachShadow}); the storage tracks whether it holds the current
 * values ({@link Tensor#shadowWritten}, {@link Tensor#shadowFilled}) and, before any host access to a storage whose
 * own memory is stale, has it write them back — so every reader of {@link Tensor#mem()} sees the values in jtrain's
 * layout, and nothing outside the backend ever sees a shadow (the protocol of Caffe's SyncedMemory).
 */
public interface Shadow extends AutoCloseable {
    /** Writes the values into the storage's own memory at {@code address}, in the tensor's plain layout. */
    void writeBack(long address);

    /** Releases what the shadow holds (called when the storage is released or the shadow replaced). */
    @Override
    void close();
}
