package io.jtrain.backend.cpu;

/**
 * The CPU backend's oneDNN choice: convolutions and large ReLUs through oneDNN ({@code conv}, {@code eltwise}),
 * or jtrain's own path (both null), with {@code note} saying why when oneDNN was asked for but could not load.
 */
record OneDnnPath(OneDnnConv conv, OneDnnEltwise eltwise, String note) {
    static final OneDnnPath OFF = new OneDnnPath(null, null, null);

    /** oneDNN when {@code on} and it loads; else the plain path (with the reason when it did not load). */
    static OneDnnPath of(boolean on) {
        if (!on) {
            return OFF;
        }
        OneDnn d = OneDnn.get();
        if (d == null) {
            return new OneDnnPath(null, null, "oneDNN could not be loaded (" + OneDnn.unavailableReason()
                + "); convolutions run on jtrain's own path");
        }
        return new OneDnnPath(new OneDnnConv(d), new OneDnnEltwise(d), null);
    }

    /** The default: on, unless the system property {@code jtrain.onednn} is {@code off} (the tests' second run). */
    static boolean byDefault() {
        return !"off".equals(System.getProperty("jtrain.onednn"));
    }

    boolean used() {
        return conv != null;
    }

    String version() {
        return used() ? OneDnn.get().version : null;
    }

    /**
     * When oneDNN's OpenMP threads (OMP_NUM_THREADS, read by OpenMP at start, else every core) differ from
     * {@code threads} (OpenBLAS's), the line that says so; else null.
     */
    String threadsNote(int threads) {
        if (!used()) {
            return null;
        }
        String env = System.getenv("OMP_NUM_THREADS");
        int omp = env != null && env.matches("\\d+") ? Integer.parseInt(env) : Runtime.getRuntime().availableProcessors();
        return omp == threads ? null : "oneDNN runs on " + omp + " OpenMP threads (OMP_NUM_THREADS), OpenBLAS on "
            + threads + "; set OMP_NUM_THREADS=" + threads + " to match";
    }
}
