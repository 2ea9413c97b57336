package io.jtrain.train;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a run is, for checkpoints and resume: the next epoch (1-based) and the optimizer steps already
 * taken in it, the history so far, early-stopping and schedule state, the optimizer's step counter and
 * each dropout layer's mask counter. Shuffling and augmentation are derived from (seed, epoch), so no
 * generator state beyond these counters is needed.
 */
public final class TrainState {
    public int epoch = 1;
    public int stepInEpoch;
    public double epochLossSum;
    public double epochCorrect;
    public long epochSamples;
    public double epochStartSeconds;
    public List<EpochMetrics> history = new ArrayList<>();
    public double[] earlyStopping = new double[0];
    public double[] schedule = new double[0];
    public long optimizerSteps;
    public long[] dropoutSteps = new long[0];
    public boolean finished;
    public int stoppedEarlyAt;

    /** A copy (listeners receive copies; the loop keeps the original). */
    public TrainState copy() {
        TrainState c = new TrainState();
        c.epoch = epoch;
        c.stepInEpoch = stepInEpoch;
        c.epochLossSum = epochLossSum;
        c.epochCorrect = epochCorrect;
        c.epochSamples = epochSamples;
        c.epochStartSeconds = epochStartSeconds;
        c.history = new ArrayList<>(history);
        c.earlyStopping = earlyStopping.clone();
        c.schedule = schedule.clone();
        c.optimizerSteps = optimizerSteps;
        c.dropoutSteps = dropoutSteps.clone();
        c.finished = finished;
        c.stoppedEarlyAt = stoppedEarlyAt;
        return c;
    }
}
