package io.jtrain.job;

import io.jtrain.data.Normalization;
import io.jtrain.loss.Loss;
import io.jtrain.model.Presets;
import io.jtrain.optim.DecayTarget;
import io.jtrain.optim.OptimizerConfig;
import io.jtrain.schedule.ScheduleConfig;
import io.jtrain.train.EarlyStopping;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Every default of a job, in one place, and every value's validation: a raw {@link JobFile} becomes a
 * {@link JobSpec}. Errors name the key's origin (file and line, or the option that set it), the key, what is
 * wrong and what is allowed. Old spellings (the Keras-style metric names {@code val_acc}, {@code acc}) are
 * accepted with a warning.
 */
final class JobResolver {
    static final String DEFAULT_DATA = "embedded";
    static final String DEFAULT_PRESET = "lenet5";
    static final int DEFAULT_EPOCHS = 10;
    static final long DEFAULT_SEED = 42;
    static final double DEFAULT_VALIDATION = 0.1;
    private static final Map<String, String> OLD_METRICS = Map.of("val_acc", "val_accuracy", "acc", "accuracy");

    private JobResolver() { }

    static JobSpec resolve(JobFile j, JobSource src, List<String> warnings) {
        fill(j);
        if (j.model.input != null) {
            require(src, "model.input", j.model.input.stream().allMatch(d -> d != null && d >= 1) && !j.model.input
                .isEmpty(), "must be a list of positive integers, e.g. [1, 28, 28]");
        }
        if (j.model.layers != null) {
            require(src, "model.layers", j.model.layers.stream().allMatch(java.util.Objects::nonNull),
                "every entry must be a layer, e.g. - {type: dense, units: 10}");
        }
        Presets.Preset preset = preset(j, src);
        if (j.model.init != null) {
            check(src, "model.init", () -> io.jtrain.init.Initializer.parseSpec(j.model.init));
        }
        if (j.model.biasInit != null) {
            check(src, "model.bias_init", () -> io.jtrain.init.Initializer.parseSpec(j.model.biasInit));
        }
        JobSpec.Model model = new JobSpec.Model(preset == null ? null : preset.name(), j.model.input,
            preset == null ? j.model.layers : null, j.model.init, j.model.biasInit);
        JobSpec.Data data = data(j.data, src);
        String loss = pick(j.loss, data.task().equals("regression") ? "mse" : "softmax_cross_entropy");
        check(src, "loss", () -> Loss.parse(loss));
        JobSpec.Optimizer opt = optimizer(j.optimizer, preset, src);
        JobSpec.Training training = training(j.training, preset, src, warnings);
        JobSpec.Schedule sched = schedule(j.schedule, opt.lr(), training.epochs(), src);
        JobSpec.Evaluation evaluation = evaluation(j.evaluation, src);
        if (training.earlyStopping().monitor().startsWith("val_") && !evaluation.splits().contains("validation")) {
            throw new JobException(src.locate("training.early_stopping.monitor") + ": training.early_stopping.monitor '"
                + training.earlyStopping().monitor() + "' reads the validation split, but evaluation.splits does not "
                + "list validation (the monitor also picks the best epoch, default val_loss); add validation to "
                + "evaluation.splits, or set training.early_stopping.monitor to a test_ or training metric");
        }
        if (data.multiLabel() && Loss.parse(loss) == Loss.SOFTMAX_CROSS_ENTROPY) {
            throw new JobException(src.locate("data.label_columns") + ": data.label_columns lists " + data.labelColumns()
                .size() + " label columns, a multi-label target (each 0 or 1), which softmax_cross_entropy cannot "
                + "learn; set loss: binary_cross_entropy (or data.task: regression for several numeric targets)");
        }
        if (training.earlyStopping().monitor().startsWith("test_") && !evaluation.test()) {
            throw new JobException(src.locate("training.early_stopping.monitor") + ": training.early_stopping.monitor '"
                + training.earlyStopping().monitor() + "' reads the test split during training; add test to "
                + "evaluation.splits (and mind that the test figures are then no longer unbiased)");
        }
        String output = pick(j.output, "runs/" + (model.preset() == null ? "custom" : model.preset()) + "-"
            + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        if (output.isBlank()) {
            throw new JobException(src.locate("output") + ": output must name a directory");
        }
        return new JobSpec(data, model, loss, opt, sched, training, evaluation, output);
    }

    private static void fill(JobFile j) {
        j.data = j.data == null ? new JobFile.DataSection() : j.data;
        j.model = j.model == null ? new JobFile.ModelSection() : j.model;
        j.optimizer = j.optimizer == null ? new JobFile.OptimizerSection() : j.optimizer;
        j.schedule = j.schedule == null ? new JobFile.ScheduleSection() : j.schedule;
        j.training = j.training == null ? new JobFile.TrainingSection() : j.training;
    }

    static <T> T pick(T given, T def) {
        return given != null ? given : def;
    }

    /** Runs a check; an IllegalArgumentException becomes a JobException at the key's origin. */
    static <T> T check(JobSource src, String key, Supplier<T> s) {
        try {
            return s.get();
        } catch (IllegalArgumentException e) {
            throw new JobException(src.locate(key) + ": " + key + ": " + e.getMessage());
        }
    }

    private static void require(JobSource src, String key, boolean ok, String what) {
        if (!ok) {
            throw new JobException(src.locate(key) + ": " + key + ": " + what);
        }
    }

    private static Presets.Preset preset(JobFile j, JobSource src) {
        if (j.model.preset != null && j.model.layers != null) {
            throw new JobException(src.locate("model.preset") + ": give either model.preset or model.layers, not both");
        }
        if (j.model.layers != null) {
            require(src, "model.layers", !j.model.layers.isEmpty(), "the layer list is empty; give layers or a preset");
            for (int i = 0; i < j.model.layers.size(); i++) {
                Object t = j.model.layers.get(i) == null ? null : j.model.layers.get(i).get("type");
                require(src, "model.layers", t != null, "layer " + i + " has no type (e.g. {type: dense, units: 10})");
            }
            return null;
        }
        boolean tabular = j.data.name != null && j.data.name.toLowerCase(java.util.Locale.ROOT).endsWith(".csv");
        String name = pick(j.model.preset, tabular ? "mlp" : DEFAULT_PRESET);
        return check(src, "model.preset", () -> Presets.get(name));
    }

    private static JobSpec.Evaluation evaluation(JobFile.EvaluationSection e, JobSource src) {
        if (e == null) {
            return JobSpec.Evaluation.DEFAULT;
        }
        int every = pick(e.everyEpochs, 1);
        require(src, "evaluation.every_epochs", every >= 1, "must be at least 1, got " + every);
        List<String> splits = pick(e.splits, List.of("validation"));
        require(src, "evaluation.splits", splits.stream().allMatch(x -> "validation".equals(x) || "test".equals(x))
            && splits.stream().distinct().count() == splits.size(), "must list validation and/or test, each once, got "
            + splits);
        return new JobSpec.Evaluation(every, splits);
    }

    private static JobSpec.Validation validation(Object v, JobSource src) {
        if (v == null) {
            return JobSpec.Validation.of(DEFAULT_VALIDATION);
        }
        if ("test".equals(v)) {
            return new JobSpec.Validation(0, true);
        }
        double validation = v instanceof Number n ? n.doubleValue() : Double.NaN;
        require(src, "data.validation", Double.isFinite(validation) && validation >= 0
            && (validation < 1 || validation == Math.rint(validation)), "must be a fraction in [0, 1), a whole "
            + "count of samples, or test (validate on the test split), got " + v);
        return JobSpec.Validation.of(validation);
    }

    private static JobSpec.Data data(JobFile.DataSection d, JobSource src) {
        String name = pick(d.name, DEFAULT_DATA);
        require(src, "data.name", !name.isBlank(), "must name a data set or a file");
        JobSpec.Validation validation = validation(d.validation, src);
        boolean csv = name.toLowerCase(Locale.ROOT).endsWith(".csv");
        String norm = pick(d.normalization, csv ? "per_feature" : "global");
        check(src, "data.normalization", () -> Normalization.Mode.parse(norm));
        String task = pick(d.task, "classification");
        require(src, "data.task", List.of("classification", "regression").contains(task), "'" + task
            + "' is not allowed; allowed: classification, regression");
        require(src, "data.limit", d.limit == null || d.limit >= 1, "must be at least 1, got " + d.limit);
        JobFile.AugmentSection a = d.augmentation == null ? new JobFile.AugmentSection() : d.augmentation;
        double shift = pick(a.shift, 0.0);
        double rotation = pick(a.rotation, 0.0);
        require(src, "data.augmentation.shift", shift >= 0 && shift <= 0.5, "must be in [0, 0.5], got " + shift);
        require(src, "data.augmentation.rotation", rotation >= 0 && rotation <= 180, "must be in [0, 180] degrees, got "
            + rotation);
        require(src, "data.image_size", d.imageSize == null || d.imageSize.size() == 2 && d.imageSize.stream()
            .allMatch(v -> v != null && v >= 1 && v <= 4096), "must be [height, width] in pixels, e.g. [64, 64]");
        require(src, "data.channels", d.channels == null || d.channels == 1 || d.channels == 3, "must be 1 (grey) or "
            + "3 (colour), got " + d.channels);
        require(src, "data.label_columns", d.labelColumns == null || !d.labelColumns.isEmpty() && d.labelColumns
            .stream().allMatch(c -> c != null && !c.isBlank()), "must list column names, e.g. [cat, dog]");
        require(src, "data.label_columns", d.labelColumns == null || d.labelColumn == null, "give either "
            + "data.label_column or data.label_columns, not both");
        double smoothing = pick(d.labelSmoothing, 0.0);
        require(src, "data.label_smoothing", smoothing >= 0 && smoothing < 1, "must be in [0, 1), got " + smoothing);
        require(src, "data.label_smoothing", smoothing == 0 || !task.equals("regression"), "applies to class "
            + "labels; a regression job has none");
        double testFraction = pick(d.testFraction, 0.0);
        require(src, "data.test_fraction", testFraction >= 0 && testFraction < 1, "must be a fraction in [0, 1), got "
            + testFraction);
        require(src, "data.test_fraction", testFraction == 0 || d.testFile == null, "give either data.test_file or "
            + "data.test_fraction, not both");
        require(src, "data.test_file", d.testFile == null || !d.testFile.isBlank(), "must name a CSV file");
        return new JobSpec.Data(name, d.dir, validation, norm, d.labelColumn, task, d.limit,
            new JobSpec.Augment(shift, pick(a.flip, false), rotation), d.imageSize, d.channels,
            d.labelColumns == null ? null : List.copyOf(d.labelColumns), smoothing, d.testFile, testFraction,
            d.categorical);
    }

    private static JobSpec.Optimizer optimizer(JobFile.OptimizerSection s, Presets.Preset p, JobSource src) {
        String name = pick(s.name, p != null ? p.optimizer() : "adam");
        check(src, "optimizer.name", () -> OptimizerConfig.Kind.parse(name));
        double lr = pick(s.lr, p != null ? p.lr() : 1e-3);
        require(src, "optimizer.lr", Double.isFinite(lr) && lr > 0, "the learning rate must be a positive number, got "
            + lr);
        JobSpec.Optimizer o = new JobSpec.Optimizer(name, lr,
            pick(s.momentum, p != null && p.optimizer().equals(name) ? p.momentum() : 0.0),
            pick(s.nesterov, false), pick(s.beta1, 0.9), pick(s.beta2, name.equals("rmsprop") ? 0.99 : 0.999),
            pick(s.eps, 1e-8), pick(s.weightDecay, p != null ? p.weightDecay() : 0.0),
            pick(s.weightDecayAppliesTo, p != null && p.weightDecayTarget() != null ? p.weightDecayTarget() : "weights"),
            pick(s.clipNorm, 0.0), pick(s.clipValue, 0.0));
        check(src, "optimizer.weight_decay_applies_to", () -> DecayTarget.parse(o.weightDecayAppliesTo()));
        String key = s.momentum != null ? "optimizer.momentum" : s.nesterov != null ? "optimizer.nesterov"
            : s.clipNorm != null ? "optimizer.clip_norm" : "optimizer.name";
        check(src, key, () -> new OptimizerConfig(OptimizerConfig.Kind.parse(o.name()), o.momentum(), o.nesterov(),
            o.beta1(), o.beta2(), o.eps(), o.weightDecay(), DecayTarget.parse(o.weightDecayAppliesTo()), o.clipNorm(),
            o.clipValue()));
        return o;
    }

    private static JobSpec.Schedule schedule(JobFile.ScheduleSection s, double lr, int epochs, JobSource src) {
        String name = pick(s.name, "constant");
        check(src, "schedule.name", () -> ScheduleConfig.Kind.parse(name));
        require(src, "schedule.epochs", s.epochs == null || s.epochs >= 1, "must be at least 1, got " + s.epochs);
        int horizon = s.epochs != null ? s.epochs : epochs;
        String per = pick(s.per, "epoch");
        require(src, "schedule.per", per.equals("epoch") || per.equals("step"), "'" + per + "' is not allowed; use "
            + "epoch or step");
        // exponential with a positive final_lr: the factor that reaches it in the last epoch of the horizon (it
        // takes precedence over gamma, so that the resolved job, which records both, reads back the same)
        boolean expToFinal = name.equals("exponential") && s.finalLr != null && s.finalLr > 0;
        double gamma = expToFinal ? Math.pow(s.finalLr / lr, 1.0 / Math.max(1, horizon - 1))
            : pick(s.gamma, name.equals("exponential") ? 0.9 : 0.1);
        JobSpec.Schedule sc = new JobSpec.Schedule(name, s.epochs,
            pick(s.finalLr, name.equals("linear") || name.equals("cosine") ? lr * 0.01 : 0.0),
            gamma, pick(s.stepEpochs, 10), pick(s.warmupEpochs, 0.0), pick(s.patience, 5), pick(s.minDelta, 1e-4),
            per);
        check(src, "schedule." + (s.gamma != null ? "gamma" : s.stepEpochs != null ? "step_epochs"
            : s.warmupEpochs != null ? "warmup_epochs" : s.finalLr != null ? "final_lr" : "name"),
            () -> new ScheduleConfig(ScheduleConfig.Kind.parse(name), lr, sc.finalLr(), sc.gamma(), sc.stepEpochs(),
                sc.warmupEpochs(), sc.patience(), sc.minDelta(), horizon, per.equals("step")));
        return sc;
    }

    private static JobSpec.Training training(JobFile.TrainingSection t, Presets.Preset p, JobSource src,
                                             List<String> warnings) {
        int epochs = pick(t.epochs, DEFAULT_EPOCHS);
        require(src, "training.epochs", epochs >= 1, "must be at least 1, got " + epochs);
        String batch = pick(t.batchSize, Integer.toString(p != null ? p.batchSize() : 64)).trim();
        int b = batch.equalsIgnoreCase("auto") ? 32 : check(src, "training.batch_size", () -> parseBatch(batch));
        int eval = pick(t.evalBatchSize, Math.max(b, 256));
        require(src, "training.eval_batch_size", eval >= 1, "must be at least 1, got " + eval);
        String device = pick(t.device, "auto");
        require(src, "training.device", device.matches("auto|cpu|cuda(:\\d+)?"), "device '" + device
            + "' is not allowed; use auto, cpu, cuda or cuda:N");
        int accumulation = pick(t.accumulation, 1);
        require(src, "training.accumulation", accumulation >= 1, "must be at least 1, got " + accumulation);
        int every = pick(t.checkpointEverySteps, 0);
        require(src, "training.checkpoint_every_steps", every >= 0, "must not be negative, got " + every);
        return new JobSpec.Training(epochs, batch.equalsIgnoreCase("auto") ? "auto" : Integer.toString(b), eval,
            pick(t.dropLast, false), pick(t.seed, DEFAULT_SEED), device, accumulation, every,
            stopping(t.earlyStopping, src, warnings));
    }

    static int parseBatch(String s) {
        try {
            int b = Integer.parseInt(s.trim());
            if (b < 1) {
                throw new io.jtrain.util.UsageException("batch size must be at least 1 (or 'auto'), got " + b);
            }
            return b;
        } catch (NumberFormatException e) {
            throw new io.jtrain.util.UsageException("batch size must be a positive integer or 'auto', got '" + s + "'");
        }
    }

    private static JobSpec.Stopping stopping(JobFile.EarlyStoppingSection s, JobSource src, List<String> warnings) {
        boolean present = s != null;
        JobFile.EarlyStoppingSection e = present ? s : new JobFile.EarlyStoppingSection();
        String monitor = pick(e.monitor, "val_loss");
        String now = OLD_METRICS.get(monitor);
        if (now != null) {
            warnings.add(src.locate("training.early_stopping.monitor") + ": training.early_stopping.monitor '" + monitor
                + "' is the old spelling of '" + now + "', the name metrics.csv and the console use; using '" + now
                + "'");
            monitor = now;
        }
        String m = monitor;
        require(src, "training.early_stopping.monitor", EarlyStopping.Config.MONITORS.contains(m), "'" + m
            + "' is not a metric; allowed: " + String.join(", ", EarlyStopping.Config.MONITORS));
        double minDelta = pick(e.minDelta, 0.0);
        int patience = pick(e.patience, 3);
        require(src, "training.early_stopping.min_delta", minDelta >= 0, "must not be negative, got " + minDelta);
        require(src, "training.early_stopping.patience", patience >= 0, "must not be negative, got " + patience);
        return new JobSpec.Stopping(pick(e.enabled, present), m, minDelta, patience, pick(e.restoreBest, true));
    }
}
