package io.jtrain.backend.cpu;

import io.jtrain.tensor.MemoryPool;

/**
 * The CPU backend's oneDNN choice: convolutions, max pooling, batch norm on blocked layouts, large ReLUs and (on one
 * thread) large matrix products through oneDNN, with the layouts they hand each other ({@link Layouts}), or jtrain's own path (all null), with
 * {@code note} saying why when oneDNN was asked for but could not load.
 */
record OneDnnPath(OneDnnConv conv, OneDnnPool pool, OneDnnBatchNorm batchNorm, OneDnnEltwise eltwise,
                  OneDnnMatmul matmul, Layouts layouts, String note) {
    static final OneDnnPath OFF = new OneDnnPath(null, null, null, null, null, null, null);

    /**
     * oneDNN when {@code on} and it loads; else the plain path (with the reason when it did not load). Buffers
     * oneDNN keeps between calls (max pooling's workspaces) come from {@code memory}.
     */
    static OneDnnPath of(boolean on, MemoryPool memory) {
        if (!on) {
            return OFF;
        }
        OneDnn d = OneDnn.get();
        if (d == null) {
            return new OneDnnPath(null, null, null, null, null, null, "oneDNN could not be loaded ("
                + OneDnn.unavailableReason() + "); convolutions, pooling and batch norm run on jtrain's own path");
        }
        Layouts layouts = new Layouts(d, memory);
        return new OneDnnPath(new OneDnnConv(d, layouts), new OneDnnPool(d, memory, layouts),
            new OneDnnBatchNorm(d, layouts), new OneDnnEltwise(d), new OneDnnMatmul(d), layouts, null);
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
