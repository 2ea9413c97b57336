package io.jtrain.backend;

/**
 * How the CUDA backend is set up, decided once at start-up: whether cuDNN may be used ({@code --cudnn
 * auto|off}; auto uses it when the checks of docs/gpu.md pass) and whether only deterministic cuDNN
 * algorithms are allowed ({@code --deterministic}). Plain data, so that choosing options loads no JCuda class.
 */
public record GpuOptions(boolean cudnnAllowed, boolean deterministic) {
    public static final GpuOptions DEFAULT = new GpuOptions(true, false);

    /** Parses the {@code --cudnn} value: {@code auto} or {@code off}. */
    public static GpuOptions of(String cudnn, boolean deterministic) {
        String v = cudnn == null ? "auto" : cudnn;
        if (!v.equals("auto") && !v.equals("off")) {
            throw new io.jtrain.util.UsageException("--cudnn '" + v + "' is not allowed; use auto or off");
        }
        return new GpuOptions(v.equals("auto"), deterministic);
    }

    public String cudnnFlag() {
        return cudnnAllowed ? "auto" : "off";
    }
}
