package io.jtrain.backend.cpu;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The CPU backend's threads: its Java loops, and the blocks of large matrix products ({@link OpenBlasGemm}: one
 * single-threaded OpenBLAS call per block), are split over them. Loops, products and oneDNN primitives run one
 * after another, never together, so the machine never sees more compute threads than cores — one threading
 * policy for the whole backend. Idle threads sleep (they never spin).
 */
final class Parallel implements AutoCloseable {
    /** Loops shorter than this run on the calling thread. */
    static final int MIN_GRAIN = Integer.getInteger("jtrain.grain", 1 << 15);
    private final int threads;
    private final ExecutorService pool;

    /** A range body: processes [from, to). */
    interface Body {
        void run(int from, int to);
    }

    Parallel(int threads) {
        this.threads = Math.max(1, threads);
        this.pool = this.threads == 1 ? null : Executors.newFixedThreadPool(this.threads - 1, r -> {
            Thread t = new Thread(r, "jtrain-cpu");
            t.setDaemon(true);
            return t;
        });
    }

    int threads() {
        return threads;
    }

    /** Runs body over [0, n) in up to {@code threads} contiguous parts when n * cost is large enough. */
    void range(int n, long costPerItem, Body body) {
        int parts = (int) Math.min(threads, Math.max(1, (long) n * costPerItem / MIN_GRAIN));
        parts = Math.min(parts, n);
        if (parts <= 1) {
            body.run(0, n);
            return;
        }
        Future<?>[] fs = new Future<?>[parts - 1];
        for (int p = 1; p < parts; p++) {
            int from = (int) ((long) n * p / parts);
            int to = (int) ((long) n * (p + 1) / parts);
            fs[p - 1] = pool.submit(() -> body.run(from, to));
        }
        body.run(0, (int) ((long) n / parts));
        for (Future<?> f : fs) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a CPU worker", e);
            } catch (ExecutionException e) {
                Throwable c = e.getCause();
                if (c instanceof RuntimeException re) {
                    throw re;
                }
                throw new IllegalStateException(c);
            }
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
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
