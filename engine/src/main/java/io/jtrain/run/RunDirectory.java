package io.jtrain.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jtrain.job.JobException;
import io.jtrain.train.EpochMetrics;
import io.jtrain.util.AtomicFiles;
import io.jtrain.util.OutputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The output directory of a run:
 * <pre>
 * run.json                 run record: the job, command line, versions, device and why, seed, resumes
 * job.yaml                 the job, every key (written once; resuming never rewrites it)
 * metrics.csv, metrics.jsonl   one line per epoch
 * checkpoint.safetensors   the last epoch (or the interrupted step): model, optimizer, trainer state
 * best/                    the best epoch's model: model.safetensors + model.json
 * curves.png, confusion.png, report.json   learning curves, test confusion matrix and metrics
 * </pre>
 * {@link #check} decides, without writing anything, whether a run may use the directory; {@link #open}
 * then creates it. Stale {@code *.tmp} files of an interrupted atomic write are removed when it opens.
 */
public final class RunDirectory {
    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    public static final String CHECKPOINT = "checkpoint.safetensors";
    public static final String JOB = "job.yaml";
    public static final String RECORD = "run.json";
    private final Path dir;

    private RunDirectory(Path dir) {
        this.dir = dir;
    }

    /** Whether {@code dir} does not exist or is an empty directory (a run there creates everything in it). */
    public static boolean isFresh(Path dir) {
        if (!Files.exists(dir)) {
            return true;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return Files.isDirectory(dir) && s.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Removes a run directory that this run created and that holds no checkpoint yet — a run that failed
     * before its first checkpoint leaves no partial files in a fresh {@code --out}. Best effort.
     */
    static void removeFresh(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | java.io.UncheckedIOException e) {
            // what is left is reported by the next run's directory check
        }
    }

    /**
     * The job recorded by the run that a model directory belongs to: {@code job.yaml} in {@code modelDir} or
     * one of the two folders above it ({@code RUN/best} belongs to {@code RUN}), or null when there is none.
     */
    public static io.jtrain.job.JobSpec jobOf(Path modelDir) {
        Path abs = modelDir.toAbsolutePath().normalize();
        for (int up = 0; up <= 2 && abs != null; up++, abs = abs.getParent()) {
            if (Files.isRegularFile(abs.resolve(JOB))) {
                return recordedJob(abs, List.of()).spec();
            }
        }
        return null;
    }

    /** The job recorded in run directory {@code dir} (its job.yaml), with {@code overrides} on top. */
    public static io.jtrain.job.Jobs.Loaded recordedJob(Path dir, List<io.jtrain.job.Jobs.Override> overrides) {
        Path f = dir.resolve(JOB);
        if (!Files.exists(f)) {
            check(dir, false, true);
            throw new JobException(dir + ": no " + JOB + " recording the run's job");
        }
        try {
            return io.jtrain.job.Jobs.load(Files.readString(f), f.toString(), overrides);
        } catch (IOException e) {
            throw new JobException(f + ": cannot read the run's recorded job (" + e.getMessage() + ")");
        }
    }

    /**
     * Checks, without writing, that {@code dir} can hold a new run (it must not hold one unless {@code force})
     * or a resumed one (it must hold a checkpoint and its job), and that it can be created. Errors say what to do.
     */
    public static void check(Path dir, boolean force, boolean resume) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new OutputException("--out " + dir + " exists and is a file, not a directory; choose another --out "
                + "or remove the file", null);
        }
        boolean hasRun = Files.exists(dir.resolve(RECORD)) || Files.exists(dir.resolve(CHECKPOINT));
        if (resume) {
            if (!Files.exists(dir.resolve(CHECKPOINT))) {
                throw new JobException(dir + ": no " + CHECKPOINT + " to resume from"
                    + (Files.exists(dir.resolve(RECORD)) ? " (the run stopped before its first checkpoint); start it "
                        + "again with --force" : "; start a new run without --resume"));
            }
            if (!Files.exists(dir.resolve(JOB))) {
                throw new JobException(dir + ": no " + JOB + " recording the run's job; it cannot be resumed as the "
                    + "same run");
            }
        } else if (hasRun && !force) {
            throw new JobException("output directory " + dir + " already holds a run; use --force to overwrite it, "
                + "--resume to continue it, or --out to choose another directory");
        } else if (!hasRun && Files.isDirectory(dir) && !isEmpty(dir) && !force) {
            throw new JobException("output directory " + dir + " is not empty; use --force or choose another --out");
        }
        Path existing = dir.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing != null && !Files.isDirectory(existing)) {
            throw new OutputException("--out " + dir + ": " + existing + " is a file, so the directory cannot be "
                + "created; choose another --out", null);
        }
        if (existing != null && !Files.isWritable(existing)) {
            throw new OutputException("--out " + dir + ": " + existing + " is not writable (permission denied); "
                + "choose another --out or fix its permissions", null);
        }
    }

    /** {@link #check}, then creates the directory (the first write of a run) and removes stale temp files. */
    public static RunDirectory open(Path dir, boolean force, boolean resume) {
        check(dir, force, resume);
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-test", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new OutputException("output directory " + dir + " is not writable (" + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); choose another --out or fix its "
                + "permissions", e);
        }
        AtomicFiles.removeStaleTemporaries(dir);
        AtomicFiles.removeStaleTemporaries(dir.resolve("best"));
        return new RunDirectory(dir);
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    public Path path() {
        return dir;
    }

    public Path resolve(String name) {
        return dir.resolve(name);
    }

    public void writeJson(String name, ObjectNode node) {
        AtomicFiles.writeString(dir.resolve(name), node.toPrettyString() + "\n");
    }

    /**
     * Rewrites metrics.csv and metrics.jsonl from the whole history (atomic, so resume never duplicates lines).
     * metrics.csv has the fixed columns, then one per further metric any epoch has (regression's mae, rmse,
     * val_mae, val_rmse; the test split's when it is evaluated during training), empty where an epoch has none.
     */
    public void writeMetrics(List<EpochMetrics> history) {
        java.util.Set<String> extra = new java.util.LinkedHashSet<>();
        history.forEach(m -> extra.addAll(m.more().keySet()));
        StringBuilder csv = new StringBuilder("epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds");
        extra.forEach(k -> csv.append(',').append(k));
        csv.append('\n');
        StringBuilder jsonl = new StringBuilder();
        for (EpochMetrics m : history) {
            csv.append(String.format(Locale.ROOT, "%d,%.6f,%s,%s,%s,%.6g,%.3f", m.epoch(), m.loss(), f(m.accuracy()),
                f(m.valLoss()), f(m.valAccuracy()), m.lr(), m.seconds()));
            extra.forEach(k -> csv.append(',').append(f(m.more().get(k))));
            csv.append('\n');
            jsonl.append(epochJson(m).toString()).append('\n');
        }
        AtomicFiles.writeString(dir.resolve("metrics.csv"), csv.toString());
        AtomicFiles.writeString(dir.resolve("metrics.jsonl"), jsonl.toString());
    }

    private static String f(Double d) {
        return d == null ? "" : String.format(Locale.ROOT, "%.6f", d);
    }

    /** An epoch as JSON: the fixed metrics (null when absent), then the further ones it has. */
    public static ObjectNode epochJson(EpochMetrics m) {
        ObjectNode o = JSON.createObjectNode();
        o.put("epoch", m.epoch());
        o.put("loss", m.loss());
        putNullable(o, "accuracy", m.accuracy());
        putNullable(o, "val_loss", m.valLoss());
        putNullable(o, "val_accuracy", m.valAccuracy());
        o.put("lr", m.lr());
        o.put("seconds", m.seconds());
        m.more().forEach((k, v) -> putNullable(o, k, v));
        return o;
    }

    public static void putNullable(ObjectNode o, String key, Double v) {
        if (v == null || v.isNaN()) {
            o.putNull(key);
        } else {
            o.put(key, v);
        }
    }
}
