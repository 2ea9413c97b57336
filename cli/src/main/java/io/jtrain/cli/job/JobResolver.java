package io.jtrain.cli.job;

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
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/** Applies presets, defaults and command-line overrides to a job, validating every value. */
public final class JobResolver {
    public static final String DEFAULT_DATA = "embedded";
    public static final String DEFAULT_PRESET = "lenet5";
    public static final int DEFAULT_EPOCHS = 10;
    public static final long DEFAULT_SEED = 42;
    public static final double DEFAULT_VALIDATION = 0.1;

    private JobResolver() { }

    public static ResolvedJob resolve(JobLoader.Loaded loaded, Overrides o) {
        Job j = loaded.job();
        fill(j);
        String presetName = pick(o.preset(), j.model.preset, j.model.layers == null ? DEFAULT_PRESET : null);
        Presets.Preset preset = presetName == null ? null : check(loaded, "model.preset", () -> Presets.get(presetName));
        if (preset != null && j.model.layers != null && o.preset() == null) {
            throw new JobException(loaded.locate("model.preset") + ": give either model.preset or model.layers, not both");
        }
        j.model.preset = presetName;
        List<LayerSpec> layers = preset != null ? preset.layers() : layerSpecs(j.model.layers);
        j.data.name = pick(o.data(), j.data.name, DEFAULT_DATA);
        j.data.dir = pick(o.dataDir(), j.data.dir, null);
        j.data.validation = pick(null, j.data.validation, DEFAULT_VALIDATION);
        boolean csv = j.data.name.toLowerCase(Locale.ROOT).endsWith(".csv");
        j.data.normalization = pick(null, j.data.normalization, csv ? "per_feature" : "global");
        Normalization.Mode norm = check(loaded, "data.normalization", () -> Normalization.Mode.parse(j.data.normalization));
        j.data.task = pick(null, j.data.task, "classification");
        if (!List.of("classification", "regression").contains(j.data.task)) {
            throw new JobException(loaded.locate("data.task") + ": key 'data.task' is '" + j.data.task
                + "'; allowed: classification, regression");
        }
        j.loss = pick(null, j.loss, j.data.task.equals("regression") ? "mse" : "softmax_cross_entropy");
        Loss loss = check(loaded, "loss", () -> Loss.parse(j.loss));
        OptimizerConfig opt = optimizer(loaded, j.optimizer, preset);
        double lr = pick(o.lr(), j.optimizer.lr, preset != null ? preset.lr() : 1e-3);
        j.optimizer.lr = lr;
        TrainingSectionDefaults.apply(j.training, o, preset);
        int epochs = j.training.epochs;
        boolean auto = "auto".equalsIgnoreCase(j.training.batchSize);
        int batch = auto ? 32 : check(loaded, "training.batch_size", () -> parseBatch(j.training.batchSize));
        ScheduleConfig sched = check(loaded, "schedule.name", () -> schedule(j.schedule, lr, epochs));
        TrainConfig tc = check(loaded, "training.epochs", () -> new TrainConfig(epochs, batch, j.training.dropLast,
            j.training.seed, j.training.accumulation, early(j.training.earlyStopping), j.training.checkpointEverySteps,
            augmentation(j.data.augmentation), j.training.evalBatchSize == null ? Math.max(batch, 256)
                : j.training.evalBatchSize));
        String out = pick(o.out(), j.output, "runs/" + (presetName == null ? "custom" : presetName) + "-"
            + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        j.output = out;
        validateDevice(loaded, j.training.device);
        return new ResolvedJob(j, loaded.where(), j.data.name, j.data.dir, j.data.validation, norm, j.data.labelColumn,
            j.data.task.equals("regression"), j.data.limit, presetName, j.model.input, layers, loss, opt, lr, sched, tc,
            auto, j.training.device, out);
    }

    private static void fill(Job j) {
        j.data = j.data == null ? new Job.DataSection() : j.data;
        j.model = j.model == null ? new Job.ModelSection() : j.model;
        j.optimizer = j.optimizer == null ? new Job.OptimizerSection() : j.optimizer;
        j.schedule = j.schedule == null ? new Job.ScheduleSection() : j.schedule;
        j.training = j.training == null ? new Job.TrainingSection() : j.training;
    }

    static <T> T pick(T flag, T file, T def) {
        return flag != null ? flag : file != null ? file : def;
    }

    static <T> T check(JobLoader.Loaded loaded, String key, Supplier<T> s) {
        try {
            return s.get();
        } catch (IllegalArgumentException e) {
            throw new JobException(loaded.locate(key) + ": " + e.getMessage());
        }
    }

    static int parseBatch(String s) {
        try {
            int b = Integer.parseInt(s.trim());
            if (b < 1) {
                throw new IllegalArgumentException("batch size must be at least 1 (or 'auto'), got " + b);
            }
            return b;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("batch size must be a positive integer or 'auto', got '" + s + "'");
        }
    }

    private static List<LayerSpec> layerSpecs(List<Map<String, Object>> raw) {
        List<LayerSpec> out = new ArrayList<>();
        for (Map<String, Object> m : raw) {
            Map<String, Object> opts = new LinkedHashMap<>(m);
            Object type = opts.remove("type");
            out.add(new LayerSpec(type == null ? "" : type.toString(), opts));
        }
        return out;
    }

    private static OptimizerConfig optimizer(JobLoader.Loaded loaded, Job.OptimizerSection s, Presets.Preset p) {
        s.name = pick(null, s.name, p != null ? p.optimizer() : "adam");
        s.momentum = pick(null, s.momentum, p != null && p.optimizer().equals(s.name) ? p.momentum() : 0.0);
        s.nesterov = pick(null, s.nesterov, false);
        s.beta1 = pick(null, s.beta1, 0.9);
        s.beta2 = pick(null, s.beta2, s.name.equals("rmsprop") ? 0.99 : 0.999);
        s.eps = pick(null, s.eps, 1e-8);
        s.weightDecay = pick(null, s.weightDecay, p != null ? p.weightDecay() : 0.0);
        s.weightDecayAppliesTo = pick(null, s.weightDecayAppliesTo,
            p != null && p.weightDecayTarget() != null ? p.weightDecayTarget() : "weights");
        s.clipNorm = pick(null, s.clipNorm, 0.0);
        s.clipValue = pick(null, s.clipValue, 0.0);
        return check(loaded, "optimizer.name", () -> new OptimizerConfig(OptimizerConfig.Kind.parse(s.name), s.momentum,
            s.nesterov, s.beta1, s.beta2, s.eps, s.weightDecay, DecayTarget.parse(s.weightDecayAppliesTo), s.clipNorm,
            s.clipValue));
    }

    private static ScheduleConfig schedule(Job.ScheduleSection s, double lr, int epochs) {
        s.name = pick(null, s.name, "constant");
        s.finalLr = pick(null, s.finalLr, s.name.equals("linear") || s.name.equals("cosine") ? lr * 0.01 : 0.0);
        s.gamma = pick(null, s.gamma, s.name.equals("exponential") ? 0.9 : 0.1);
        s.stepEpochs = pick(null, s.stepEpochs, 10);
        s.warmupEpochs = pick(null, s.warmupEpochs, 0.0);
        s.patience = pick(null, s.patience, 5);
        s.minDelta = pick(null, s.minDelta, 1e-4);
        return new ScheduleConfig(ScheduleConfig.Kind.parse(s.name), lr, s.finalLr, s.gamma, s.stepEpochs,
            s.warmupEpochs, s.patience, s.minDelta, epochs);
    }

    private static EarlyStopping.Config early(Job.EarlyStoppingSection s) {
        if (s == null) {
            return EarlyStopping.Config.off();
        }
        s.enabled = pick(null, s.enabled, true);
        s.monitor = pick(null, s.monitor, "val_loss");
        s.minDelta = pick(null, s.minDelta, 0.0);
        s.patience = pick(null, s.patience, 3);
        s.restoreBest = pick(null, s.restoreBest, true);
        return new EarlyStopping.Config(s.enabled, s.monitor, s.minDelta, s.patience, s.restoreBest);
    }

    private static Augmentation augmentation(Job.AugmentSection a) {
        if (a == null) {
            return Augmentation.none();
        }
        a.shift = pick(null, a.shift, 0.0);
        a.flip = pick(null, a.flip, false);
        a.rotation = pick(null, a.rotation, 0.0);
        return new Augmentation(a.shift, a.flip, a.rotation);
    }

    private static void validateDevice(JobLoader.Loaded loaded, String device) {
        if (!device.matches("auto|cpu|cuda(:\\d+)?")) {
            throw new JobException(loaded.locate("training.device") + ": device '" + device
                + "' is not allowed; use auto, cpu, cuda or cuda:N");
        }
    }

    /** Defaults of the training section. */
    private static final class TrainingSectionDefaults {
        static void apply(Job.TrainingSection t, Overrides o, Presets.Preset p) {
            t.epochs = pick(o.epochs(), t.epochs, DEFAULT_EPOCHS);
            t.batchSize = pick(o.batchSize(), t.batchSize, Integer.toString(p != null ? p.batchSize() : 64));
            t.dropLast = pick(null, t.dropLast, false);
            t.seed = pick(o.seed(), t.seed, DEFAULT_SEED);
            t.device = pick(o.device(), t.device, "auto");
            t.accumulation = pick(null, t.accumulation, 1);
            t.checkpointEverySteps = pick(null, t.checkpointEverySteps, 0);
        }
    }
}
