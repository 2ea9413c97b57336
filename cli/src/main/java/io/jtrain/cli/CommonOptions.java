package io.jtrain.cli;

import io.jtrain.job.JobException;
import io.jtrain.job.Jobs;
import io.jtrain.util.Suggest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/**
 * Options shared by the commands that run a job. The job flags ({@code --epochs}, {@code --lr}, ...) are
 * overrides of job-file keys, applied after the file with the file's validation; so are
 * {@code --set key.path=value} (repeatable) and the dotted form {@code --training.epochs=5} for any key.
 */
public final class CommonOptions {
    @Option(names = "--preset", paramLabel = "NAME",
        description = "Model preset: mlp, dlfs, lenet5, cnn-bn, vgg-cifar (model.preset).")
    String preset;

    @Option(names = "--data", paramLabel = "NAME|PATH",
        description = "Data set: embedded, mnist, fashion-mnist, cifar10, a CSV file or a folder (data.name).")
    String data;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Folder holding one folder per named data set "
        + "(data.dir).")
    String dataDir;

    @Option(names = "--download", description = "Download a missing named data set (checksums verified).")
    boolean download;

    @Option(names = "--mirror", paramLabel = "URL", description = "Base URL tried first by --download.")
    String mirror;

    @Option(names = "--epochs", paramLabel = "N", description = "Number of epochs (training.epochs; default 10).")
    String epochs;

    @Option(names = "--batch-size", paramLabel = "N|auto", description = "Batch size, or auto to probe for one "
        + "(training.batch_size; default: the preset's).")
    String batchSize;

    @Option(names = "--lr", paramLabel = "X|auto", description = "Learning rate (optimizer.lr; default: the "
        + "preset's); train --lr auto takes the learning-rate range test's suggestion (jtrain lr-find).")
    String lr;

    /** Whether {@code --lr auto} was given (only train accepts it). */
    boolean lrAuto() {
        return "auto".equalsIgnoreCase(lr);
    }

    @Option(names = "--device", paramLabel = "auto|cpu|cuda[:N]", description = "Device (training.device; "
        + "default: auto).")
    String device;

    @Mixin
    GpuFlags gpu;

    @Option(names = "--memory-limit", paramLabel = "SIZE",
        description = "Memory pool capacity, e.g. 512m or 2g (binary units; default: physical memory less head-room).")
    String memoryLimit;

    @Option(names = "--seed", paramLabel = "N", description = "Run seed (training.seed; default 42).")
    String seed;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory of the run (output; default "
        + "runs/PRESET-DATE-TIME).")
    String out;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Set any job-file key, e.g. --set "
        + "optimizer.clip_norm=1.0 (repeatable; also written --optimizer.clip_norm=1.0).")
    List<String> sets = new ArrayList<>();

    @Option(names = "--force", description = "Overwrite an existing output directory.")
    boolean force;

    @Option(names = "--json", description = "Print one JSON object on standard output (logs go to standard error).")
    boolean json;

    @Option(names = "--verbose", description = "Show stack traces and more detail.")
    boolean verbose;

    @Unmatched
    List<String> unmatched = new ArrayList<>();

    /** Reads the job file (every default without one) and applies the overrides. */
    Jobs.Loaded load(Path jobFile) {
        return Jobs.load(jobFile, overrides());
    }

    /** Refuses {@code --lr auto} for a command other than train. */
    void refuseLrAuto() {
        if (lrAuto()) {
            throw new io.jtrain.util.UsageException("--lr auto is for jtrain train (it runs the range test first); "
                + "give this command a number, or run jtrain lr-find for a suggestion");
        }
    }

    /**
     * Loads the job as {@link #load(Path)} and prints its warnings to {@code err}, one line each (for the
     * commands other than train, which refuse {@code --lr auto}).
     */
    Jobs.Loaded load(Path jobFile, java.io.PrintWriter err) {
        refuseLrAuto();
        Jobs.Loaded loaded = load(jobFile);
        loaded.warnings().forEach(w -> err.println("jtrain: warning: " + w));
        return loaded;
    }

    /** Loads job text (a run's recorded job) with the overrides. */
    Jobs.Loaded load(String text, String where) {
        return Jobs.load(text, where, overrides());
    }

    /** How a run executes: --force, the device's memory limit and GPU flags, threads, --download. */
    io.jtrain.run.TrainingRun.Options runOptions(java.io.PrintWriter err) {
        return io.jtrain.run.TrainingRun.Options.defaults().withForce(force).withDevice(memoryLimitBytes(),
            gpu.options(), io.jtrain.backend.DeviceSelection.threads())
            .withDownload(new io.jtrain.data.DataLocator.Download(download, mirror, err::println));
    }

    /** Whether any job key is overridden on the command line. */
    boolean anyJobOverride() {
        return !overrides().isEmpty();
    }

    /** The overrides, in order: the named flags, then the dotted keys, then --set (the last setting wins). */
    List<Jobs.Override> overrides() {
        List<Jobs.Override> os = new ArrayList<>();
        flag(os, preset, "model.preset", "--preset");
        flag(os, data, "data.name", "--data");
        flag(os, dataDir, "data.dir", "--data-dir");
        flag(os, epochs, "training.epochs", "--epochs");
        flag(os, batchSize, "training.batch_size", "--batch-size");
        if (!lrAuto()) {
            flag(os, lr, "optimizer.lr", "--lr");
        }
        flag(os, device, "training.device", "--device");
        flag(os, seed, "training.seed", "--seed");
        flag(os, out, "output", "--out");
        for (String u : unmatched) {
            os.add(dotted(u));
        }
        for (String s : sets) {
            int eq = s.indexOf('=');
            if (eq <= 0) {
                throw new JobException("--set " + s + ": write --set key.path=value, e.g. --set training.epochs=5");
            }
            os.add(new Jobs.Override(s.substring(0, eq).trim(), s.substring(eq + 1), "--set " + s.substring(0, eq)));
        }
        return os;
    }

    private static void flag(List<Jobs.Override> os, String value, String path, String name) {
        if (value != null) {
            os.add(new Jobs.Override(path, value, name));
        }
    }

    /** {@code --section.key=value}; anything else unmatched is an unknown option, with "did you mean". */
    private Jobs.Override dotted(String arg) {
        if (arg.startsWith("--") && arg.contains(".")) {
            int eq = arg.indexOf('=');
            if (eq < 0) {
                throw new io.jtrain.util.UsageException(arg + ": write the value after '=', e.g. " + arg + "=VALUE");
            }
            return new Jobs.Override(arg.substring(2, eq), arg.substring(eq + 1), arg.substring(0, eq));
        }
        String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
        String near = Suggest.closest(name, OPTION_NAMES);
        throw new io.jtrain.util.UsageException("unknown option '" + name + "'" + (near == null ? "" : "; did you mean '"
            + near + "'?") + " (job-file keys are set with --set key.path=value or --key.path=value)");
    }

    private static final List<String> OPTION_NAMES = List.of("--preset", "--data", "--data-dir", "--download",
        "--mirror", "--epochs", "--batch-size", "--lr", "--device", "--cudnn", "--onednn", "--deterministic", "--memory-limit",
        "--seed", "--out", "--set", "--force", "--json", "--verbose", "--resume", "--dump-job", "--strict",
        "--no-live-diagnosis", "--tensorboard", "--no-tensorboard", "--tensorboard-histograms", "--target-error", "--allow-changes", "--warmup", "--steps", "--estimate-only",
        "--start", "--max", "--margin", "--target-batch", "--chart", "--help", "--version");

    /** The memory limit in bytes (0: the default). */
    long memoryLimitBytes() {
        return memoryLimit == null ? 0 : Devices.parseLimit(memoryLimit);
    }
}
