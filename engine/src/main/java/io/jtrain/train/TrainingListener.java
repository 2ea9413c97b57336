package io.jtrain.train;

/**
 * Observes the training loop (progress display, metrics, checkpoints, diagnosis). Each event is an
 * immutable record; the checkpoint event carries a snapshot of the loop's state, never the live state. All
 * methods are optional. Order: {@code epochStart}, then per optimizer step {@code stepEnd} (and a
 * {@code checkpoint} every N steps when asked, or when interrupted), then {@code epochEnd} and the epoch's
 * {@code checkpoint}.
 */
public interface TrainingListener {

    /** An epoch of {@code steps} optimizer steps begins (epochs count from 1). */
    record EpochStart(int epoch, int steps) { }

    /**
     * An optimizer step ended: the epoch's running mean loss and accuracy (null for regression) so far, the
     * samples processed in the epoch, and the learning rate the step used.
     */
    record StepEnd(int epoch, int step, int steps, double loss, Double accuracy, long samples, double lr) { }

    /** An epoch ended, with its metrics and whether it is the best so far (by the monitored metric). */
    record EpochEnd(EpochMetrics metrics, boolean best) { }

    /**
     * A moment to checkpoint: after every epoch ({@code epochBoundary}), every N steps, and when interrupted.
     * {@code state} is a copy: where to resume from (the next epoch, or the step within the current one).
     */
    record Checkpoint(TrainState state, boolean epochBoundary) { }

    default void epochStart(EpochStart e) {
    }

    default void stepEnd(StepEnd e) {
    }

    default void epochEnd(EpochEnd e) {
    }

    default void checkpoint(Checkpoint c) {
    }
}
