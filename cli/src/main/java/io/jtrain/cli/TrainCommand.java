package io.jtrain.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jtrain.data.DataLocator;
import io.jtrain.diagnose.Finding;
import io.jtrain.job.JobException;
import io.jtrain.job.JobSpec;
import io.jtrain.job.Jobs;
import io.jtrain.run.RunDirectory;
import io.jtrain.run.RunListener;
import io.jtrain.run.RunResult;
import io.jtrain.run.TrainingRun;
import io.jtrain.train.Evaluation;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jtrain train [JOB.yaml]}: flags → job → {@link TrainingRun} → progress, charts and the summary. */
@Command(name = "train", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Train a model. With no job file: lenet5 on the embedded Fashion-MNIST subset.",
    footer = {"", "Examples:",
        "  jtrain train",
        "  jtrain train examples/lenet5.yaml --epochs 3 --out runs/lenet5",
        "  jtrain train --preset dlfs --data mnist --data-dir ../shared/data --epochs 5",
        "  jtrain train examples/lenet5.yaml --set optimizer.clip_norm=1.0 --training.seed=7",
        "  jtrain train examples/lenet5.yaml --dump-job",
        "  jtrain train --out runs/lenet5 --resume                 continue with the run's recorded job",
        "  jtrain train --out runs/lenet5 --resume --epochs 20     ... and train longer",
        "  jtrain train job.yaml --strict      stop on an error-level finding of the live doctor"})
public final class TrainCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "JOB.yaml", description = "Job file (optional).")
    Path jobFile;

    @Mixin
    CommonOptions common;

    @Option(names = "--resume", description = "Continue the run in --out from its checkpoint, with its recorded job "
        + "(a job file or flags must not change it; see --allow-changes).")
    boolean resume;

    @Option(names = "--allow-changes", paramLabel = "KEY[,KEY...]", split = ",",
        description = "With --resume: job keys that may change (e.g. optimizer.lr); recorded in run.json.")
    Set<String> allowChanges = new LinkedHashSet<>();

    @Option(names = "--dump-job", description = "Print the fully resolved job as YAML (every key) and exit.")
    boolean dumpJob;

    @Option(names = "--strict", description = "Stop the run (exit 8) on an error-level finding of the live doctor.")
    boolean strict;

    @Option(names = "--no-live-diagnosis", description = "Do not run the doctor's detectors during training.")
    boolean noDiagnosis;

    @Option(names = "--tensorboard", negatable = true, defaultValue = "true", fallbackValue = "true",
        description = "Write TensorBoard event files to RUN/tb/train, RUN/tb/validation (tensorboard --logdir RUN/tb); "
            + "--no-tensorboard: none.")
    boolean tensorboard;

    @Option(names = "--tensorboard-histograms", description = "Also write a histogram of every weight tensor after "
        + "each epoch (TensorBoard's Histograms tab).")
    boolean histograms;

    @Option(names = "--target-error", paramLabel = "E", description = "Expected training error (enables the "
        + "underfitting check).")
    Double targetError;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Jobs.Loaded loaded = resume && jobFile == null ? recorded() : common.load(jobFile);
        loaded.warnings().forEach(w -> err.println("jtrain: warning: " + w));
        JobSpec job = loaded.spec();
        if (dumpJob) {
            out.print(job.toYaml());
            return ExitCodes.OK;
        }
        TrainingRun.Options opts = common.runOptions(err).withResume(resume, allowChanges)
            .withLiveDiagnosis(!noDiagnosis, strict, targetError);
        if (common.lrAuto()) {
            job = autoLr(job, opts, err);
        }
        Progress progress = new Progress(err, System.console() != null && !common.json, job.training().epochs());
        TrainingRun.Builder b = TrainingRun.of(job).options(opts).listener(progress).listener(new Console(err,
            progress.width()));
        if (tensorboard) {
            b.listener(new io.jtrain.run.TensorBoardWriter(null, histograms));
        }
        TrainingRun run = b.build();
        RunResult r;
        String[] signal = new String[1];
        Signals.Handle h = Signals.install(name -> {
            signal[0] = name;
            run.requestStop();
        });
        try {
            r = run.run();
        } catch (io.jtrain.train.TrainingInterrupted e) {
            throw signal[0] == null ? e : e.bySignal(signal[0]);
        } finally {
            h.restore();
            progress.close();
        }
        if (common.json) {
            out.println(summaryJson(r).toPrettyString());
        }
        return ExitCodes.OK;
    }

    /** The job a resume continues: the run's recorded job.yaml, with the command line's overrides on top. */
    private Jobs.Loaded recorded() {
        if (common.out == null) {
            throw new JobException("--resume without a job file needs --out RUN_DIR (the run to continue)");
        }
        return RunDirectory.recordedJob(Path.of(common.out), common.overrides());
    }

    /** The run's lines on standard error: device, data, notices, the live doctor, test metrics, charts. */
    private static final class Console implements RunListener {
        /** The least time between two redraws of curves.png during training. */
        private static final long CHART_EVERY_MS = 2000;
        private final PrintWriter err;
        private final int width;
        private java.nio.file.Path runDir;
        private long lastChart;

        /** @param width the terminal's width (long lines are broken at spaces, indented), 0 when not one */
        Console(PrintWriter err, int width) {
            this.err = err;
            this.width = width;
        }

        @Override
        public void started(Started s) {
            runDir = s.runDir();
            lastChart = System.currentTimeMillis();
            err.println(Progress.wrap("device: " + s.device() + " (" + s.deviceReason() + ")", width - 1, 8));
            err.println("data: " + s.job().data().name() + " (" + s.trainSamples() + " training, " + s.validationSamples()
                + " validation, " + s.testSamples() + " test samples)" + (s.firstEpoch() > 1 ? "; resuming at epoch "
                + s.firstEpoch() : ""));
            err.flush();
        }

        @Override
        public void notice(String line) {
            err.println(Progress.wrap(line, width - 1, 2));
            err.flush();
        }

        @Override
        public void finding(Finding f) {
            err.println(Progress.wrap("doctor: " + f + " (" + f.evidence() + "); fix: " + f.fix(), width - 1, 8));
            err.flush();
        }

        /** curves.png redrawn after an epoch (the whole history, resumed runs too), at most every 2 s. */
        @Override
        public void checkpoint(Checkpoint c) {
            long now = System.currentTimeMillis();
            if (runDir == null || !c.epochBoundary() || now - lastChart < CHART_EVERY_MS || c.state().history.isEmpty()) {
                return;
            }
            double[] es = c.state().earlyStopping;
            Charts.learningCurves(runDir.resolve("curves.png"), c.state().history, es.length > 1 ? (int) es[1] : 0);
            lastChart = System.currentTimeMillis();
        }

        @Override
        public void finished(RunResult r) {
            Evaluation test = r.test();
            if (r.runDir() != null) {
                Report.charts(r.runDir(), r.classNames(), test, r.history(), r.bestEpoch());
            }
            if (test != null) {
                err.println(String.format(Locale.ROOT, "test: loss %.4f%s%s (%d samples)", test.loss(),
                    test.accuracy() == null ? "" : String.format(Locale.ROOT, ", accuracy %.4f", test.accuracy()),
                    test.regression() == null ? "" : String.format(Locale.ROOT, ", MAE %.4g, RMSE %.4g, R² %.4f",
                        test.regression().mae(), test.regression().rmse(), test.regression().r2()), test.samples()));
            }
            if (r.runDir() != null) {
                err.println("run directory: " + r.runDir() + " (best model in " + r.runDir().resolve("best") + ")");
            }
            err.flush();
        }
    }

    static ObjectNode summaryJson(RunResult r) {
        ObjectNode o = RunDirectory.JSON.createObjectNode();
        o.put("epochs_run", r.history().size());
        o.put("best_epoch", r.bestEpoch());
        o.put("stopped_early", r.stoppedEarly());
        ArrayNode h = o.putArray("history");
        r.history().forEach(m -> h.add(RunDirectory.epochJson(m)));
        Evaluation test = r.test();
        if (test == null) {
            o.putNull("test");
        } else {
            ObjectNode t = o.putObject("test");
            t.put("loss", test.loss());
            RunDirectory.putNullable(t, "accuracy", test.accuracy());
            if (test.regression() != null) {
                t.put("mae", test.regression().mae());
                t.put("rmse", test.regression().rmse());
                RunDirectory.putNullable(t, "r2", Double.isNaN(test.regression().r2()) ? null : test.regression().r2());
            }
            t.put("samples", test.samples());
        }
        o.put("run_dir", r.runDir() == null ? null : r.runDir().toString());
        return o;
    }

    /**
     * {@code --lr auto}: the range test's suggestion as optimizer.lr, said in one line; without a suggestion the
     * job's own rate, said in one line with the reason. Refused with --resume (the run's rate is recorded).
     */
    private static JobSpec autoLr(JobSpec job, TrainingRun.Options opts, PrintWriter err) {
        if (opts.resume()) {
            throw new io.jtrain.util.UsageException("--lr auto cannot be combined with --resume: the run continues "
                + "with its recorded learning rate");
        }
        io.jtrain.diagnose.LrRangeTest.Result r = io.jtrain.diagnose.LrRangeTest.forJob(job, opts, l -> { });
        if (Double.isNaN(r.suggestion())) {
            err.println(String.format(java.util.Locale.ROOT, "lr auto: no suggestion (%s); training with the job's "
                + "optimizer.lr %.3g", r.reason(), job.optimizer().lr()));
            return job;
        }
        String lr = String.format(java.util.Locale.ROOT, "%.2g", r.suggestion());
        err.println("lr auto: the learning-rate range test suggests " + lr + "; training with optimizer.lr " + lr
            + " (recorded in job.yaml)");
        return job.with("optimizer.lr", lr);
    }
}
