package io.jtrain.run;

import io.jtrain.data.DataLocator;
import io.jtrain.data.DataSplits;
import io.jtrain.data.Dataset;
import io.jtrain.data.Normalization;
import io.jtrain.data.Splits;
import io.jtrain.data.Targets;
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
 * the raw training split is kept for the doctor's checks, and the splits as loaded for checks that name the
 * file row of a sample.
 *
 * @param loaded the data as loaded (before limit, split and normalisation), or null when given prepared
 */
public record PreparedData(Dataset train, Dataset validation, Dataset test, Normalization normalization,
                           Dataset rawTrain, DataSplits loaded) {

    /** Prepared splits without the data as loaded. */
    public PreparedData(Dataset train, Dataset validation, Dataset test, Normalization normalization,
                        Dataset rawTrain) {
        this(train, validation, test, normalization, rawTrain, null);
    }

    /**
     * Loads and prepares the job's data (downloading only when {@code download} allows it); non-finite input
     * values are refused with their file:line:column.
     */
    public static PreparedData load(JobSpec job, DataLocator.Download download) {
        PreparedData p = loadLenient(job, download);
        if (p.loaded().nonFinite() != null) {
            throw new io.jtrain.data.DataException(p.loaded().nonFinite().message());
        }
        return p;
    }

    /** As {@link #load}, keeping non-finite values (reported in {@code loaded().nonFinite()}; the doctor's). */
    public static PreparedData loadLenient(JobSpec job, DataLocator.Download download) {
        DataSplits raw = raw(job, download);
        if (job.data().validation().test() && raw.test() == null) {
            throw new JobException("data.validation: test, but the data '" + job.data().name() + "' has no test "
                + "split; give data.test_file or data.test_fraction, or carve the validation split (data.validation: "
                + "0.1)");
        }
        PreparedData p = raw.validation() != null ? prepare(job, raw.train(), raw.validation(), raw.test())
            : prepare(job, raw.train(), raw.test());
        return new PreparedData(p.train, p.validation, p.test, p.normalization, p.rawTrain, raw);
    }

    /** The job's data as loaded: the named set, folder or CSV (with its test file or held-out test rows). */
    public static DataSplits raw(JobSpec job, DataLocator.Download download) {
        JobSpec.Data d = job.data();
        boolean csv = d.name().toLowerCase(java.util.Locale.ROOT).endsWith(".csv");
        if (!csv && (d.testFile() != null || d.testFraction() > 0 || d.labelColumns() != null
            || d.categorical() != null)) {
            throw new JobException((d.testFile() != null ? "data.test_file" : d.testFraction() > 0
                ? "data.test_fraction" : d.labelColumns() != null ? "data.label_columns" : "data.categorical")
                + " applies to CSV data, but data.name is '" + d.name() + "'");
        }
        io.jtrain.data.CsvData.Options o = new io.jtrain.data.CsvData.Options(d.labelColumns() != null
            ? d.labelColumns() : d.labelColumn() == null ? null : List.of(d.labelColumn()), job.regression(),
            d.categorical(), null, null);
        if (csv && d.testFile() != null) {
            io.jtrain.data.CsvData.Loaded[] l = io.jtrain.data.CsvData.load(Path.of(d.name()), Path.of(d.testFile()), o);
            return l[0].withTest(l[1]);
        }
        if (csv && d.testFraction() > 0) {
            return io.jtrain.data.CsvData.load(Path.of(d.name()), o).holdOut(d.testFraction(),
                CounterRng.derive(job.training().seed(), -3));
        }
        io.jtrain.data.ImageFolder.Options images = new io.jtrain.data.ImageFolder.Options(d.channels() == null ? 0
            : d.channels(), d.imageSize() == null ? 0 : d.imageSize().get(0), d.imageSize() == null ? 0
            : d.imageSize().get(1));
        return DataLocator.loadLenient(d.name(), d.dir() == null ? null : Path.of(d.dir()), o, download, images);
    }

    /** Prepares splits whose validation part is given (an image folder's val/): no carving. */
    static PreparedData prepare(JobSpec job, Dataset train, Dataset validation, Dataset test) {
        Dataset t = train;
        Integer limit = job.data().limit();
        if (limit != null && limit > 0 && limit < t.size()) {
            t = t.subset(Splits.permutation(t.size(), CounterRng.derive(job.training().seed(), -1)), t.name())
                .head(limit);
        }
        Dataset v = job.data().validation().test() && test != null ? test : validation;
        Normalization norm = Normalization.fit(job.normalizationMode(), t);
        return targets(job, new PreparedData(norm.applyTo(t), norm.applyTo(v), test == null ? null
            : norm.applyTo(test), norm, t));
    }

    /**
     * Prepares given splits as {@link #load} does (for Java users with their own data): the limit, the
     * validation split carved (or the test split itself with {@code data.validation: test}), normalisation
     * fitted on the training part, class labels made one-hot where the job's loss needs it.
     */
    public static PreparedData prepare(JobSpec job, Dataset train, Dataset test) {
        Dataset t = train;
        Integer limit = job.data().limit();
        long seed = job.training().seed();
        if (limit != null && limit > 0 && limit < t.size()) {
            t = t.subset(Splits.permutation(t.size(), CounterRng.derive(seed, -1)), t.name()).head(limit);
        }
        boolean fromTest = job.data().validation().test() && test != null;
        Dataset[] tv = fromTest ? new Dataset[] {t, test}
            : Splits.carve(t, job.data().validation().carve(), CounterRng.derive(seed, -2));
        Normalization norm = Normalization.fit(job.normalizationMode(), tv[0]);
        return targets(job, new PreparedData(norm.applyTo(tv[0]), norm.applyTo(tv[1]), test == null ? null
            : norm.applyTo(test), norm, tv[0]));
    }

    /** The splits with one-hot (label-smoothed) targets when the job needs them ({@link JobSpec#oneHotTargets}). */
    private static PreparedData targets(JobSpec job, PreparedData p) {
        int classes = Math.max(p.train.numClasses(), p.test == null ? 0 : p.test.numClasses());
        if (p.train.targetSize() != 1 || !job.oneHotTargets(classes)) {
            return p;
        }
        double eps = job.data().labelSmoothing();
        return new PreparedData(Targets.oneHot(p.train, classes, eps), Targets.oneHot(p.validation, classes, eps),
            Targets.oneHot(p.test, classes, eps), p.normalization, p.rawTrain, p.loaded);
    }

    /** Whether the targets were made one-hot from class labels (the raw labels are then in {@link #rawTrain}). */
    public boolean oneHot() {
        return rawTrain != null && rawTrain.targetSize() == 1 && train.targetSize() > 1;
    }

    /** How accuracy is counted for the job on this data. */
    public io.jtrain.train.AccuracyRule accuracyRule(JobSpec job) {
        return io.jtrain.train.AccuracyRule.of(job.lossFunction(), job.data().classification(), oneHot());
    }

    /** What model.json records of the targets. */
    public ModelMeta.Targets targetsMeta(JobSpec job) {
        return new ModelMeta.Targets(job.regression() ? "regression" : job.data().multiLabel() ? "multilabel"
            : "classification", oneHot(), oneHot() ? job.data().labelSmoothing() : 0);
    }

    /**
     * The job's per-sample input shape without loading image data: {@code model.input}, the shape of a named
     * image data set, or (tabular data) the loaded file's.
     */
    public static Shape inputShape(JobSpec job) {
        if (job.model().input() != null) {
            return Shape.of(job.model().input().stream().mapToInt(Integer::intValue).toArray());
        }
        return switch (job.data().name()) {
            case "cifar10" -> Shape.of(3, 32, 32);
            case "embedded", "mnist", "fashion-mnist" -> Shape.of(1, 28, 28);
            default -> load(job, DataLocator.Download.off()).train().sampleShape();
        };
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
        return new ModelSpec(in, job.model().preset() != null ? presetOutputs(job, job.layers())
            : ownOutputs(job, job.layers()));
    }

    /**
     * A layer list's last dense layer: {@code units: auto} (or no units) is sized from the data, with the same
     * rule as presets; an explicit count above the data's classes is refused naming the layer (one below is
     * refused when the first label beyond it is checked, by its file row).
     */
    List<io.jtrain.nn.LayerSpec> ownOutputs(JobSpec job, List<io.jtrain.nn.LayerSpec> layers) {
        int last = -1;
        for (int i = layers.size() - 1; i >= 0 && last < 0; i--) {
            last = layers.get(i).type().equals("dense") ? i : -1;
        }
        if (last < 0) {
            return layers;
        }
        io.jtrain.nn.LayerSpec l = layers.get(last);
        Object units = l.options().get("units");
        int want = outputsWanted(job);
        if (units == null || "auto".equals(units)) {
            if (want <= 0) {
                throw new JobException("model.layers[" + last + "] (dense): units: auto needs data whose classes or "
                    + "targets say how many outputs; give the number of units");
            }
            List<io.jtrain.nn.LayerSpec> out = new java.util.ArrayList<>(layers);
            java.util.Map<String, Object> o = new java.util.LinkedHashMap<>(l.options());
            o.put("units", want);
            out.set(last, new io.jtrain.nn.LayerSpec(l.type(), o));
            return out;
        }
        boolean classIndices = !job.regression() && job.lossFunction().classIndexTargets() && train.targetSize() == 1;
        if (classIndices && want > 0 && units instanceof Number n && n.intValue() > want) {
            throw new JobException("model.layers[" + last + "] (dense): units " + n.intValue() + ", but the data has "
                + want + " classes; set units: " + want + " or units: auto");
        }
        return layers;   // fewer units than labels need: the first such label is named by its file row
    }

    /**
     * A preset's last dense layer sized to the data: one unit per class (one for binary cross-entropy with a
     * single target, the target count for regression), so the {@code mlp} preset trains a 3-class CSV with 3
     * outputs, not 10. Layers given in the job file are kept as written (their outputs are checked instead).
     */
    List<io.jtrain.nn.LayerSpec> presetOutputs(JobSpec job, List<io.jtrain.nn.LayerSpec> layers) {
        int want = outputsWanted(job);
        if (job.model().preset() == null || want <= 0) {
            return layers;
        }
        List<io.jtrain.nn.LayerSpec> out = new java.util.ArrayList<>(layers);
        for (int i = out.size() - 1; i >= 0; i--) {
            io.jtrain.nn.LayerSpec l = out.get(i);
            if (l.type().equals("dense")) {
                java.util.Map<String, Object> o = new java.util.LinkedHashMap<>(l.options());
                o.put("units", want);
                out.set(i, new io.jtrain.nn.LayerSpec(l.type(), o));
                break;
            }
        }
        return out;
    }

    /** The output units the data needs, or 0 when it cannot say. */
    int outputsWanted(JobSpec job) {
        if (job.regression() || train.targetSize() > 1) {
            return train.targetSize();
        }
        if (job.lossFunction() == io.jtrain.loss.Loss.BINARY_CROSS_ENTROPY) {
            return 1;
        }
        int classes = train.numClasses();
        if (loaded != null && loaded.test() != null) {
            classes = Math.max(classes, loaded.test().numClasses());
        }
        return classes >= 2 ? classes : 0;
    }

    /** What is saved beside a model's weights. */
    public ModelMeta meta(ModelSpec spec, JobSpec job, int epoch) {
        return new ModelMeta(spec, job.lossFunction().id(), normalization, train.classNames(), epoch,
            loaded == null ? null : loaded.features(), targetsMeta(job));
    }

    public int validationSize() {
        return validation == null ? 0 : validation.size();
    }

    public int testSize() {
        return test == null ? 0 : test.size();
    }
}
