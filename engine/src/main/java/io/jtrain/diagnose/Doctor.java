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
        RootCauses.Live ranker = new RootCauses.Live();
        Consumer<Finding> add = f -> {
            out.add(f);
            live.accept(ranker.rank(f));
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
            if (pre.stream().anyMatch(f -> BLOCKING.contains(f.id()) && f.severity() == ERROR)) {
                return new Report(RootCauses.prioritize(out), List.of(), List.of(), Double.NaN);
            }
        }
        Consumer<Finding> once = f -> {
            if (out.stream().noneMatch(o -> o.id().equals(f.id()))) {
                add.accept(f);
            }
        };
        guarded("diagnostic run", () -> diagnosticRun(spec, data, job, be, once), add);
        guarded("tools", () -> tools(job, be, add), add);
        LrRangeTest.Result[] lr = new LrRangeTest.Result[1];
        guarded("learning-rate range test", () -> lr[0] = LrRangeTest.run(job.spec(), job.loss(), job.optimizer(),
            job.train(), be, job.training().seed(), Math.min(32, job.training().batchSize())), add);
        if (lr[0] == null) {
            return new Report(RootCauses.prioritize(out), List.of(), List.of(), Double.NaN);
        }
        double suggested = suggestion(lr[0], job, out, add);
        return new Report(RootCauses.prioritize(out), lr[0].rates(), lr[0].losses(), suggested);
    }

    /** Error-level pre-flight findings after which no training can mean anything. */
    public static final List<String> BLOCKING = List.of("nan_in_data", "label_out_of_range", "final_activation_mismatch");

    /**
     * The range test's suggestion, offered only when no other root cause explains why training is stuck (a rate
     * 100x higher does not help a network whose data or initialisation is broken); NaN when not offered.
     */
    private static double suggestion(LrRangeTest.Result lr, Job job, List<Finding> out, Consumer<Finding> add) {
        String root = RootCauses.root(out);
        if (Double.isNaN(lr.suggestion())) {
            return Double.NaN;
        }
        if (root != null && !root.equals("learning_rate_too_high")) {
            add.accept(new Finding("learning_rate_suggestion", INFO, "no learning-rate suggestion while " + root
                + " is unresolved", String.format(Locale.ROOT, "the range test's minimum is at %.2g, but the run is "
                    + "stuck for another reason", 10 * lr.suggestion()), "the range test measures the loss of a "
                    + "network that " + root + " already hampers", "fix " + root + " first, then run jtrain doctor "
                    + "again"));
            return Double.NaN;
        }
        double s = lr.suggestion();
        if (root != null && s < job.lr()) {
            adoptSuggestion(out, s);
        }
        add.accept(new Finding("learning_rate_suggestion", INFO, String.format(Locale.ROOT,
            "the learning-rate range test suggests %.2g (the job uses %.2g)", s, job.lr()),
            String.format(Locale.ROOT, "smoothed loss lowest at %.2g over %d rates from 1e-6; a tenth of that",
                10 * s, lr.rates().size()), "the range test trains briefly with rates rising from 1e-6 to 1",
            "try optimizer.lr near the suggestion if training is slow or unstable").withSet(java.util.Map.of(
                "optimizer.lr", String.format(Locale.ROOT, "%.2g", s))));
        return s;
    }

    /**
     * A too-high learning rate's fix takes the range test's suggestion when that is lower: the detectors' own
     * estimate (a fixed factor, or scaling by the update ratio) can need several rounds, the range test one.
     */
    private static void adoptSuggestion(List<Finding> out, double s) {
        String rate = String.format(Locale.ROOT, "%.2g", s);
        for (int i = 0; i < out.size(); i++) {
            Finding f = out.get(i);
            String own = f.set().get("optimizer.lr");
            if (f.id().equals("learning_rate_too_high") && own != null && Double.parseDouble(own) > s) {
                out.set(i, new Finding(f.id(), f.severity(), f.summary(), f.evidence(), f.cause(), "set the learning "
                    + "rate to " + rate + ", the range test's suggestion (" + f.fix() + ")", java.util.Map.of(
                        "optimizer.lr", rate)));
            }
        }
    }

    /**
     * Runs a part of the examination; if it fails (a job the diagnostic training refuses, out of memory), the
     * report keeps what was found and says what could not run, instead of losing everything.
     */
    private static void guarded(String what, Runnable r, Consumer<Finding> add) {
        try {
            r.run();
        } catch (RuntimeException e) {
            add.accept(new Finding("diagnosis_incomplete", WARNING, "the " + what + " could not run", e.getMessage()
                == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse(""), "the job "
                + "cannot train as it is (see the other findings)", "fix the reported problems and run jtrain doctor "
                + "again"));
        }
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
                collapse(r.test().confusion(), f -> found.putIfAbsent(f.id(), stillLearning(r.history())
                    ? f.explainedBy("a training loss that is still falling") : f));
            }
        } catch (DivergedException e) {
            found.putIfAbsent("nan_in_training", divergence(e));
            found.putIfAbsent("learning_rate_too_high", new Finding("learning_rate_too_high", WARNING, "the learning "
                + "rate is too high: training diverged", String.format(Locale.ROOT, "learning rate %.3g; %s", job.lr(),
                e.cause()), "steps overshoot until the weights overflow", String.format(Locale.ROOT, "lower the "
                + "learning rate 10x, to %.2g (see the range test), or clip gradients (optimizer.clip_norm: 1.0)",
                job.lr() / 10)).withSet(java.util.Map.of("optimizer.lr", String.format(Locale.ROOT, "%.2g",
                    job.lr() / 10))));
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

    /**
     * The training loss fell by at least {@link Thresholds#COLLAPSE_STILL_LEARNING} (relative) in the last
     * epoch: predictions that lean to one class are then a network that has not yet learned the rest, not one
     * that has collapsed (a collapsed network's loss has stopped falling).
     */
    static boolean stillLearning(List<io.jtrain.train.EpochMetrics> h) {
        int n = h.size();
        return n >= 2 && h.get(n - 1).loss() < (1 - Thresholds.COLLAPSE_STILL_LEARNING) * h.get(n - 2).loss();
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
        double fl = (double) cm.support(predClass) / total;
        if (fp > Math.max(Thresholds.COLLAPSE_PREDICTED, fl + Thresholds.COLLAPSE_OF_REST * (1 - fl))) {
            mon.accept(new Finding("output_collapse", ERROR, "the network predicts the same class for almost everything",
                String.format(Locale.ROOT, "class %d gets %.1f %% of predictions but is only %.1f %% of the labels: "
                    + "the other classes are almost never predicted", predClass, 100 * fp, 100 * fl), fl
                    > Thresholds.COLLAPSE_LABELS ? "the majority class is the easy answer on imbalanced data (or the "
                    + "network learns nothing else)" : "dead units, a learning rate far too high or low, or an "
                    + "all-zero initialisation", fl > Thresholds.COLLAPSE_LABELS ? "rebalance the classes (oversample "
                    + "the rare ones) and judge by per-class recall; check the other findings" : "check the other "
                    + "findings; lower the learning rate, use a random initializer"));
        }
    }

    /** The tiny batch was memorised: the loss fell to a quarter of its start, or below 0.05. */
    private static boolean fitted(TinyBatchOverfit.Result r) {
        return r.finalLoss() <= Thresholds.TINY_LOSS_FRACTION * r.initialLoss() || r.finalLoss() < 0.05;
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
        if (fitted(tiny)) {
            return;
        }
        TinyBatchOverfit.Result faster = TinyBatchOverfit.run(job.spec(), job.loss(), job.optimizer(), 10 * job.lr(),
            job.train(), be, job.training().seed());
        if (!fitted(faster)) {
            add.accept(new Finding("cannot_overfit_small_batch", WARNING, "the model cannot fit " + Thresholds.TINY_BATCH
                + " samples", String.format(Locale.ROOT, "loss %.4f -> %.4f after %d steps on %d samples at the job's "
                + "learning rate, %.4f -> %.4f at 10x", tiny.initialLoss(), tiny.finalLoss(), Thresholds.TINY_STEPS,
                Thresholds.TINY_BATCH, faster.initialLoss(), faster.finalLoss()), "a healthy model memorises a tiny "
                + "batch; failing even with larger steps means an initialisation, capacity or wiring problem",
                "fix the other findings first; check that the labels match the inputs"));
        }
    }
}
