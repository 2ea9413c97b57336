package io.jtrain.run;

import io.jtrain.job.JobSpec;
import io.jtrain.nn.ModelSpec;
import io.jtrain.train.EpochMetrics;
import io.jtrain.train.Evaluation;
import java.nio.file.Path;
import java.util.List;

/**
 * What a run produced: the job it ran, the device, every epoch's metrics (resumed runs include the epochs
 * before the interruption), the best epoch by the monitored metric, whether it stopped early, the test
 * evaluation of the final weights (null without a test split), its directory (null in memory), the class
 * names and the model spec.
 */
public record RunResult(JobSpec job, String device, List<EpochMetrics> history, int bestEpoch, boolean stoppedEarly,
                        Evaluation test, Path runDir, String[] classNames, ModelSpec model) {
    public RunResult {
        history = List.copyOf(history);
    }

    /** The last epoch's metrics, or null when no epoch ran. */
    public EpochMetrics last() {
        return history.isEmpty() ? null : history.get(history.size() - 1);
    }
}
