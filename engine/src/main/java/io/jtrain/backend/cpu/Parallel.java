package io.jtrain.backend.cpu;

/**
 * The CPU backend's threads: its Java loops, and the blocks of large matrix products ({@link OpenBlasGemm}: one
 * single-threaded OpenBLAS call per block), are split over them. Loops, products and oneDNN primitives run one
 * after another, never together, so the machine never sees more compute threads than cores — one threading
 * policy for the whole backend. Idle threads spin for {@link Worker#SPIN_NANOS}, then sleep.
 */
final class Parallel implements AutoCloseable {
    /** Loops shorter than this run on the calling thread. */
    static final int MIN_GRAIN = Integer.getInteger("jtrain.grain", 1 << 15);
    /**
     * Element-wise passes over tensors smaller than this (the optimizer updates, the statistics) stay on the
     * calling thread: split, half of the tensor ends up in the other core's cache, where the next product on
     * the calling thread has to fetch it from (dlfs on 2 threads lost 5-20 % with its 70 K weights split).
     */
    static final int MIN_SPLIT_ELEMENTS = Integer.getInteger("jtrain.splitmin", 1 << 17);
    private final int threads;
    private final Worker[] workers;

    /** A range body: processes [from, to). */
    interface Body {
        void run(int from, int to);
    }

    Parallel(int threads) {
        this.threads = Math.max(1, threads);
        this.workers = new Worker[this.threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker();
            workers[i].start();
        }
    }

    int threads() {
        return threads;
    }

    /**
     * Runs body over [0, n) in up to {@code threads} contiguous parts when n * cost is large enough. Callers on
     * different threads take turns (each worker serves one caller at a time); a body must not call back in.
     */
    synchronized void range(int n, long costPerItem, Body body) {
        int parts = (int) Math.min(threads, Math.max(1, (long) n * costPerItem / MIN_GRAIN));
        parts = Math.min(parts, n);
        if (parts <= 1) {
            body.run(0, n);
            return;
        }
        for (int p = 1; p < parts; p++) {
            int from = (int) ((long) n * p / parts);
            int to = (int) ((long) n * (p + 1) / parts);
            workers[p - 1].post(() -> body.run(from, to));
        }
        RuntimeException first = null;
        try {
            body.run(0, (int) ((long) n / parts));
        } catch (RuntimeException e) {
            first = e;
        }
        for (int p = 1; p < parts; p++) {
            try {
                workers[p - 1].await();
            } catch (RuntimeException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** A part body: processes part {@code p} of {@code parts}. */
    interface Part {
        void run(int p);
    }

    /** Runs body for parts 0 to {@code parts - 1} at the same time, part 0 on the calling thread. */
    void parts(int parts, Part body) {
        range(parts, MIN_GRAIN, (from, to) -> {
            for (int p = from; p < to; p++) {
                body.run(p);
            }
        });
    }

    @Override
    public void close() {
        for (Worker w : workers) {
            w.stopNow();
        }
    }
}
