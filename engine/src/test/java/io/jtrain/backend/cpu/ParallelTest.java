package io.jtrain.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * {@link Parallel} over its spinning {@link Worker}s: every index is processed exactly once, call after call
 * (with the workers spinning between calls, parked after a {@link Worker#yieldCores}, or asleep after a pause);
 * a part that throws makes the call throw, after the other parts finished, and the pool keeps working.
 */
class ParallelTest {
    @Test
    void everyIndexExactlyOnceCallAfterCall() throws InterruptedException {
        for (int threads : new int[] {1, 2, 3}) {
            try (Parallel par = new Parallel(threads)) {
                for (int call = 0; call < 2000; call++) {
                    int n = 1 + call % 97;
                    AtomicIntegerArray seen = new AtomicIntegerArray(n);
                    par.range(n, Parallel.MIN_GRAIN, (from, to) -> {
                        for (int i = from; i < to; i++) {
                            seen.incrementAndGet(i);
                        }
                    });
                    for (int i = 0; i < n; i++) {
                        assertEquals(1, seen.get(i), "threads " + threads + ", call " + call + ", index " + i);
                    }
                    if (call % 500 == 7) {
                        Worker.yieldCores();
                    }
                    if (call % 700 == 3) {
                        Thread.sleep(2);   // past the spin: the workers park and must be woken
                    }
                }
            }
        }
    }

    @Test
    void aFailingPartFailsTheCallAndThePoolGoesOn() {
        try (Parallel par = new Parallel(2)) {
            for (int failing = 0; failing < 2; failing++) {
                int bad = failing;
                AtomicIntegerArray done = new AtomicIntegerArray(2);
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> par.parts(2, p -> {
                    if (p == bad) {
                        throw new IllegalStateException("part " + p);
                    }
                    done.incrementAndGet(p);
                }));
                assertEquals("part " + bad, e.getMessage());
                assertEquals(1, done.get(1 - bad), "the other part ran to the end");
            }
            AtomicIntegerArray after = new AtomicIntegerArray(2);
            par.parts(2, after::incrementAndGet);
            assertEquals(1, after.get(0));
            assertEquals(1, after.get(1));
        }
    }
}
