package io.jtrain.run;

import io.jtrain.backend.Backend;
import io.jtrain.backend.DeviceSelection;
import io.jtrain.data.DataException;
import io.jtrain.data.DataLocator;
import io.jtrain.data.DataSplits;
import io.jtrain.data.Dataset;
import io.jtrain.job.JobSpec;
import io.jtrain.loss.Loss;
import io.jtrain.model.ModelFiles;
import io.jtrain.model.ModelMeta;
import io.jtrain.train.Evaluation;
import io.jtrain.train.Evaluator;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Evaluates a saved model on held-out data — {@code jtrain eval} and Java users alike. The data is the test
 * split of the data set the model's run trained on (read from the run's job.yaml), or a given data set:
 * its test split, or all of it when it has none (a CSV file). Before any pass the data is checked against
 * the model: the sample shape, the feature columns of tabular models, and every label against the model's
 * outputs (named by file row); a mismatch is a {@link DataException} (exit 3), never an internal error or a
 * silently meaningless accuracy.
 */
public final class EvaluationRun {
    private final Path modelDir;
    private String data;
    private Path dataDir;
    private int batchSize = 256;
    private TrainingRun.Options opts = TrainingRun.Options.defaults();
    private String device = "auto";
    private Backend backend;
    private Consumer<String> notices = s -> { };

    /**
     * What an evaluation found.
     *
     * @param data the data set's name and split evaluated
     * @param device the device it ran on
     */
    public record Result(Path model, String data, String device, Evaluation evaluation, String[] classNames) { }

    private EvaluationRun(Path modelDir) {
        this.modelDir = modelDir;
    }

    /** An evaluation of the model in {@code modelDir} (e.g. {@code RUN/best}). */
    public static EvaluationRun of(Path modelDir) {
        return new EvaluationRun(modelDir);
    }

    /** Evaluates on this data set (a name or a path) instead of the run's. */
    public EvaluationRun data(String nameOrPath) {
        this.data = nameOrPath;
        return this;
    }

    /** The folder holding one folder per named data set. */
    public EvaluationRun dataDir(Path dir) {
        this.dataDir = dir;
        return this;
    }

    public EvaluationRun batchSize(int n) {
        if (n < 1) {
            throw new io.jtrain.util.UsageException("--batch-size must be at least 1, got " + n);
        }
        this.batchSize = n;
        return this;
    }

    /** The device (auto, cpu, cuda, cuda:N) and its options (memory limit, GPU flags, threads). */
    public EvaluationRun device(String d, TrainingRun.Options o) {
        this.device = DeviceSelection.validate(d, "--device");
        this.opts = o;
        return this;
    }

    /** Evaluates on this backend (not closed) instead of choosing a device. */
    public EvaluationRun backend(Backend be) {
        this.backend = be;
        return this;
    }

    /** Receives one line per decision worth telling: the device, the data used. */
    public EvaluationRun notices(Consumer<String> n) {
        this.notices = n;
        return this;
    }

    /** Loads the model and the data, checks them against each other, and evaluates. */
    public Result run() {
        ModelMeta meta = ModelFiles.readMeta(modelDir);
        if (backend != null) {
            return evaluate(backend, backend.device(), meta);
        }
        try (OpenDevice dev = OpenDevice.of(device, opts, notices)) {
            return evaluate(dev.backend(), dev.device(), meta);
        }
    }

    /** Loads the weights (a corrupt model is found before the data is read), then the data, then evaluates. */
    private Result evaluate(Backend be, String dev, ModelMeta meta) {
        try (ModelFiles.Loaded m = ModelFiles.loadModel(modelDir, be)) {
            Dataset d = heldOut(meta);
            Loss loss = Loss.parse(meta.loss());
            if (meta.targets().oneHot()) {
                d = io.jtrain.data.Targets.oneHot(d, meta.classNames().length, meta.targets().labelSmoothing());
            }
            try (Evaluator ev = Evaluator.create(m.model(), loss, batchSize, d.targetSize(), meta.accuracyRule())) {
                Evaluation e = ev.evaluate(meta.normalization().applyTo(d));
                return new Result(modelDir, d.name(), dev, e, meta.classNames());
            }
        }
    }

    /**
     * The data to evaluate, checked against the model: the run's test split (its test file or held-out rows
     * for CSV data), or every sample of {@code --data} — a CSV read with the model's feature columns and class
     * names.
     */
    private Dataset heldOut(ModelMeta meta) {
        boolean explicit = data != null;
        JobSpec job = RunDirectory.jobOf(modelDir);
        if (!explicit && job == null) {
            throw new io.jtrain.util.UsageException(modelDir + ": no job.yaml of its run beside it (looked in "
                + modelDir + " and the two folders above); name the data with --data");
        }
        String name = explicit ? data : job.data().name();
        Path dir = dataDir != null ? dataDir : job != null && job.data().dir() != null ? Path.of(job.data().dir())
            : null;
        boolean regression = !meta.targets().classification();
        DataSplits s;
        if (!explicit) {
            s = PreparedData.raw(job, io.jtrain.data.DataLocator.Download.off());
            if (s.nonFinite() != null) {
                throw new DataException(s.nonFinite().message());
            }
        } else {
            java.util.List<String> labels = job == null ? null : job.data().labelColumns() != null
                ? job.data().labelColumns() : job.data().labelColumn() == null ? null : java.util.List.of(job.data()
                .labelColumn());
            boolean single = meta.targets().classification() && !meta.targets().task().equals("multilabel");
            s = DataLocator.load(name, dir, new io.jtrain.data.CsvData.Options(labels, regression, null,
                single ? meta.classNames() : null, meta.features()));
        }
        Dataset d = s.test();
        DataSplits.Origin origin = s.testOrigin();
        if (d == null) {
            if (!explicit) {
                throw new DataException("the run's data '" + name + "' has no test split (all of it was used for "
                    + "training and validation); pass --data with held-out samples");
            }
            d = s.train();
            origin = s.trainOrigin();
            notices.accept("data: " + name + " has no test split; evaluating all " + d.size() + " of its samples");
        }
        check(meta, d, s.features(), origin);
        return d;
    }

    /** The data's sample shape, feature columns and labels against the model's. */
    static void check(ModelMeta meta, Dataset d, String[] features, DataSplits.Origin origin) {
        if (!d.sampleShape().equals(meta.spec().input())) {
            throw new DataException(d.name() + ": samples of shape " + d.sampleShape() + ", but the model takes "
                + meta.spec().input() + "; evaluate it on data like the data it was trained on");
        }
        if (meta.features() != null && features != null && !Arrays.equals(meta.features(), features)) {
            throw new DataException(d.name() + ": feature columns " + String.join(", ", features) + ", but the model "
                + "was trained on " + String.join(", ", meta.features()) + "; the columns must match in name and "
                + "order");
        }
        int outputs;
        try (io.jtrain.nn.Sequential m = io.jtrain.nn.Sequential.build(meta.spec())) {
            outputs = (int) m.outputShape().size();
        }
        DataPreflight.checkTargets(d, meta.targets().oneHot() ? Loss.SOFTMAX_CROSS_ENTROPY : Loss.parse(meta.loss()),
            outputs, origin);
    }
}
