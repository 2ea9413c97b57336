package io.jtrain.cli;

import io.jtrain.backend.GpuOptions;
import picocli.CommandLine.Option;

/**
 * {@code --cudnn auto|off} and {@code --deterministic}: how the CUDA backend is set up (ignored on the CPU);
 * {@code --onednn auto|off}: the CPU backend's convolutions (ignored on a GPU).
 */
public final class GpuFlags {
    private String cudnn = "auto";

    @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
    picocli.CommandLine.Model.CommandSpec spec;

    /** Checked while parsing, so a bad value is a usage error before anything runs. */
    @Option(names = "--cudnn", paramLabel = "auto|off", defaultValue = "auto",
        description = "Use cuDNN on a GPU when its checks pass (auto, the default) or never (off). Printed at start-up.")
    void setCudnn(String value) {
        try {
            GpuOptions.of(value, false);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        this.cudnn = value;
    }

    /** Null: not given (auto; a resume keeps the run's recorded choice). */
    private Boolean oneDnn;

    @Option(names = "--onednn", paramLabel = "auto|off",
        description = "On the CPU, run convolutions through oneDNN when it loads (auto, the default) or on "
            + "jtrain's own path (off). Printed on the device: line; a resume keeps the run's "
            + "choice unless this is given.")
    void setOneDnn(String value) {
        try {
            oneDnn = GpuOptions.oneDnnFlag(value);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    @Option(names = "--deterministic",
        description = "On a GPU, allow only deterministic cuDNN algorithms (bit-identical reruns; can be slower).")
    boolean deterministic;

    GpuOptions options() {
        GpuOptions g = GpuOptions.of(cudnn, deterministic);
        return oneDnn == null ? g : g.withOneDnn(oneDnn);
    }
}
