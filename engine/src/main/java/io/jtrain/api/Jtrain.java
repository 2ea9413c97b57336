package io.jtrain.api;

import io.jtrain.diagnose.Doctor;
import io.jtrain.job.Jobs;
import io.jtrain.job.JobSpec;
import io.jtrain.probe.Probing;
import io.jtrain.run.Benchmark;
import io.jtrain.run.EvaluationRun;
import io.jtrain.run.RunListener;
import io.jtrain.run.RunResult;
import io.jtrain.run.TrainingRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Everything the command line does, from Java, in one call each — the commands are built on the same
 * classes, so a job behaves the same from both. Each call runs on the job's device ({@code training.device}:
 * {@code auto} uses a working GPU, else the CPU) with the default options; for a memory limit, GPU flags,
 * {@code --force} or a backend of your own, use the classes these calls are made of: {@link TrainingRun},
 * {@link EvaluationRun}, {@link Predictor}, {@link Probing}, {@link Benchmark}, {@link Doctor}. Errors are
 * the exceptions the command line maps to its exit codes (docs/cli.md): {@code JobException} (2),
 * {@code UsageException} (2), {@code DataException} (3), {@code OutOfMemoryException} (4),
 * {@code DivergedException} (5), {@code OutputException} (6), {@code DeviceUnavailableException} (7).
 * See docs/java-api.md.
 */
public final class Jtrain {
    private Jtrain() { }

    /**
     * Loads a job file (null: every default) with overrides {@code "key.path=value"} applied in order, as the
     * command line's {@code --set}. Warnings (an old key spelling accepted) go to {@code System.err}.
     */
    public static JobSpec job(Path file, String... overrides) {
        List<Jobs.Override> os = new ArrayList<>();
        for (String o : overrides) {
            int eq = o.indexOf('=');
            if (eq <= 0) {
                throw new io.jtrain.job.JobException("override '" + o + "': write key.path=value, e.g. "
                    + "training.epochs=5");
            }
            os.add(new Jobs.Override(o.substring(0, eq).trim(), o.substring(eq + 1), "override " + o));
        }
        Jobs.Loaded l = Jobs.load(file, os);
        l.warnings().forEach(w -> System.err.println("jtrain: warning: " + w));
        return l.spec();
    }

    /** Trains a job into its output directory ({@code output}), as {@code jtrain train}. */
    public static RunResult train(JobSpec job, RunListener... listeners) {
        return run(TrainingRun.of(job), listeners);
    }

    /**
     * Continues the run in {@code runDir} from its checkpoint with its recorded job, as {@code jtrain train
     * --out RUN --resume}.
     */
    public static RunResult resume(Path runDir, RunListener... listeners) {
        return run(TrainingRun.resume(runDir, List.of()), listeners);
    }

    private static RunResult run(TrainingRun.Builder b, RunListener... listeners) {
        Arrays.stream(listeners).forEach(b::listener);
        return b.build().run();
    }

    /** Evaluates a saved model on the test split of its run's data, as {@code jtrain eval MODEL_DIR}. */
    public static EvaluationRun.Result evaluate(Path modelDir) {
        return EvaluationRun.of(modelDir).run();
    }

    /** Evaluates a saved model on other data (a name or a path), as {@code jtrain eval MODEL_DIR --data D}. */
    public static EvaluationRun.Result evaluate(Path modelDir, String data) {
        return EvaluationRun.of(modelDir).data(data).run();
    }

    /** A thread-safe predictor of a saved model, on the CPU; close it. */
    public static Predictor predictor(Path modelDir) {
        return Predictor.load(modelDir);
    }

    /** The batch-size probe of a job, as {@code jtrain probe}; trials are reported to {@code log}. */
    public static Probing.Outcome probe(JobSpec job, Consumer<String> log) {
        return Probing.probe(job, TrainingRun.Options.defaults(), null, null, io.jtrain.probe.BatchProbe.DEFAULT_MARGIN,
            null, 4, log);
    }

    /** Training and inference throughput of a job's model, as {@code jtrain bench} (20 + 30 steps). */
    public static Benchmark.Result bench(JobSpec job) {
        return Benchmark.run(job, TrainingRun.Options.defaults(), 20, 30, s -> { });
    }

    /** The doctor's examination of a job, as {@code jtrain doctor}; findings go to {@code live} as found. */
    public static Doctor.Report doctor(JobSpec job, Consumer<io.jtrain.diagnose.Finding> live) {
        return Doctor.examine(job, TrainingRun.Options.defaults(), null, s -> { }, live);
    }
}
