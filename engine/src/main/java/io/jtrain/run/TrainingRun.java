package io.jtrain.run;

import io.jtrain.backend.Backend;
import io.jtrain.backend.DeviceSelection;
import io.jtrain.backend.GpuOptions;
import io.jtrain.data.DataException;
import io.jtrain.data.DataLocator;
import io.jtrain.data.Dataset;
import io.jtrain.diagnose.DataChecks;
import io.jtrain.diagnose.Finding;
import io.jtrain.diagnose.ModelChecks;
import io.jtrain.diagnose.TrainingMonitor;
import io.jtrain.job.JobException;
import io.jtrain.job.JobSpec;
import io.jtrain.job.Jobs;
import io.jtrain.loss.Loss;
import io.jtrain.model.ModelFiles;
import io.jtrain.nn.ModelSpec;
import io.jtrain.nn.Sequential;
import io.jtrain.optim.Optimizer;
import io.jtrain.probe.Probing;
import io.jtrain.probe.ProbeResult;
import io.jtrain.tensor.OutOfMemoryException;
import io.jtrain.train.EpochMetrics;
import io.jtrain.train.Evaluation;
import io.jtrain.train.TrainState;
import io.jtrain.train.Trainer;
import io.jtrain.train.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One training run, end to end — the only place that assembles data, device, model, optimizer and
 * trainer, for {@code train}, {@code bench}, {@code probe}, {@code doctor}, {@code selftest} and Java users
 * alike. In order: the run directory is checked (nothing written yet); a resume compares the requested job
 * with the recorded one ({@link ResumeCheck}); the device is chosen and announced; the data is loaded and
 * prepared; everything checkable before the first step is checked (shapes, labels against the outputs, the
 * batch against the data); {@code batch_size: auto} is probed; only then is the run directory written
 * (run.json, job.yaml); then the model, the optimizer and the trainer, the checkpoint restored on resume,
 * the live doctor, training with the listeners, the best epoch restored, the test split evaluated, and the
 * result. A run in memory ({@link Builder#inMemory}) writes no files; one on a given backend does not close
 * it.
 */
public final class TrainingRun {
    private final JobSpec requested;
    private Options opts; // a resume adopts the recorded threads and oneDNN choice (run())
    private final Backend givenBackend;
    private final PreparedData givenData;
    private final boolean inMemory;
    private final List<RunListener> listeners;
    private volatile Trainer trainer;
    private volatile boolean stopRequested;

    /**
     * How a run executes, as opposed to what it trains (the job).
     *
     * @param force overwrite a run in the output directory
     * @param resume continue the run in the output directory (the job's {@code output})
     * @param allowChanges job keys a resume may change (recorded in run.json)
     * @param memoryLimit pool capacity in bytes (0: the defaults)
     * @param threads the CPU backend's threads
     * @param liveDiagnosis run the doctor's detectors during training
     * @param strict stop on an error-level finding of the live doctor (exit 8)
     * @param targetError the training error expected (enables the underfitting check), or null
     * @param download how missing named data sets may be downloaded
     */
    public record Options(boolean force, boolean resume, Set<String> allowChanges, long memoryLimit, GpuOptions gpu,
                          int threads, boolean liveDiagnosis, boolean strict, Double targetError,
                          DataLocator.Download download) {
        public Options {
            allowChanges = Set.copyOf(allowChanges);
        }

        /** A new run with the defaults: live diagnosis on, no download, the default device options. */
        public static Options defaults() {
            return new Options(false, false, Set.of(), 0, GpuOptions.DEFAULT, DeviceSelection.threads(), true, false,
                null, DataLocator.Download.off());
        }

        public Options withForce(boolean f) {
            return new Options(f, resume, allowChanges, memoryLimit, gpu, threads, liveDiagnosis, strict, targetError,
                download);
        }

        public Options withResume(boolean r, Set<String> allow) {
            return new Options(force, r, allow, memoryLimit, gpu, threads, liveDiagnosis, strict, targetError,
                download);
        }

        public Options withLiveDiagnosis(boolean on, boolean strictOn, Double target) {
            return new Options(force, resume, allowChanges, memoryLimit, gpu, threads, on, strictOn, target, download);
        }

        public Options withDevice(long limit, GpuOptions g, int t) {
            return new Options(force, resume, allowChanges, limit, g, t, liveDiagnosis, strict, targetError, download);
        }

        public Options withDownload(DataLocator.Download d) {
            return new Options(force, resume, allowChanges, memoryLimit, gpu, threads, liveDiagnosis, strict,
                targetError, d);
        }
    }

    /** Builds a run of a job. */
    public static final class Builder {
        private final JobSpec job;
        private Options opts = Options.defaults();
        private Backend backend;
        private PreparedData data;
        private boolean inMemory;
        private final List<RunListener> listeners = new ArrayList<>();

        private Builder(JobSpec job) {
            this.job = job;
        }

        public Builder options(Options o) {
            this.opts = o;
            return this;
        }

        /** Trains on this backend (not closed by the run) instead of choosing the job's device. */
        public Builder backend(Backend be) {
            this.backend = be;
            return this;
        }

        /** Trains on these prepared splits instead of loading the job's data. */
        public Builder data(PreparedData d) {
            this.data = d;
            return this;
        }

        /** No run directory: no checkpoints, models or metrics files. */
        public Builder inMemory() {
            this.inMemory = true;
            return this;
        }

        public Builder listener(RunListener l) {
            listeners.add(l);
            return this;
        }

        public TrainingRun build() {
            return new TrainingRun(this);
        }
    }

    /** A run of {@code job} (into its {@code output} directory unless {@link Builder#inMemory}). */
    public static Builder of(JobSpec job) {
        return new Builder(job);
    }

    /**
     * A run that continues the run in {@code runDir} from its checkpoint, with the job recorded there
     * (job.yaml) and {@code overrides} on top — which the resume check refuses unless they only change
     * execution keys or {@code training.epochs} (see {@link ResumeCheck}). Options set later on the builder
     * must keep {@code resume} on.
     */
    public static Builder resume(Path runDir, List<Jobs.Override> overrides) {
        List<Jobs.Override> all = new ArrayList<>(overrides);
        all.add(new Jobs.Override("output", runDir.toString(), "the run directory"));
        return new Builder(RunDirectory.recordedJob(runDir, all).spec()).options(Options.defaults()
            .withResume(true, Set.of()));
    }

    private TrainingRun(Builder b) {
        this.requested = b.job;
        this.opts = b.opts;
        this.givenBackend = b.backend;
        this.givenData = b.data;
        this.inMemory = b.inMemory;
        this.listeners = List.copyOf(b.listeners);
    }

    /** Asks the run to checkpoint and stop at the next step (safe from a signal handler's thread). */
    public void requestStop() {
        stopRequested = true;
        Trainer t = trainer;
        if (t != null) {
            t.requestStop();
        }
    }

    private void notice(String line) {
        listeners.forEach(l -> l.notice(line));
    }

    /** Runs the job; exceptions are the documented ones (see the class comment of each). */
    public RunResult run() {
        Path out = Path.of(requested.output());
        if (!inMemory) {
            RunDirectory.check(out, opts.force(), opts.resume());
        }
        JobSpec job = requested;
        ResumeCheck.Outcome resumed = null;
        if (opts.resume()) {
            resumed = ResumeCheck.compare(recordedJob(out), requested, opts.allowChanges());
            job = resumed.job();
            for (var e : resumed.execution().entrySet()) {
                notice("resume: " + e.getKey() + " is " + e.getValue()[1] + " (the run used " + e.getValue()[0]
                    + "); training continues, but results are no longer promised bit-identical to an uninterrupted "
                    + "run");
            }
            for (var e : resumed.changes().entrySet()) {
                notice("resume: " + e.getKey() + " changes from " + e.getValue()[0] + " to " + e.getValue()[1]
                    + (e.getKey().equals("training.epochs") ? " (the schedule keeps its horizon)" : " (allowed; "
                        + "recorded in run.json)"));
            }
        }
        if (opts.resume()) {
            opts = ExecutionChoice.onResume(out, opts, this::notice);
        }
        DeviceSelection.Choice dev = givenBackend != null ? null : DeviceSelection.select(job.training().device(),
            opts.memoryLimit(), opts.gpu(), opts.threads());
        Backend be = givenBackend != null ? givenBackend : dev.backend();
        boolean fresh = !inMemory && !opts.resume() && RunDirectory.isFresh(out);
        try {
            return train(job, resumed, out, dev, be);
        } catch (RuntimeException | Error e) {
            if (fresh && !Files.exists(out.resolve(RunDirectory.CHECKPOINT))) {
                RunDirectory.removeFresh(out);
            }
            throw e;
        } finally {
            if (dev != null) {
                be.close();
            }
        }
    }

    /** Says so when a preset's output layer was sized to the data. */
    private void presetNotice(JobSpec job, ModelSpec spec) {
        Object preset = lastUnits(job.layers());
        Object used = lastUnits(spec.layers());
        if (job.model().preset() != null && preset != null && !preset.equals(used)) {
            notice("model.preset " + job.model().preset() + ": its output layer has " + used + " units for the data "
                + "(the preset's default is " + preset + ")");
        }
    }

    private static Object lastUnits(List<io.jtrain.nn.LayerSpec> layers) {
        for (int i = layers.size() - 1; i >= 0; i--) {
            if (layers.get(i).type().equals("dense")) {
                return layers.get(i).options().get("units");
            }
        }
        return null;
    }

    private static JobSpec recordedJob(Path out) {
        return Jobs.load(out.resolve(RunDirectory.JOB), List.of()).spec();
    }

    private RunResult train(JobSpec job0, ResumeCheck.Outcome resumed, Path out, DeviceSelection.Choice dev,
                            Backend be) {
        JobSpec job = job0;
        PreparedData data = givenData != null ? givenData : PreparedData.load(job, opts.download());
        ModelSpec spec = data.modelSpec(job);
        presetNotice(job, spec);
        dataNotices(job, data);
        job = checkBeforeWriting(job, spec, data);
        if (job.batchAuto()) {
            job = autoBatch(job, spec, be, data);
        }
        String device = dev != null ? dev.device() : be.device();
        String why = dev != null ? dev.reason() : "given backend";
        RunDirectory run = inMemory ? null : RunDirectory.open(out, opts.force(), opts.resume());
        int firstEpoch = 1;
        if (run != null) {
            RunRecord.Execution exec = new RunRecord.Execution(device, why, be.description(), opts.gpu().cudnnFlag(),
                opts.threads(), opts.memoryLimit(), ExecutionChoice.oneDnn(be));
            if (resumed == null) {
                RunRecord.writeNew(run, job, exec, spec, version());
            }
        }
        try (Sequential model = Sequential.build(spec)) {
            model.bind(be, job.training().seed());
            Loss loss = job.lossFunction();
            try (Optimizer opt = new Optimizer(job.optimizerConfig(), be);
                 Trainer t = new Trainer(model, opt, loss, job.scheduleConfig().create(), job.trainConfig(),
                     data.train().targetSize(), data.accuracyRule(job))) {
                trainer = t;
                t.evaluateEvery(job.evaluation().everyEpochs(), job.evaluation().test() ? data.test() : null);
                if (stopRequested) {
                    t.requestStop();
                }
                TrainState state = resumed != null ? restore(run, model, opt, t) : new TrainState();
                firstEpoch = state.epoch;
                if (resumed != null) {
                    RunRecord.appendResume(run, state.epoch, resumed.changes(), new RunRecord.Execution(device, why,
                        be.description(), opts.gpu().cudnnFlag(), opts.threads(), opts.memoryLimit(), ExecutionChoice.oneDnn(be)),
                        resumed.execution());
                }
                RunListener.Started started = new RunListener.Started(device, why, be.description(), data.train().name(),
                    data.train().size(), data.validationSize(), data.testSize(), firstEpoch, job, out, model);
                listeners.forEach(l -> l.started(started));
                TrainingMonitor monitor = monitor(model, job, data);
                if (monitor != null && data.validation() != null
                    && model.layers().stream().anyMatch(l -> l instanceof io.jtrain.nn.BatchNorm)) {
                    t.evaluateTrainingSubset(overfitProbe(data.train()));
                }
                List<TrainingListener> all = new ArrayList<>();
                if (monitor != null) {
                    all.add(monitor);
                }
                all.addAll(listeners);
                if (run != null) {
                    all.add(new Checkpointer(run, job, data, spec, t));
                }
                TrainState done;
                try {
                    done = t.fit(data.train(), job.evaluation().splits().contains("validation") ? data.validation()
                        : null, state, all);
                    if (monitor != null) {
                        monitor.finish(opts.targetError());
                    }
                } catch (io.jtrain.train.DivergedException e) {
                    if (monitor != null) {
                        monitor.finish(opts.targetError());
                    }
                    throw e.where() != null ? e : new io.jtrain.train.DivergedException(e.getMessage(),
                        firstNonFinite(model, be));
                } finally {
                    if (monitor != null) {
                        monitor.close();
                    }
                }
                return finish(job, run, data, spec, t, done, device);
            } finally {
                trainer = null;
            }
        }
    }

    /** The first layer whose parameters are non-finite, or null. */
    private static String firstNonFinite(Sequential m, Backend be) {
        for (io.jtrain.nn.Layer l : m.layers()) {
            for (io.jtrain.nn.Parameter p : l.parameters()) {
                if (be.stats(p.value()).nonFinite() > 0) {
                    return "first non-finite parameters in layer " + l.index() + " (" + l.type() + "), " + p.name();
                }
            }
        }
        return null;
    }

    /** One line for each decision about the data the user should hear of. */
    private void dataNotices(JobSpec job, PreparedData data) {
        if (data.loaded() != null) {
            data.loaded().notes().forEach(this::notice);
        }
        if (job.data().validation().test() && data.test() != null) {
            notice("data.validation: test — validating on the test split (" + data.testSize() + " samples): model "
                + "selection then sees the test data, so the test figures are optimistic");
        }
        if (data.oneHot()) {
            double eps = job.data().labelSmoothing();
            notice("targets: class labels as one-hot vectors of " + data.train().targetSize() + " classes"
                + (eps > 0 ? String.format(Locale.ROOT, ", label-smoothed (%.3g)", eps) : "") + " for " + job.loss()
                + "; accuracy is the argmax match");
        }
    }

    /** Everything that can be checked before the first step, checked before the run directory is touched. */
    private JobSpec checkBeforeWriting(JobSpec job, ModelSpec spec, PreparedData data) {
        int outputs;
        try (Sequential m = Sequential.build(spec)) {
            outputs = (int) m.outputShape().size();
        }
        if (job.evaluation().test() && data.test() == null) {
            throw new JobException("evaluation.splits lists test, but the data '" + job.data().name() + "' has no "
                + "test split; give data.test_file or data.test_fraction, or remove test from evaluation.splits");
        }
        // the raw (loaded) labels of one-hot targets are class indices, checked as such against the outputs
        Loss loss = data.oneHot() ? Loss.SOFTMAX_CROSS_ENTROPY : job.lossFunction();
        if (data.loaded() == null) {
            DataPreflight.checkFinite(data.train());
            DataPreflight.checkFinite(data.validation());
        }
        io.jtrain.data.DataSplits loaded = data.loaded();
        if (loaded != null) {
            DataPreflight.checkTargets(loaded.train(), loss, outputs, loaded.trainOrigin());
            if (loaded.test() != null) {
                DataPreflight.checkTargets(loaded.test(), loss, outputs, loaded.testOrigin());
            }
        } else {
            DataPreflight.checkTargets(data.train(), loss, outputs, null);
            if (data.validation() != null) {
                DataPreflight.checkTargets(data.validation(), loss, outputs, null);
            }
            if (data.test() != null) {
                DataPreflight.checkTargets(data.test(), loss, outputs, null);
            }
        }
        int n = data.train().size();
        if (n == 0) {
            throw new DataException("the training split of " + data.train().name() + " is empty");
        }
        if (!job.batchAuto() && job.batchSize() > n) {
            notice("training.batch_size " + job.batchSize() + " is larger than the " + n + " training samples; using "
                + n);
            job = job.withBatchSize(n);
        }
        return job;
    }

    private JobSpec autoBatch(JobSpec job, ModelSpec spec, Backend be, PreparedData data) {
        int cap = data.train().size();
        notice("batch size auto: probing on " + be.device() + " (up to " + cap + ", the training-set size)");
        ProbeResult r = Probing.probe(be, spec, job, new Probing.Settings(null, cap, io.jtrain.probe.BatchProbe
            .DEFAULT_MARGIN, null, 6, cap), this::notice);
        if (r.maxBatchSize() == 0) {
            throw new OutOfMemoryException(be.device(), io.jtrain.tensor.MemoryCategory.ACTIVATIONS, 0,
                be.pool().inUseBytes(), be.pool().capacityBytes(), -1, -1);
        }
        notice(String.format(Locale.ROOT, "batch size auto: using %d — the smallest size within 5 %% of the fastest "
            + "median throughput, at or below 90 %% of the largest that fits (%d)%s%s", r.recommendedBatchSize(),
            r.maxBatchSize(), r.dataLimit() == null ? "" : " and a tenth of the data (" + r.dataLimit() + ")",
            r.plateauBatchSize() == null ? "" : "; throughput plateaus from " + r.plateauBatchSize()));
        return job.withBatchSize(r.recommendedBatchSize());
    }

    private TrainingMonitor monitor(Sequential model, JobSpec job, PreparedData data) {
        if (!opts.liveDiagnosis()) {
            return null;
        }
        TrainingMonitor monitor = new TrainingMonitor(model, f -> listeners.forEach(l -> l.finding(f)), opts.strict());
        List<Finding> pre = new ArrayList<>();
        DataChecks.run(data.train(), data.validation(), !job.regression() && job.lossFunction().classIndexTargets(),
            (int) model.outputShape().size(), pre);
        ModelChecks.finalActivation(model, job.lossFunction(), data.train(), pre);
        ModelChecks.initialization(model, data.train(), pre);
        pre.stream().filter(f -> f.severity() != Finding.Severity.INFO).forEach(monitor::add);
        return monitor;
    }

    private static TrainState restore(RunDirectory run, Sequential model, Optimizer opt, Trainer t) {
        TrainState st = ModelFiles.loadCheckpoint(run.resolve(RunDirectory.CHECKPOINT), model, opt);
        if (Files.exists(run.resolve("best").resolve(ModelFiles.WEIGHTS))) {
            t.setBest(ModelFiles.readWeights(run.resolve("best"), model));
        }
        return st;
    }

    private RunResult finish(JobSpec job, RunDirectory run, PreparedData data, ModelSpec spec, Trainer t, TrainState st,
                             String device) {
        int best = t.earlyStopping().bestEpoch();
        int last = st.history.isEmpty() ? 0 : st.history.get(st.history.size() - 1).epoch();
        boolean restoreBest = job.training().earlyStopping().restoreBest();
        if (restoreBest && best > 0) {
            t.restoreBest();
        }
        if (st.stoppedEarlyAt > 0) {
            notice("stopped after epoch " + last + "; using the model from epoch " + (restoreBest ? best : last));
        } else if (best != last && restoreBest) {
            notice("using the model from epoch " + best + " (best " + job.training().earlyStopping().monitor() + ")");
        }
        Evaluation test = data.test() == null ? null : t.evaluate(data.test());
        if (run != null) {
            run.writeMetrics(st.history);
            if (test != null) {
                run.writeJson("report.json", Reports.json(test, data.train().classNames()));
            }
        }
        RunResult r = new RunResult(job, device, new ArrayList<EpochMetrics>(st.history), best, st.stoppedEarlyAt > 0,
            test, run == null ? null : run.path(), data.train().classNames(), spec);
        listeners.forEach(l -> l.finished(r));
        return r;
    }

    /** jtrain's version (from the jar's manifest). */
    public static String version() {
        String v = TrainingRun.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-dev" : v;
    }

    /**
     * The training samples the live diagnosis evaluates in inference mode each epoch to compare with validation
     * when the model has batch norm (whose train-mode numbers, on batch statistics, are not comparable with
     * validation's, on running statistics): a tenth of the training set, evenly spaced, 64 to 1024 samples — one
     * forward pass over them costs about 3 % of an epoch's forward and backward passes (the 5 % limit on live
     * diagnosis, ARCHITECTURE.md).
     */
    static Dataset overfitProbe(Dataset train) {
        int n = Math.min(train.size(), Math.max(64, Math.min(1024, train.size() / 10)));
        return train.evenlySpaced(n, train.name() + " (overfitting probe)");
    }
}
