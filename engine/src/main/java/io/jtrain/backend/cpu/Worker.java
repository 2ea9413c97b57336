package io.jtrain.backend.cpu;

import java.util.concurrent.locks.LockSupport;

/**
 * One of {@link Parallel}'s threads: runs the task posted to it, then waits for the next one, spinning for
 * {@link #SPIN_NANOS} before it sleeps (parks). The parts of one step's operations come microseconds apart; a
 * sleeping thread takes tens of microseconds to wake (more in a virtual machine), a spinning one none. The
 * posting thread waits for the result the same way. Exactly one thread posts to a worker, and posts again only
 * after {@link #await} returned. Before a oneDNN primitive runs on its own OpenMP threads, {@link #yieldCores}
 * sends every spinning worker to sleep at once, so that they never compete with those threads for the cores.
 */
final class Worker extends Thread {
    /** How long an idle worker (or a waiting caller) spins before it parks. */
    static final long SPIN_NANOS = Long.getLong("jtrain.spin.us", 50) * 1000;
    /** Changed by {@link #yieldCores}; a spinning worker that sees it change parks. */
    private static volatile int yieldEpoch;
    private volatile Runnable task;
    private volatile int postEpoch;
    private volatile long done;
    private volatile Thread waiter;
    private volatile boolean stopped;
    private long posted;
    private Throwable failure;

    Worker() {
        super("jtrain-cpu");
        setDaemon(true);
    }

    /** Makes every spinning worker park now (another runtime's threads are about to use the cores). */
    static void yieldCores() {
        yieldEpoch++;
    }

    /** Hands {@code r} to this worker (the previous task has been awaited). */
    void post(Runnable r) {
        posted++;
        postEpoch = yieldEpoch;
        task = r;
        LockSupport.unpark(this);
    }

    /** Waits for the posted task; rethrows what it threw. */
    void await() {
        long until = System.nanoTime() + SPIN_NANOS;
        waiter = Thread.currentThread();
        while (done != posted) {
            if (System.nanoTime() < until) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
        waiter = null;
        Throwable f = failure;
        failure = null;
        if (f instanceof RuntimeException re) {
            throw re;
        }
        if (f instanceof Error e) {
            throw e;
        }
    }

    @Override
    public void run() {
        long seq = 0;
        while (!stopped) {
            Runnable r = next();
            if (r == null) {
                return;
            }
            try {
                r.run();
            } catch (Throwable t) {
                failure = t;
            }
            done = ++seq;
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }

    /** The next task: spins, then parks; null once stopped. */
    private Runnable next() {
        long until = System.nanoTime() + SPIN_NANOS;
        int epoch = postEpoch;   // a yield since the last post (even before this spin began) ends the spin
        Runnable r;
        while ((r = task) == null) {
            if (stopped) {
                return null;
            }
            if (epoch == yieldEpoch && System.nanoTime() < until) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
        task = null;
        return r;
    }

    void stopNow() {
        stopped = true;
        LockSupport.unpark(this);
    }
}
