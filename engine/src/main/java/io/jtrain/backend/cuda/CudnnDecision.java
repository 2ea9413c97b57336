package io.jtrain.backend.cuda;

/**
 * Whether cuDNN is used, decided once at start-up and printed (GPU.md §1.3). cuDNN is enabled only when
 * its probe in a child process passed ({@link CudnnProbe}: JCudnn's native library and {@code libcudnn.so.8}
 * load, a handle is created and every cuDNN call the backend makes runs once on the device, so a broken
 * installation that aborts cannot take the training process with it) and its versions pass {@link #check}: {@code cudnnGetVersion()} is in [8400, 9000)
 * (JCudnn 11.7.0 was built against 8.4.1 and binds symbols lazily: an older 8.x could abort the process on
 * first call, 9.x removed functions it uses), {@code cudnnGetCudartVersion()/1000 == 12} (a cuDNN built for
 * CUDA 11 would pull in a second cuBLAS), and the device's compute capability is at most 9.0 (cuDNN 8.9
 * has no Blackwell support). Otherwise our own kernels serve and {@link #line} says why.
 */
public record CudnnDecision(boolean enabled, long version, String line) {
    public static final long MIN_VERSION = 8400;
    public static final long MAX_VERSION_EXCLUSIVE = 9000;

    /** The decision for {@code --cudnn off}. */
    public static CudnnDecision off() {
        return new CudnnDecision(false, 0, "cuDNN off (--cudnn off): jtrain kernels for convolution, pooling and "
            + "batch norm");
    }

    /** cuDNN passed its checks but could not start on the device (cudnnCreate or its stream failed). */
    public static CudnnDecision failedToStart(CudnnDecision d, String why) {
        return new CudnnDecision(false, d.version(), "cuDNN not used: it failed to start on this GPU (" + why
            + "); jtrain kernels serve");
    }

    /** cuDNN is not used, for the reason given (a failed probe, a missing library). */
    public static CudnnDecision unusable(long version, String why) {
        return new CudnnDecision(false, version, "cuDNN not used: " + why + "; jtrain kernels serve (install cuDNN "
            + "8.9 for CUDA 12, see docs/gpu.md)");
    }

    private static String loadFailure;
    private static long[] loaded;

    /**
     * {cudnnGetVersion, cudnnGetCudartVersion} through {@code api}, or null when cuDNN does not load (then
     * {@link #loadFailure()} says why). Asked once per process: a failed load poisons the JCudnn class, and
     * later attempts would only say "Could not initialize class". Only these two calls are made here; anything
     * that could abort the process runs in the probe's child process ({@link CudnnProbe}).
     */
    static synchronized long[] versions(CudnnApi api) {
        if (loaded == null && loadFailure == null) {
            try {
                loaded = new long[] {api.version(), api.cudartVersion()};
            } catch (LinkageError | RuntimeException e) {
                loadFailure = firstCause(e);
            }
        }
        return loaded;
    }

    static synchronized String loadFailure() {
        return loadFailure;
    }

    /** The version rules, on numbers only (unit-tested without a GPU). */
    public static CudnnDecision check(long version, long cudartVersion, int ccMajor, int ccMinor) {
        String v = format(version);
        String why = null;
        if (version < MIN_VERSION) {
            why = "cuDNN " + v + " is older than 8.4 (JCudnn 11.7.0 was built against 8.4.1)";
        } else if (version >= MAX_VERSION_EXCLUSIVE) {
            why = "cuDNN " + v + " is 9.x, whose API JCudnn 11.7.0 does not match";
        } else if (cudartVersion / 1000 != 12) {
            why = "cuDNN " + v + " was built for CUDA " + cudartVersion / 1000 + ", not CUDA 12";
        } else if (ccMajor * 10 + ccMinor > 90) {
            why = "cuDNN 8.9 does not support compute capability " + ccMajor + "." + ccMinor;
        }
        if (why != null) {
            return new CudnnDecision(false, version, "cuDNN not used: " + why + "; jtrain kernels serve (install cuDNN "
                + "8.9 for CUDA 12, see docs/gpu.md)");
        }
        return new CudnnDecision(true, version, "cuDNN " + v + " (CUDA " + cudartVersion / 1000 + "."
            + cudartVersion % 1000 / 10 + " build) for convolution, pooling and batch norm");
    }

    /** 8906 → "8.9.6". */
    static String format(long version) {
        return version / 1000 + "." + version % 1000 / 100 + "." + version % 100;
    }

    static String firstCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        int i = m.indexOf("cannot open shared object file");
        if (i > 0) {
            int start = m.lastIndexOf(' ', i - 3);
            return m.substring(Math.max(0, start + 1), i).replace(":", "").trim() + " not found";
        }
        return m.lines().findFirst().orElse(m);
    }
}
