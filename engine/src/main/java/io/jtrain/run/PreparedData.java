package io.jtrain.run;

import io.jtrain.data.DataLocator;
import io.jtrain.data.DataSplits;
import io.jtrain.data.Dataset;
import io.jtrain.data.Normalization;
import io.jtrain.data.Splits;
import io.jtrain.job.JobException;
import io.jtrain.job.JobSpec;
import io.jtrain.model.ModelMeta;
import io.jtrain.nn.ModelSpec;
import io.jtrain.tensor.Shape;
import io.jtrain.util.CounterRng;
import java.nio.file.Path;
import java.util.List;

/**
 * A job's data, ready to train on: loaded, limited ({@code data.limit}, a seeded subset), the validation
 * split carved with the seed, normalisation fitted on the training part only and applied to every split;
 * the raw training split is kept for the doctor's checks.
 */
public record PreparedData(Dataset train, Dataset validation, Dataset test, Normalization normalization,
                           Dataset rawTrain) {

    /** Loads and prepares the job's data (downloading only when {@code download} allows it). */
    public static PreparedData load(JobSpec job, DataLocator.Download download) {
        JobSpec.Data d = job.data();
        DataSplits raw = DataLocator.load(d.name(), d.dir() == null ? null : Path.of(d.dir()), d.labelColumn(),
            job.regression(), download);
        return prepare(job, raw.train(), raw.test());
    }

    /** Prepares given splits as {@link #load} does (for Java users with their own data). */
    public static PreparedData prepare(JobSpec job, Dataset train, Dataset test) {
        Dataset t = train;
        Integer limit = job.data().limit();
        long seed = job.training().seed();
        if (limit != null && limit > 0 && limit < t.size()) {
            t = t.subset(Splits.permutation(t.size(), CounterRng.derive(seed, -1)), t.name()).head(limit);
        }
        Dataset[] tv = Splits.carve(t, job.data().validation(), CounterRng.derive(seed, -2));
        Normalization norm = Normalization.fit(job.normalizationMode(), tv[0]);
        return new PreparedData(norm.applyTo(tv[0]), norm.applyTo(tv[1]), test == null ? null : norm.applyTo(test),
            norm, tv[0]);
    }

    /** The model spec with the input shape from the data (the job's model.input, if given, must agree). */
    public ModelSpec modelSpec(JobSpec job) {
        Shape in = train.sampleShape();
        List<Integer> declared = job.model().input();
        if (declared != null) {
            Shape d = Shape.of(declared.stream().mapToInt(Integer::intValue).toArray());
            if (!d.equals(in)) {
                throw new JobException("model.input " + d + " does not match the data's sample shape " + in
                    + "; remove model.input or fix it");
            }
        }
        return new ModelSpec(in, job.layers());
    }

    /** What is saved beside a model's weights. */
    public ModelMeta meta(ModelSpec spec, JobSpec job, int epoch) {
        return new ModelMeta(spec, job.lossFunction().id(), normalization, train.classNames(), epoch);
    }

    public int validationSize() {
        return validation == null ? 0 : validation.size();
    }

    public int testSize() {
        return test == null ? 0 : test.size();
    }
}
