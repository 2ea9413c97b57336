package io.jtrain.cli;

import io.jtrain.cli.job.JobException;
import io.jtrain.cli.job.ResolvedJob;
import io.jtrain.data.DataLocator;
import io.jtrain.data.DataSplits;
import io.jtrain.data.Dataset;
import io.jtrain.data.Normalization;
import io.jtrain.data.Splits;
import io.jtrain.model.ModelMeta;
import io.jtrain.nn.ModelSpec;
import io.jtrain.nn.Sequential;
import io.jtrain.tensor.Shape;
import io.jtrain.util.CounterRng;
import java.nio.file.Path;
import java.util.List;

/**
 * Prepares what a job needs: data (loaded, validation split carved with the seed, normalisation fitted
 * on the training part only and applied to all splits) and the model specification with the input shape
 * taken from the data.
 */
public final class Session {
    private Session() { }

    /** Prepared data: normalised splits, the raw training split (for diagnosis) and the normalisation. */
    public record Data(Dataset train, Dataset validation, Dataset test, Normalization normalization, Dataset rawTrain) { }

    public static Data loadData(ResolvedJob job) {
        return loadData(job, DataLocator.Download.off());
    }

    public static Data loadData(ResolvedJob job, DataLocator.Download download) {
        DataSplits raw = DataLocator.load(job.data(), job.dataDir() == null ? null : Path.of(job.dataDir()),
            job.labelColumn(), job.regression(), download);
        Dataset train = raw.train();
        if (job.limit() != null && job.limit() > 0 && job.limit() < train.size()) {
            train = train.subset(Splits.permutation(train.size(), CounterRng.derive(job.training().seed(), -1)),
                train.name()).head(job.limit());
        }
        Dataset[] tv = Splits.carve(train, job.validation(), CounterRng.derive(job.training().seed(), -2));
        Normalization norm = Normalization.fit(job.normalization(), tv[0]);
        return new Data(norm.applyTo(tv[0]), norm.applyTo(tv[1]), norm.applyTo(raw.test()), norm, tv[0]);
    }

    /** The model spec with the input shape from the data (or the job, which must then agree). */
    public static ModelSpec spec(ResolvedJob job, Dataset train) {
        Shape in = train.sampleShape();
        List<Integer> declared = job.input();
        if (declared != null) {
            Shape d = Shape.of(declared.stream().mapToInt(Integer::intValue).toArray());
            if (!d.equals(in)) {
                throw new JobException(job.source() + ": model.input " + d + " does not match the data's sample shape "
                    + in + "; remove model.input or fix it");
            }
        }
        return new ModelSpec(in, job.layers());
    }

    /** The model spec as it would be for the job's data set, without loading data (for summary). */
    public static Sequential buildModel(ModelSpec spec) {
        return Sequential.build(spec);
    }

    public static ModelMeta meta(ModelSpec spec, ResolvedJob job, Data data, int epoch) {
        return new ModelMeta(spec, job.loss().id(), data.normalization(), data.train().classNames(), epoch);
    }
}
