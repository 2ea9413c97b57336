package io.jtrain.run;

import io.jtrain.diagnose.Finding;
import io.jtrain.job.JobSpec;
import io.jtrain.train.TrainingListener;
import java.nio.file.Path;

/**
 * Observes a {@link TrainingRun}: the training loop's events ({@link TrainingListener}) plus the run's own —
 * it started (the device and the data), a one-line notice (a capped batch, a changed execution option, the
 * model the run finishes with), a finding of the live doctor, and the result. Every event is an immutable
 * record; all methods are optional.
 */
public interface RunListener extends TrainingListener {

    /**
     * The run is about to train: the device and why, the backend's description, the data's name and split
     * sizes, the first epoch (above 1 when resumed), the job it runs, its directory (null in memory), and the
     * model being trained (to read, never to change; null when not given).
     */
    record Started(String device, String deviceReason, String backend, String data, int trainSamples,
                   int validationSamples, int testSamples, int firstEpoch, JobSpec job, Path runDir,
                   io.jtrain.nn.Sequential model) {
        public Started(String device, String deviceReason, String backend, String data, int trainSamples,
                       int validationSamples, int testSamples, int firstEpoch, JobSpec job, Path runDir) {
            this(device, deviceReason, backend, data, trainSamples, validationSamples, testSamples, firstEpoch, job,
                runDir, null);
        }
    }

    default void started(Started s) {
    }

    /** A one-line notice for the user (printed by the command line as is). */
    default void notice(String line) {
    }

    /** A finding of the live doctor (pre-flight checks or sampled during training). */
    default void finding(Finding f) {
    }

    default void finished(RunResult result) {
    }
}
