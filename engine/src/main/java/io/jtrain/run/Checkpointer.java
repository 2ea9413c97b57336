package io.jtrain.run;

import io.jtrain.job.JobSpec;
import io.jtrain.model.ModelFiles;
import io.jtrain.model.ModelJson;
import io.jtrain.model.ModelMeta;
import io.jtrain.nn.ModelSpec;
import io.jtrain.train.Trainer;
import io.jtrain.train.TrainingListener;

/**
 * Writes a run's files at every checkpoint moment: the checkpoint (model, optimizer and loop state), the
 * best model when a new best epoch finished, and the metrics — each atomically, so an interruption never
 * leaves a torn file.
 */
final class Checkpointer implements TrainingListener {
    private final RunDirectory run;
    private final JobSpec job;
    private final PreparedData data;
    private final ModelSpec spec;
    private final Trainer trainer;
    private boolean bestPending;
    private int bestEpoch;

    Checkpointer(RunDirectory run, JobSpec job, PreparedData data, ModelSpec spec, Trainer trainer) {
        this.run = run;
        this.job = job;
        this.data = data;
        this.spec = spec;
        this.trainer = trainer;
    }

    @Override
    public void epochEnd(EpochEnd e) {
        if (e.best()) {
            bestPending = true;
            bestEpoch = e.metrics().epoch();
        }
    }

    @Override
    public void checkpoint(Checkpoint c) {
        var st = c.state();
        ModelMeta meta = data.meta(spec, job, st.history.isEmpty() ? 0 : st.history.get(st.history.size() - 1).epoch());
        ModelFiles.saveCheckpoint(run.resolve(RunDirectory.CHECKPOINT), trainer.model(), trainer.optimizer(), st,
            ModelJson.toJson(meta).toString());
        if (bestPending) {
            ModelFiles.saveModel(run.resolve("best"), trainer.model(), data.meta(spec, job, bestEpoch));
            bestPending = false;
        }
        run.writeMetrics(st.history);
    }
}
