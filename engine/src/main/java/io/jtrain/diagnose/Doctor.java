package io.jtrain.diagnose;

import static io.jtrain.diagnose.Finding.Severity.ERROR;
import static io.jtrain.diagnose.Finding.Severity.INFO;
import static io.jtrain.diagnose.Finding.Severity.WARNING;

import io.jtrain.backend.Backend;
import io.jtrain.job.JobSpec;
import io.jtrain.run.PreparedData;
import io.jtrain.run.RunListener;
import io.jtrain.run.RunResult;
import io.jtrain.run.TrainingRun;
import io.jtrain.data.Dataset;
import io.jtrain.loss.Loss;
import io.jtrain.metrics.ConfusionMatrix;
import io.jtrain.nn.Layer;
import io.jtrain.nn.ModelSpec;
import io.jtrain.nn.Parameter;
import io.jtrain.nn.Sequential;
import io.jtrain.optim.Optimizer;
import io.jtrain.optim.OptimizerConfig;
import io.jtrain.schedule.LrSchedule;
import io.jtrain.train.DivergedException;
import io.jtrain.train.Evaluation;
import io.jtrain.train.TrainConfig;
import io.jtrain.train.TrainState;
import io.jtrain.train.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * {@code jtrain doctor}: pre-flight data and model checks, a short diagnostic training run with the live
 * detectors, then the tools (whole-model gradient check, overfit one tiny batch, learning-rate range test).
 */
public final class Doctor {

    /** What the doctor's tools examine: the job's pieces, with data normalised as the model will see it. */
    record Job(ModelSpec spec, Loss loss, OptimizerConfig optimizer, double lr, TrainConfig training, Dataset train,
               Dataset validation, boolean classification, Double targetError) { }

    /** Findings plus the range test's curve and suggestion. */
    public record Report(List<Finding> findings, List<Double> lrRates, List<Double> lrLosses, double suggestedLr) {
        public boolean hasError() {
            return findings.stream().anyMatch(f -> f.severity() == ERROR);
        }
    }

    private Doctor() { }

    /**
     * Examines a job on its device ({@code training.device}) and its data, loaded leniently so that NaN and
     * labels outside the class range become findings instead of refusals. {@code log} receives the device
     * decision and what the doctor is about to do; {@code live} each finding as it is found.
     */
    public static Report examine(JobSpec spec, io.jtrain.run.TrainingRun.Options opts, Double targetError,
                                 Consumer<String> log, Consumer<Finding> live) {
        try (var dev = io.jtrain.run.OpenDevice.of(spec.training().device(), opts, log)) {
            PreparedData data;
            try {
                data = PreparedData.loadLenient(spec, opts.download());
            } catch (io.jtrain.data.DataException e) {
                if (!e.getMessage().contains("outside the class range")) {
                    throw e;
                }
                Finding f = new Finding("label_out_of_range", Finding.Severity.ERROR, "labels are outside the class "
                    + "range", e.getMessage(), "corrupt labels or a wrong number of classes", "fix the label file");
                live.accept(f);
                return new Report(List.of(f), List.of(), List.of(), Double.NaN);
            }
            log.accept("doctor: pre-flight checks, then " + spec.training().epochs() + " diagnostic epochs on "
                + data.train().size() + " samples, then the tools");
            return examine(spec, data, dev.backend(), targetError, live);
        }
    }

    /**
     * Examines {@code spec} on its prepared data: pre-flight checks, a diagnostic run (a {@link TrainingRun} in
     * memory with the live detectors), the tools, the learning-rate range test. Findings are also passed to
     * {@code live} as they are found.
     */
    public static Report examine(JobSpec spec, PreparedData data, Backend be, Double targetError,
                                 Consumer<Finding> live) {
        Job job = new Job(data.modelSpec(spec), spec.lossFunction(), spec.optimizerConfig(), spec.optimizer().lr(),
            spec.trainConfig(), data.train(), data.validation(), !spec.regression(), targetError);
        List<Finding> out = new ArrayList<>();
        Consumer<Finding> add = f -> {
            out.add(f);
            live.accept(f);
        };
        int outputs;
        try (Sequential probe = Sequential.build(job.spec())) {
            outputs = (int) probe.outputShape().size();
        }
        List<Finding> pre = new ArrayList<>();
        DataChecks.run(job.train(), job.validation(), job.classification() && job.loss().classIndexTargets(), outputs,
            pre);
        locateNonFinite(data, pre);
        try (Sequential m = Sequential.build(job.spec())) {
            m.bind(be, job.training().seed());
            ModelChecks.finalActivation(m, job.loss(), job.train(), pre);
            if (pre.stream().noneMatch(f -> f.id().equals("nan_in_data"))) {
                ModelChecks.initialization(m, job.train(), pre);
            }
            ModelChecks.depth(m, job.train().size(), pre);
            pre.forEach(add);
            boolean blocked = pre.stream().anyMatch(f -> f.id().equals("nan_in_data") || f.id().equals(
                "label_out_of_range"));
            if (blocked) {
                return new Report(out, List.of(), List.of(), Double.NaN);
            }
        }
        diagnosticRun(spec, data, job, be, add);
        tools(job, be, add);
        LrRangeTest.Result lr = LrRangeTest.run(job.spec(), job.loss(), job.optimizer(), job.train(), be,
            job.training().seed(), Math.min(32, job.training().batchSize()));
        List<Double> rates = lr.rates();
        List<Double> losses = lr.losses();
        double suggested = lr.suggestion();
        if (!Double.isNaN(suggested)) {
            add.accept(new Finding("learning_rate_suggestion", INFO, String.format(Locale.ROOT,
                "the learning-rate range test suggests %.2g (the job uses %.2g)", suggested, job.lr()),
                String.format(Locale.ROOT, "smoothed loss lowest at %.2g over %d rates from 1e-6; a tenth of that",
                    10 * suggested, rates.size()), "the range test trains briefly with rates rising from 1e-6 to 1",
                "try optimizer.lr near the suggestion if training is slow or unstable"));
        }
        return new Report(prioritize(out), rates, losses, suggested);
    }

    /** Names the first non-finite value by file:line:column when the data was loaded from a file. */
    static void locateNonFinite(PreparedData data, List<Finding> pre) {
        io.jtrain.data.DataSplits.NonFinite nf = data.loaded() == null ? null : data.loaded().nonFinite();
        for (int i = 0; i < pre.size() && nf != null; i++) {
            Finding f = pre.get(i);
            if (f.id().equals("nan_in_data")) {
                pre.set(i, new Finding(f.id(), f.severity(), f.summary(), nf.count() + " non-finite values in the "
                    + "data file (first: " + nf.first() + ")", f.cause(), f.fix()));
            }
        }
    }

    /** Root causes, most fundamental first; a finding is downgraded when one earlier in this list is present. */
    static final List<String> ROOT_CAUSES = List.of("nan_in_data", "label_out_of_range", "class_imbalance",
        "final_activation_mismatch", "unnormalized_inputs", "bad_initialization", "learning_rate_too_high",
        "dead_relu", "vanishing_gradients", "overfitting", "underfitting", "split_mismatch");
    /** Symptoms that the root causes explain. */
    static final List<String> SYMPTOMS = List.of("loss_not_decreasing", "accuracy_flat", "output_collapse",
        "cannot_overfit_small_batch", "update_ratio", "exploding_gradients", "saturated_activations",
        "gradient_check_failed");

    /**
     * Reports root causes before their symptoms: when a warning- or error-level root cause is present,
     * symptom findings and root causes later in {@link #ROOT_CAUSES} that it explains are downgraded to
     * info and say so. Facts such as nan_in_training keep their severity.
     */
    static List<Finding> prioritize(List<Finding> in) {
        String root = null;
        for (String r : ROOT_CAUSES) {
            if (in.stream().anyMatch(f -> f.id().equals(r) && f.severity() != Finding.Severity.INFO)) {
                root = r;
                break;
            }
        }
        if (root == null) {
            return in;
        }
        int rank = ROOT_CAUSES.indexOf(root);
        List<Finding> out = new ArrayList<>();
        for (Finding f : in) {
            boolean explained = SYMPTOMS.contains(f.id()) || ROOT_CAUSES.indexOf(f.id()) > rank && explains(root, f.id());
            out.add(explained && f.severity() != INFO ? new Finding(f.id(), INFO, f.summary()
                + " (probably a consequence of " + root + ")", f.evidence(), f.cause(), f.fix()) : f);
        }
        out.sort(java.util.Comparator.comparingInt(f -> -f.severity().ordinal()));
        return out;
    }

    /** Which later root causes an earlier one explains. */
    private static boolean explains(String root, String later) {
        return switch (root) {
            case "bad_initialization", "learning_rate_too_high", "nan_in_data", "label_out_of_range" ->
                List.of("dead_relu", "vanishing_gradients", "underfitting").contains(later);
            case "dead_relu" -> List.of("vanishing_gradients", "underfitting").contains(later);
            case "vanishing_gradients", "class_imbalance", "final_activation_mismatch", "unnormalized_inputs" ->
                later.equals("underfitting");
            default -> false;
        };
    }

    private static void diagnosticRun(JobSpec spec, PreparedData data, Job job, Backend be, Consumer<Finding> add) {
        java.util.Map<String, Finding> found = new java.util.LinkedHashMap<>();
        boolean softmax = job.classification() && job.loss() == Loss.SOFTMAX_CROSS_ENTROPY;
        Dataset judged = data.validation() != null ? data.validation() : data.train();
        PreparedData d = new PreparedData(data.train(), data.validation(), softmax ? judged : null,
            data.normalization(), data.rawTrain(), data.loaded());
        try {
            RunResult r = TrainingRun.of(spec.with("training.early_stopping.restore_best", "false")).backend(be).data(d)
                .inMemory().options(TrainingRun.Options.defaults().withLiveDiagnosis(true, false, job.targetError()))
                .listener(new RunListener() {
                    @Override
                    public void finding(Finding f) {
                        found.putIfAbsent(f.id(), f);
                    }
                }).build().run();
            if (r.test() != null) {
                collapse(r.test().confusion(), f -> found.putIfAbsent(f.id(), f));
            }
        } catch (DivergedException e) {
            found.putIfAbsent("nan_in_training", divergence(e));
            found.putIfAbsent("learning_rate_too_high", new Finding("learning_rate_too_high", WARNING, "the learning "
                + "rate is too high: training diverged", String.format(Locale.ROOT, "learning rate %.3g; %s", job.lr(),
                e.cause()), "steps overshoot until the weights overflow", "lower the learning rate 10x or more (see "
                + "the range test), or clip gradients (optimizer.clip_norm: 1.0)"));
        }
        found.values().forEach(add);
    }

    /** nan_in_training naming the first layer whose parameters are non-finite. */
    private static Finding divergence(DivergedException e) {
        String where = e.where() != null ? e.where() : "the loss (no parameter is non-finite yet)";
        return new Finding("nan_in_training", ERROR, "training produced NaN or infinite values", where + "; "
            + e.cause().split(";")[0], "overflow: usually a learning rate far too high, sometimes non-finite "
            + "inputs", "lower the learning rate, clip gradients, check the data (jtrain doctor checks it)");
    }

    private static void collapse(ConfusionMatrix cm, Consumer<Finding> mon) {
        if (cm == null || cm.total() == 0) {
            return;
        }
        long total = cm.total();
        long maxPred = 0;
        int predClass = 0;
        long maxLabel = 0;
        for (int c = 0; c < cm.classes(); c++) {
            long pred = 0;
            for (int t = 0; t < cm.classes(); t++) {
                pred += cm.count(t, c);
            }
            if (pred > maxPred) {
                maxPred = pred;
                predClass = c;
            }
            maxLabel = Math.max(maxLabel, cm.support(c));
        }
        double fp = (double) maxPred / total;
        double fl = (double) maxLabel / total;
        if (fp > Thresholds.COLLAPSE_PREDICTED && fl < Thresholds.COLLAPSE_LABELS) {
            mon.accept(new Finding("output_collapse", ERROR, "the network predicts the same class for almost everything",
                String.format(Locale.ROOT, "class %d gets %.0f %% of predictions; the most frequent label is only "
                    + "%.0f %% of the data", predClass, 100 * fp, 100 * fl), "dead units, a learning rate far too "
                    + "high or low, or an all-zero initialisation", "check the other findings; lower the learning rate, "
                    + "use a random initializer"));
        }
    }

    private static void tools(Job job, Backend be, Consumer<Finding> add) {
        GradientCheck.Result gc = GradientCheck.run(job.spec(), job.loss(), job.train(), be, job.training().seed());
        double pass = gc.agreement();
        if (pass < Thresholds.GRADCHECK_PASS_FRACTION) {
            add.accept(new Finding("gradient_check_failed", ERROR, "the backward pass disagrees with central "
                + "differences", String.format(Locale.ROOT, "%.0f %% of checked entries agree; worst: %s", 100 * pass,
                gc.worst()), "a bug in a layer's backward pass, or a non-differentiable point hit exactly",
                "report it with the job file; meanwhile try another layer type"));
        }
        TinyBatchOverfit.Result tiny = TinyBatchOverfit.run(job.spec(), job.loss(), job.optimizer(), job.lr(),
            job.train(), be, job.training().seed());
        if (!(tiny.finalLoss() <= Thresholds.TINY_LOSS_FRACTION * tiny.initialLoss() || tiny.finalLoss() < 0.05)) {
            add.accept(new Finding("cannot_overfit_small_batch", WARNING, "the model cannot fit " + Thresholds.TINY_BATCH
                + " samples", String.format(Locale.ROOT, "loss %.4f -> %.4f after %d steps on %d samples",
                tiny.initialLoss(), tiny.finalLoss(), Thresholds.TINY_STEPS, Thresholds.TINY_BATCH), "a healthy model memorises a tiny batch; "
                + "failing means a learning-rate, initialisation, capacity or wiring problem",
                "fix the other findings first; check the learning rate and that the labels match the inputs"));
        }
    }
}
