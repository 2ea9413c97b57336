package io.jtrain.train;

/** Observes a training run (progress display, metrics logs, checkpoints, diagnosis). All methods optional. */
public interface TrainingListener {

    default void epochStart(int epoch, int steps) {
    }

    /** After each optimizer step; {@code samples} processed so far in this epoch. */
    default void stepEnd(int epoch, int step, int steps, double loss, int samples) {
    }

    default void epochEnd(EpochMetrics metrics, boolean best) {
    }

    /** A checkpoint moment: after each epoch, every N steps, and when interrupted. */
    default void checkpoint(TrainState state, boolean epochBoundary) {
    }
}
