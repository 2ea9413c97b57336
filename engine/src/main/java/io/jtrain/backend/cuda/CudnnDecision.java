package io.jtrain.backend.cuda;

/**
 * Whether cuDNN is used, decided once at start-up and printed (GPU.md §1.3). cuDNN is enabled only when
 * JCudnn's native library and {@code libcudnn.so.8} load, {@code cudnnGetVersion()} is in [8400, 9000)
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
        return new CudnnDecision(false, 0, "cuDNN off (--cudnn off): jtrain kernels for convolution, pooling, "
            + "batch norm and activations");
    }

    /** Loads cuDNN if allowed and applies {@link #check}; never throws. */
    public static CudnnDecision decide(boolean allowed, int ccMajor, int ccMinor) {
        if (!allowed) {
            return off();
        }
        long[] v = versions();
        if (v == null) {
            return new CudnnDecision(false, 0, "cuDNN not used: it could not be loaded (" + loadFailure
                + "); install cuDNN 8.9 for CUDA 12 (libcudnn.so.8) to use it, see docs/gpu.md; jtrain kernels serve");
        }
        return check(v[0], v[1], ccMajor, ccMinor);
    }

    private static long[] loaded;
    private static String loadFailure;

    /**
     * {cudnnGetVersion, cudnnGetCudartVersion}, or null when cuDNN does not load. Asked once: a failed load
     * poisons the JCudnn class, and later attempts would only say "Could not initialize class".
     */
    private static synchronized long[] versions() {
        if (loaded == null && loadFailure == null) {
            try {
                loaded = new long[] {jcuda.jcudnn.JCudnn.cudnnGetVersion(), jcuda.jcudnn.JCudnn.cudnnGetCudartVersion()};
            } catch (LinkageError | RuntimeException e) {
                loadFailure = firstCause(e);
            }
        }
        return loaded;
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
            + cudartVersion % 1000 / 10 + " build) for convolution, pooling, batch norm, activations and softmax");
    }

    /** 8906 → "8.9.6". */
    static String format(long version) {
        return version / 1000 + "." + version % 1000 / 100 + "." + version % 100;
    }

    private static String firstCause(Throwable e) {
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
