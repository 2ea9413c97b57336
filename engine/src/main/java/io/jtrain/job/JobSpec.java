package io.jtrain.job;

import io.jtrain.data.Augmentation;
import io.jtrain.data.Normalization;
import io.jtrain.loss.Loss;
import io.jtrain.model.Presets;
import io.jtrain.nn.LayerSpec;
import io.jtrain.optim.DecayTarget;
import io.jtrain.optim.OptimizerConfig;
import io.jtrain.schedule.ScheduleConfig;
import io.jtrain.train.EarlyStopping;
import io.jtrain.train.TrainConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training job with every key resolved: immutable records, every default applied (in {@link JobResolver},
 * the one place defaults live), every value validated. Its YAML ({@link #toYaml}) lists every key, and
 * loading that YAML gives an equal spec. Any key can be changed by its job-file path with {@link #with}
 * (the same validation and messages as the file); the typed withers below are shortcuts. The engine's
 * configurations ({@link #trainConfig}, {@link #optimizerConfig}, ...) are derived from it.
 *
 * @param loss the loss's name (see {@link Loss#parse})
 * @param output the run directory
 */
public record JobSpec(Data data, Model model, String loss, Optimizer optimizer, Schedule schedule, Training training,
                      Evaluation evaluation, String output) {

    /** A job with the default evaluation (the validation split after every epoch). */
    public JobSpec(Data data, Model model, String loss, Optimizer optimizer, Schedule schedule, Training training,
                   String output) {
        this(data, model, loss, optimizer, schedule, training, Evaluation.DEFAULT, output);
    }

    /**
     * {@code data}: where the data comes from and how it is prepared.
     *
     * @param labelColumns several label columns of a CSV (multi-label classification, or several regression
     *     targets); null for one ({@code labelColumn})
     * @param labelSmoothing ε of label smoothing: one-hot class targets become (1 - ε) one-hot + ε / classes
     * @param testFile a CSV file of held-out test rows, or null
     * @param testFraction the fraction of a CSV's rows held out as its test split (0: none)
     * @param categorical feature columns one-hot encoded even though their values are numbers (columns whose
     *     values are not numbers always are); null for none
     */
    public record Data(String name, String dir, Validation validation, String normalization, String labelColumn,
                       String task, Integer limit, Augment augmentation, List<Integer> imageSize, Integer channels,
                       List<String> labelColumns, double labelSmoothing, String testFile, double testFraction,
                       List<String> categorical) {
        public Data(String name, String dir, double validation, String normalization, String labelColumn,
                    String task, Integer limit, Augment augmentation) {
            this(name, dir, Validation.of(validation), normalization, labelColumn, task, limit, augmentation, null,
                null, null, 0, null, 0, null);
        }

        public Data {
            imageSize = imageSize == null ? null : List.copyOf(imageSize);
            labelColumns = labelColumns == null ? null : List.copyOf(labelColumns);
            categorical = categorical == null ? null : List.copyOf(categorical);
        }

        /** Whether the task is classification (single- or multi-label), as opposed to regression. */
        public boolean classification() {
            return !task.equals("regression");
        }

        /** Whether several label columns make each sample's targets a vector of 0/1 labels. */
        public boolean multiLabel() {
            return classification() && labelColumns != null && labelColumns.size() > 1;
        }
    }

    /**
     * {@code data.validation}: a fraction or a count of the training samples carved as the validation split, or
     * {@code test}: the test split itself serves as validation (what some textbooks do: model selection on the
     * test set, so its figures are optimistic; said in one line when a run starts).
     */
    public record Validation(double carve, boolean test) {
        public static Validation of(double carve) {
            return new Validation(carve, false);
        }

        /** How job files write it: the number, or "test". */
        @com.fasterxml.jackson.annotation.JsonValue
        public Object json() {
            return test ? "test" : (Object) carve;
        }
    }

    /**
     * {@code evaluation}: which splits are evaluated during training and how often.
     *
     * @param everyEpochs evaluate every N epochs (and after the last)
     * @param splits the splits evaluated during training: {@code validation} and/or {@code test}
     */
    public record Evaluation(int everyEpochs, List<String> splits) {
        public static final Evaluation DEFAULT = new Evaluation(1, List.of("validation"));

        public Evaluation {
            splits = List.copyOf(splits);
        }

        /** Whether the test split is evaluated during training (into the test_* metrics). */
        public boolean test() {
            return splits.contains("test");
        }
    }

    /** {@code data.augmentation}: random changes of training images. */
    public record Augment(double shift, boolean flip, double rotation) { }

    /**
     * {@code model}: a preset or a layer list (exactly one is set), optionally the input shape, and the
     * model-wide initialisers of dense and convolution weights and biases (null: each layer's own).
     */
    public record Model(String preset, List<Integer> input, List<Map<String, Object>> layers, String init,
                        String biasInit) {
        public Model(String preset, List<Integer> input, List<Map<String, Object>> layers) {
            this(preset, input, layers, null, null);
        }

        public Model {
            input = input == null ? null : List.copyOf(input);
            if (layers != null) {
                List<Map<String, Object>> copy = new ArrayList<>();
                for (Map<String, Object> l : layers) {
                    copy.add(java.util.Collections.unmodifiableMap(new LinkedHashMap<>(l)));
                }
                layers = List.copyOf(copy);
            }
        }
    }

    /** {@code optimizer}. */
    public record Optimizer(String name, double lr, double momentum, boolean nesterov, double beta1, double beta2,
                            double eps, double weightDecay, String weightDecayAppliesTo, double clipNorm,
                            double clipValue) { }

    /**
     * {@code schedule}: the learning-rate schedule. {@code epochs} is its horizon (null: the run's
     * {@code training.epochs}); a resumed run that trains longer keeps the horizon it was planned with.
     */
    public record Schedule(String name, Integer epochs, double finalLr, double gamma, int stepEpochs,
                           double warmupEpochs, int patience, double minDelta, String per) { }

    /** {@code training}: the loop. {@code batchSize} is a number or "auto". */
    public record Training(int epochs, String batchSize, int evalBatchSize, boolean dropLast, long seed, String device,
                           int accumulation, int checkpointEverySteps, Stopping earlyStopping) { }

    /** {@code training.early_stopping}; the monitor also picks the best epoch when stopping is off. */
    public record Stopping(boolean enabled, String monitor, double minDelta, int patience, boolean restoreBest) { }

    /** The job of an empty job file: every default. */
    public static JobSpec defaults() {
        return Jobs.parse("", "(defaults)", Map.of());
    }

    /** This job with one key changed by its job-file path ("training.epochs", "optimizer.lr"), validated. */
    public JobSpec with(String path, String value) {
        return Jobs.override(this, Map.of(path, value), "with(" + path + ")");
    }

    /** This job with several keys changed by their job-file paths. */
    public JobSpec with(Map<String, String> changes) {
        return Jobs.override(this, changes, "with(...)");
    }

    public JobSpec withEpochs(int epochs) {
        return with("training.epochs", Integer.toString(epochs));
    }

    public JobSpec withBatchSize(int batchSize) {
        return with("training.batch_size", Integer.toString(batchSize));
    }

    public JobSpec withDevice(String device) {
        return with("training.device", device);
    }

    public JobSpec withOutput(String dir) {
        return with("output", dir);
    }

    /** The job as YAML with every key. */
    public String toYaml() {
        return JobYaml.toYaml(this);
    }

    /** The job as a tree with every key, named as in job files (snake_case). */
    public com.fasterxml.jackson.databind.node.ObjectNode toTree() {
        return JobYaml.tree(this);
    }

    // ---- derived engine configurations

    /**
     * The layers: the preset's or the job's own, with {@code model.init} and {@code model.bias_init} applied to
     * every dense and convolution layer of a preset, and to those of a layer list that do not set their own.
     */
    public List<LayerSpec> layers() {
        List<LayerSpec> base = new ArrayList<>();
        if (model.preset() != null) {
            base.addAll(Presets.get(model.preset()).layers());
        } else {
            for (Map<String, Object> m : model.layers()) {
                Map<String, Object> opts = new LinkedHashMap<>(m);
                Object type = opts.remove("type");
                base.add(new LayerSpec(type == null ? "" : type.toString(), opts));
            }
        }
        if (model.init() == null && model.biasInit() == null) {
            return base;
        }
        List<LayerSpec> out = new ArrayList<>();
        for (LayerSpec l : base) {
            if (!l.type().equals("dense") && !l.type().equals("conv2d")) {
                out.add(l);
                continue;
            }
            Map<String, Object> o = new LinkedHashMap<>(l.options());
            boolean preset = model.preset() != null;
            if (model.init() != null && (preset || !o.containsKey("init"))) {
                o.put("init", model.init());
            }
            if (model.biasInit() != null && (preset || !o.containsKey("bias_init"))) {
                o.put("bias_init", model.biasInit());
            }
            out.add(new LayerSpec(l.type(), o));
        }
        return out;
    }

    public Loss lossFunction() {
        return Loss.parse(loss);
    }

    public boolean regression() {
        return data.task().equals("regression");
    }

    /**
     * Whether the targets are one-hot vectors made from class labels: classification with mean squared error
     * or binary cross-entropy on a single label column with more than two classes (two for mean squared
     * error; binary cross-entropy on two classes keeps one 0/1 output), or any classification with label
     * smoothing.
     *
     * @param classes the data's number of classes
     */
    public boolean oneHotTargets(int classes) {
        if (!data.classification() || data.multiLabel() || classes < 2) {
            return false;
        }
        Loss l = lossFunction();
        if (data.labelSmoothing() > 0) {
            return true;
        }
        return l == Loss.MEAN_SQUARED_ERROR || l == Loss.BINARY_CROSS_ENTROPY && classes > 2;
    }

    public Normalization.Mode normalizationMode() {
        return Normalization.Mode.parse(data.normalization());
    }

    public boolean batchAuto() {
        return "auto".equalsIgnoreCase(training.batchSize());
    }

    /** The batch size; 32 stands in for "auto" until the probe has chosen one. */
    public int batchSize() {
        return batchAuto() ? 32 : Integer.parseInt(training.batchSize().trim());
    }

    public OptimizerConfig optimizerConfig() {
        Optimizer o = optimizer;
        return new OptimizerConfig(OptimizerConfig.Kind.parse(o.name()), o.momentum(), o.nesterov(), o.beta1(),
            o.beta2(), o.eps(), o.weightDecay(), DecayTarget.parse(o.weightDecayAppliesTo()), o.clipNorm(),
            o.clipValue());
    }

    public ScheduleConfig scheduleConfig() {
        Schedule s = schedule;
        return new ScheduleConfig(ScheduleConfig.Kind.parse(s.name()), optimizer.lr(), s.finalLr(), s.gamma(),
            s.stepEpochs(), s.warmupEpochs(), s.patience(), s.minDelta(), scheduleHorizon(), s.per().equals("step"));
    }

    /** The epochs the schedule is planned over: {@code schedule.epochs}, else {@code training.epochs}. */
    public int scheduleHorizon() {
        return schedule.epochs() != null ? schedule.epochs() : training.epochs();
    }

    public EarlyStopping.Config earlyStoppingConfig() {
        Stopping e = training.earlyStopping();
        return new EarlyStopping.Config(e.enabled(), e.monitor(), e.minDelta(), e.patience(), e.restoreBest());
    }

    public Augmentation augmentation() {
        Augment a = data.augmentation();
        return new Augmentation(a.shift(), a.flip(), a.rotation());
    }

    public TrainConfig trainConfig() {
        Training t = training;
        return new TrainConfig(t.epochs(), batchSize(), t.dropLast(), t.seed(), t.accumulation(), earlyStoppingConfig(),
            t.checkpointEverySteps(), augmentation(), t.evalBatchSize());
    }

    /** The name runs of this job are reported under: the preset, or "custom". */
    public String modelName() {
        return model.preset() == null ? "custom" : model.preset();
    }
}
