package io.jtrain.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jtrain.cli.job.JobLoader;
import io.jtrain.cli.job.ResolvedJob;
import io.jtrain.model.ModelFiles;
import io.jtrain.model.ModelJson;
import io.jtrain.model.ModelMeta;
import io.jtrain.nn.ModelSpec;
import io.jtrain.nn.Sequential;
import io.jtrain.optim.Optimizer;
import io.jtrain.train.EpochMetrics;
import io.jtrain.train.Evaluation;
import io.jtrain.train.TrainState;
import io.jtrain.train.Trainer;
import io.jtrain.train.TrainingListener;
import io.jtrain.diagnose.TrainingMonitor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jtrain train [JOB.yaml]}: trains, checkpoints, evaluates the best model on the test split. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train a model. With no job file: lenet5 on the embedded Fashion-MNIST subset.",
    footer = {"", "Examples:",
        "  jtrain train",
        "  jtrain train examples/lenet5.yaml --epochs 3 --out runs/lenet5",
        "  jtrain train --preset dlfs --data mnist --data-dir ../shared/data --epochs 5",
        "  jtrain train examples/lenet5.yaml --dump-job",
        "  jtrain train examples/lenet5.yaml --out runs/lenet5 --resume",
        "  jtrain train job.yaml --strict      stop on an error-level finding of the live doctor"})
public final class TrainCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "JOB.yaml", description = "Job file (optional).")
    Path jobFile;

    @Mixin
    CommonOptions common;

    @Option(names = "--resume", description = "Continue the interrupted run in --out from its checkpoint.")
    boolean resume;

    @Option(names = "--dump-job", description = "Print the fully resolved job as YAML and exit.")
    boolean dumpJob;

    @Option(names = "--strict", description = "Stop the run (exit 8) on an error-level finding of the live doctor.")
    boolean strict;

    @Option(names = "--no-live-diagnosis", description = "Do not run the doctor's detectors during training.")
    boolean noDiagnosis;

    @Option(names = "--target-error", paramLabel = "E", description = "Expected training error (enables the "
        + "underfitting check).")
    Double targetError;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ResolvedJob job = common.resolve(jobFile);
        if (dumpJob) {
            out.print(JobLoader.toYaml(job.job()));
            return ExitCodes.OK;
        }
        RunDirectory run = RunDirectory.open(Path.of(job.output()), common.force, resume);
        io.jtrain.backend.DeviceSelection.Choice device = Devices.announce(job.device(), common.memoryLimit, common.gpu.options(), err);
        try (var be = device.backend()) {
            return train(job, run, device, out, err);
        }
    }

    private int train(ResolvedJob resolved, RunDirectory run, io.jtrain.backend.DeviceSelection.Choice device, PrintWriter out, PrintWriter err) {
        ResolvedJob job = resolved;
        Session.Data data = Session.loadData(job, new io.jtrain.data.DataLocator.Download(common.download,
            common.mirror, err::println));
        ModelSpec spec = Session.spec(job, data.train());
        if (job.batchAuto()) {
            job = AutoBatch.choose(job, spec, device.backend(), data.train().size(), err);
        }
        err.println("data: " + job.data() + " (" + data.train().size() + " training, "
            + (data.validation() == null ? 0 : data.validation().size()) + " validation, "
            + (data.test() == null ? 0 : data.test().size()) + " test samples)");
        try (Sequential model = Sequential.build(spec)) {
            model.bind(device.backend(), job.training().seed());
            try (Optimizer opt = new Optimizer(job.optimizer(), device.backend());
                 Trainer trainer = new Trainer(model, opt, job.loss(), job.schedule().create(), job.training(),
                     data.train().targetSize())) {
                TrainState state = resume ? resumeState(run, model, opt, trainer) : new TrainState();
                RunRecord.write(run, job, device, spec, state);
                Progress progress = new Progress(err, System.console() != null && !common.json,
                    job.training().epochs());
                Checkpoints ckpt = new Checkpoints(run, job, data, spec, trainer);
                TrainingMonitor monitor = noDiagnosis ? null : new TrainingMonitor(model,
                    f -> err.println("doctor: " + f + " (" + f.evidence() + "); fix: " + f.fix()), strict);
                if (monitor != null) {
                    preflight(data, model, job, monitor);
                }
                TrainingListener all = monitor == null ? listeners(progress, ckpt) : listeners(progress, ckpt, monitor);
                TrainState done = withSignals(trainer, () -> trainer.fit(data.train(), data.validation(), state, all));
                if (monitor != null) {
                    monitor.finish(targetError);
                    monitor.close();
                }
                progress.close();
                return finish(job, run, data, model, trainer, done, out, err);
            }
        }
    }

    /** The doctor's data and output checks, reported through the live monitor before training. */
    private static void preflight(Session.Data data, Sequential model, ResolvedJob job, TrainingMonitor monitor) {
        java.util.List<io.jtrain.diagnose.Finding> pre = new java.util.ArrayList<>();
        io.jtrain.diagnose.DataChecks.run(data.train(), data.validation(), !job.regression()
            && job.loss().classIndexTargets(), (int) model.outputShape().size(), pre);
        io.jtrain.diagnose.ModelChecks.finalActivation(model, job.loss(), data.train(), pre);
        pre.stream().filter(f -> f.severity() != io.jtrain.diagnose.Finding.Severity.INFO).forEach(monitor::add);
    }

    private TrainState resumeState(RunDirectory run, Sequential model, Optimizer opt, Trainer trainer) {
        TrainState st = ModelFiles.loadCheckpoint(run.resolve(RunDirectory.CHECKPOINT), model, opt);
        if (java.nio.file.Files.exists(run.resolve("best").resolve(ModelFiles.WEIGHTS))) {
            trainer.setBest(ModelFiles.readWeights(run.resolve("best"), model));
        }
        return st;
    }

    private static TrainingListener listeners(TrainingListener... ls) {
        return new TrainingListener() {
            @Override
            public void epochStart(int epoch, int steps) {
                for (TrainingListener l : ls) {
                    l.epochStart(epoch, steps);
                }
            }

            @Override
            public void stepEnd(int epoch, int step, int steps, double loss, int samples) {
                for (TrainingListener l : ls) {
                    l.stepEnd(epoch, step, steps, loss, samples);
                }
            }

            @Override
            public void epochEnd(EpochMetrics m, boolean best) {
                for (TrainingListener l : ls) {
                    l.epochEnd(m, best);
                }
            }

            @Override
            public void checkpoint(TrainState st, boolean boundary) {
                for (TrainingListener l : ls) {
                    l.checkpoint(st, boundary);
                }
            }
        };
    }

    private static TrainState withSignals(Trainer trainer, java.util.function.Supplier<TrainState> body) {
        Signals.Handle h = Signals.install(trainer::requestStop);
        try {
            return body.get();
        } finally {
            h.restore();
        }
    }

    private int finish(ResolvedJob job, RunDirectory run, Session.Data data, Sequential model, Trainer trainer,
                       TrainState st, PrintWriter out, PrintWriter err) {
        int best = trainer.earlyStopping().bestEpoch();
        int last = st.history.isEmpty() ? 0 : st.history.get(st.history.size() - 1).epoch();
        if (job.training().earlyStopping().restoreBest() && best > 0) {
            trainer.restoreBest();
        }
        if (st.stoppedEarlyAt > 0) {
            err.println("stopped after epoch " + last + "; using the model from epoch " + best);
        } else if (best != last && job.training().earlyStopping().restoreBest()) {
            err.println("using the model from epoch " + best + " (best " + job.training().earlyStopping().monitor()
                + ")");
        }
        Evaluation test = data.test() == null ? null : trainer.evaluate(data.test());
        Report.write(run, data, test, st.history);
        if (test != null) {
            err.println(String.format(java.util.Locale.ROOT, "test: loss %.4f%s (%d samples)", test.loss(),
                test.accuracy() == null ? "" : String.format(java.util.Locale.ROOT, ", accuracy %.4f", test.accuracy()),
                test.samples()));
        }
        err.println("run directory: " + run.path() + " (best model in " + run.resolve("best") + ")");
        if (common.json) {
            out.println(summaryJson(st, best, test, run).toPrettyString());
        }
        return ExitCodes.OK;
    }

    static ObjectNode summaryJson(TrainState st, int best, Evaluation test, RunDirectory run) {
        ObjectNode o = RunDirectory.JSON.createObjectNode();
        o.put("epochs_run", st.history.size());
        o.put("best_epoch", best);
        o.put("stopped_early", st.stoppedEarlyAt > 0);
        ArrayNode h = o.putArray("history");
        st.history.forEach(m -> h.add(RunDirectory.epochJson(m)));
        if (test == null) {
            o.putNull("test");
        } else {
            ObjectNode t = o.putObject("test");
            t.put("loss", test.loss());
            RunDirectory.putNullable(t, "accuracy", test.accuracy());
            t.put("samples", test.samples());
        }
        o.put("run_dir", run.path().toString());
        return o;
    }

    /** Writes the last-epoch checkpoint, the best model, and the metrics files. */
    static final class Checkpoints implements TrainingListener {
        private final RunDirectory run;
        private final ResolvedJob job;
        private final Session.Data data;
        private final ModelSpec spec;
        private final Trainer trainer;
        private boolean bestPending;
        private int bestEpoch;

        Checkpoints(RunDirectory run, ResolvedJob job, Session.Data data, ModelSpec spec, Trainer trainer) {
            this.run = run;
            this.job = job;
            this.data = data;
            this.spec = spec;
            this.trainer = trainer;
        }

        @Override
        public void epochEnd(EpochMetrics m, boolean best) {
            if (best) {
                bestPending = true;
                bestEpoch = m.epoch();
            }
        }

        @Override
        public void checkpoint(TrainState st, boolean boundary) {
            ModelMeta meta = Session.meta(spec, job, data, st.history.isEmpty() ? 0
                : st.history.get(st.history.size() - 1).epoch());
            ModelFiles.saveCheckpoint(run.resolve(RunDirectory.CHECKPOINT), trainer.model(), trainer.optimizer(), st,
                ModelJson.toJson(meta).toString());
            if (bestPending) {
                ModelFiles.saveModel(run.resolve("best"), trainer.model(), Session.meta(spec, job, data, bestEpoch));
                bestPending = false;
            }
            run.writeMetrics(st.history);
        }
    }
}
