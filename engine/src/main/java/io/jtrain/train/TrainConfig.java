package io.jtrain.train;

import io.jtrain.data.Augmentation;

/**
 * How to train: epochs, batch size (the micro-batch when accumulating), whether to drop the last partial
 * batch, the run seed, gradient accumulation, early stopping, step checkpoints and augmentation.
 *
 * @param accumulation micro-batches per optimizer step (1 = none); the effective batch is batchSize * accumulation
 * @param checkpointEverySteps also checkpoint every N optimizer steps (0 = only at epoch ends)
 * @param evalBatchSize batch size of validation and test passes
 */
public record TrainConfig(int epochs, int batchSize, boolean dropLast, long seed, int accumulation,
                          EarlyStopping.Config earlyStopping, int checkpointEverySteps, Augmentation augmentation,
                          int evalBatchSize) {
    public TrainConfig {
        if (epochs < 1) {
            throw new io.jtrain.util.UsageException("epochs must be at least 1, got " + epochs);
        }
        if (batchSize < 1) {
            throw new io.jtrain.util.UsageException("batch size must be at least 1, got " + batchSize);
        }
        if (accumulation < 1) {
            throw new io.jtrain.util.UsageException("gradient accumulation must be at least 1, got " + accumulation);
        }
        if (evalBatchSize < 1) {
            throw new io.jtrain.util.UsageException("evaluation batch size must be at least 1, got " + evalBatchSize);
        }
    }

    public static TrainConfig basic(int epochs, int batchSize, long seed) {
        return new TrainConfig(epochs, batchSize, false, seed, 1, EarlyStopping.Config.off(), 0, Augmentation.none(),
            batchSize);
    }
}
