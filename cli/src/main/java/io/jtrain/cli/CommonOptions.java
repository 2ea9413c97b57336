package io.jtrain.cli;

import io.jtrain.cli.job.Overrides;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options shared by the commands that run a job. */
public final class CommonOptions {
    @Option(names = "--preset", paramLabel = "NAME", description = "Model preset: mlp, dlfs, lenet5, cnn-bn, vgg-cifar.")
    String preset;

    @Option(names = "--data", paramLabel = "NAME|PATH",
        description = "Data set: embedded, mnist, fashion-mnist, cifar10, a CSV file or a folder.")
    String data;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Folder holding one folder per named data set.")
    String dataDir;

    @Option(names = "--download", description = "Download a missing named data set (checksums verified).")
    boolean download;

    @Option(names = "--mirror", paramLabel = "URL", description = "Base URL tried first by --download.")
    String mirror;

    @Option(names = "--epochs", paramLabel = "N", description = "Number of epochs.")
    Integer epochs;

    @Option(names = "--batch-size", paramLabel = "N|auto", description = "Batch size, or auto to probe for one.")
    String batchSize;

    @Option(names = "--lr", paramLabel = "X", description = "Learning rate.")
    Double lr;

    @Option(names = "--device", paramLabel = "auto|cpu|cuda[:N]", description = "Device (default: auto).")
    String device;

    @Mixin
    GpuFlags gpu;

    @Option(names = "--memory-limit", paramLabel = "SIZE",
        description = "Memory pool capacity, e.g. 512m or 2g (binary units).")
    String memoryLimit;

    @Option(names = "--seed", paramLabel = "N", description = "Run seed (default 42).")
    Long seed;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory of the run.")
    String out;

    @Option(names = "--force", description = "Overwrite an existing output directory.")
    boolean force;

    @Option(names = "--json", description = "Print one JSON object on standard output (logs go to standard error).")
    boolean json;

    @Option(names = "--verbose", description = "Show stack traces and more detail.")
    boolean verbose;

    /** Reads the job file (or the defaults without one) and applies these flags. */
    io.jtrain.cli.job.ResolvedJob resolve(java.nio.file.Path jobFile) {
        io.jtrain.cli.job.JobLoader.Loaded loaded = jobFile == null
            ? io.jtrain.cli.job.JobLoader.parse("", "(defaults)") : io.jtrain.cli.job.JobLoader.load(jobFile);
        return io.jtrain.cli.job.JobResolver.resolve(loaded, overrides());
    }

    Overrides overrides() {
        if (device != null && !device.matches("auto|cpu|cuda(:\\d+)?")) {
            throw new IllegalArgumentException("--device '" + device + "' is not allowed; use auto, cpu, cuda or cuda:N");
        }
        return new Overrides(preset, data, dataDir, epochs, batchSize, lr, device, seed, out);
    }
}
