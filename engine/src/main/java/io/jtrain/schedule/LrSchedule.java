package io.jtrain.schedule;

/**
 * The learning rate as a function of training progress. {@link #lr} is called before every optimizer
 * step; {@link #epochEnd} after every epoch with the monitored metric (for reduce-on-plateau).
 * Epochs are 0-based here.
 */
public interface LrSchedule {

    /** Learning rate for step {@code step} (0-based) of epoch {@code epoch} with {@code stepsPerEpoch} steps. */
    double lr(int epoch, int step, int stepsPerEpoch);

    /**
     * Called after each epoch with the monitored metric (NaN when there is none) and whether higher values
     * of it are better (accuracy) or lower (loss).
     */
    default void epochEnd(int epoch, double metric, boolean higherIsBetter) {
    }

    /** Mutable state for checkpoints (reduce-on-plateau), or an empty array. */
    default double[] state() {
        return new double[0];
    }

    default void restore(double[] state) {
    }
}
