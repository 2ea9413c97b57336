package io.jtrain.cli;

import io.jtrain.backend.Backend;
import io.jtrain.cli.job.ResolvedJob;
import io.jtrain.nn.ModelSpec;
import io.jtrain.probe.ProbeResult;
import io.jtrain.tensor.OutOfMemoryException;
import io.jtrain.train.TrainConfig;
import java.io.PrintWriter;
import java.util.Locale;

/** {@code train --batch-size auto}: probe first, train with the recommended size, and say why. */
final class AutoBatch {
    private AutoBatch() { }

    static ResolvedJob choose(ResolvedJob job, ModelSpec spec, Backend be, int trainSize, PrintWriter err) {
        err.println("batch size auto: probing on " + be.device() + " (up to " + trainSize + ", the training-set size)");
        ProbeResult r = ProbeCommand.probe(be, spec, job, new ProbeCommand.Settings(null, trainSize,
            io.jtrain.probe.BatchProbe.DEFAULT_MARGIN, null, 4), err);
        if (r.maxBatchSize() == 0) {
            throw new OutOfMemoryException(be.device(), io.jtrain.tensor.MemoryCategory.ACTIVATIONS, 0,
                be.pool().inUseBytes(), be.pool().capacityBytes(), -1, -1);
        }
        err.println(String.format(Locale.ROOT, "batch size auto: using %d — the fastest measured size at or below "
            + "90 %% of the largest that fits (%d)%s", r.recommendedBatchSize(), r.maxBatchSize(),
            r.plateauBatchSize() == null ? "" : "; throughput plateaus from " + r.plateauBatchSize()));
        TrainConfig t = job.training();
        int b = r.recommendedBatchSize();
        TrainConfig nt = new TrainConfig(t.epochs(), b, t.dropLast(), t.seed(), t.accumulation(), t.earlyStopping(),
            t.checkpointEverySteps(), t.augmentation(), job.job().training.evalBatchSize == null ? Math.max(b, 256)
                : t.evalBatchSize());
        job.job().training.batchSize = Integer.toString(b);
        return new ResolvedJob(job.job(), job.source(), job.data(), job.dataDir(), job.validation(),
            job.normalization(), job.labelColumn(), job.regression(), job.limit(), job.preset(), job.input(),
            job.layers(), job.loss(), job.optimizer(), job.lr(), job.schedule(), nt, false, job.device(), job.output());
    }
}
