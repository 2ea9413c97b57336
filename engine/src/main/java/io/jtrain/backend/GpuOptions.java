package io.jtrain.backend;

/**
 * How the backends are set up, decided once at start-up: whether cuDNN may be used ({@code --cudnn
 * auto|off}; auto uses it when the checks of docs/gpu.md pass), whether only deterministic cuDNN
 * algorithms are allowed ({@code --deterministic}), and whether the CPU backend's convolutions run through
 * oneDNN ({@code --onednn auto|off}; auto: when it loads). Plain data, so that choosing options loads no
 * JCuda or oneDNN class.
 */
public record GpuOptions(boolean cudnnAllowed, boolean deterministic, boolean oneDnn, boolean oneDnnGiven) {
    public static final GpuOptions DEFAULT = new GpuOptions(true, false, true, false);

    /** cuDNN and determinism as given, oneDNN on (where it loads) by default. */
    public GpuOptions(boolean cudnnAllowed, boolean deterministic) {
        this(cudnnAllowed, deterministic, true, false);
    }

    /**
     * The same options with oneDNN on or off for the CPU backend, given explicitly ({@code --onednn}: a resume
     * then uses it even where the run recorded another choice).
     */
    public GpuOptions withOneDnn(boolean on) {
        return new GpuOptions(cudnnAllowed, deterministic, on, true);
    }

    /** The same options with oneDNN as a resume found it recorded (not given explicitly). */
    public GpuOptions withRecordedOneDnn(boolean on) {
        return new GpuOptions(cudnnAllowed, deterministic, on, false);
    }

    /** Parses {@code --onednn}: {@code auto} or {@code off}. */
    public static boolean oneDnnFlag(String v) {
        if (v == null || v.equals("auto")) {
            return true;
        }
        if (!v.equals("off")) {
            throw new io.jtrain.util.UsageException("--onednn '" + v + "' is not allowed; use auto or off");
        }
        return false;
    }

    public String oneDnnName() {
        return oneDnn ? "auto" : "off";
    }

    /** Parses the {@code --cudnn} value: {@code auto} or {@code off}. */
    public static GpuOptions of(String cudnn, boolean deterministic) {
        String v = cudnn == null ? "auto" : cudnn;
        if (!v.equals("auto") && !v.equals("off")) {
            throw new io.jtrain.util.UsageException("--cudnn '" + v + "' is not allowed; use auto or off");
        }
        return new GpuOptions(v.equals("auto"), deterministic, true, false);
    }

    public String cudnnFlag() {
        return cudnnAllowed ? "auto" : "off";
    }
}
