package io.jtrain.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The storage's shadow protocol: newer values in a shadow are written back exactly once, before the first host
 * access through any view (from any thread); after a host access the shadow no longer counts as current; replacing
 * or releasing a shadow closes it, writing back newer values first.
 */
class ShadowTest {
    /** A shadow that holds one value for every element and counts its write-backs. */
    static final class Fake implements Shadow {
        final AtomicInteger writeBacks = new AtomicInteger();
        boolean closed;
        float value;

        @Override
        public void writeBack(long address) {
            writeBacks.incrementAndGet();
            HostMemory m = HostMemory.at(address, 4);
            for (int i = 0; i < 4; i++) {
                m.put(i, value);
            }
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static Tensor tensor() {
        return Tensor.allocate(new CpuMemoryPool(1 << 20), Shape.of(2, 2), MemoryCategory.ACTIVATIONS, true);
    }

    @Test
    void newerValuesAreWrittenBackOnceBeforeTheFirstHostAccess() {
        try (Tensor t = tensor()) {
            Fake f = new Fake();
            t.attachShadow(f);
            assertFalse(t.shadowCurrent(), "a new shadow holds nothing yet");
            f.value = 7f;
            t.shadowWritten();
            assertTrue(t.shadowNewer());
            Tensor view = t.view(Shape.of(4));
            assertTrue(view.shadowNewer(), "views share the storage's shadow");
            assertEquals(7f, view.mem().get(3));
            assertEquals(1, f.writeBacks.get());
            assertEquals(7f, t.mem().get(0));
            assertEquals(1, f.writeBacks.get(), "written back once");
            assertFalse(t.shadowCurrent(), "a host access may write: the shadow is out of date");
        }
    }

    @Test
    void aFilledShadowIsDroppedWithoutWriteBack() {
        try (Tensor t = tensor()) {
            Fake f = new Fake();
            t.attachShadow(f);
            t.shadowFilled();
            assertTrue(t.shadowCurrent());
            assertFalse(t.shadowNewer());
            t.mem().put(0, 1f);
            assertEquals(0, f.writeBacks.get());
            assertFalse(t.shadowCurrent());
        }
    }

    @Test
    void replacingAndReleasingCloseTheShadowAfterWritingBack() {
        Tensor t = tensor();
        Fake first = new Fake();
        t.attachShadow(first);
        first.value = 3f;
        t.shadowWritten();
        Fake second = new Fake();
        t.attachShadow(second);
        assertTrue(first.closed);
        assertEquals(1, first.writeBacks.get(), "newer values survive the replacement");
        assertEquals(3f, t.mem().get(2));
        second.value = 5f;
        t.shadowWritten();
        t.close();
        assertTrue(second.closed);
        assertEquals(0, second.writeBacks.get(), "released memory is not written back");
    }

    @Test
    void concurrentHostAccessesWriteBackOnce() throws InterruptedException {
        for (int round = 0; round < 200; round++) {
            try (Tensor t = tensor()) {
                Fake f = new Fake();
                t.attachShadow(f);
                f.value = round;
                t.shadowWritten();
                CountDownLatch go = new CountDownLatch(1);
                float[] seen = new float[4];
                Thread[] threads = new Thread[4];
                for (int i = 0; i < threads.length; i++) {
                    int k = i;
                    threads[i] = new Thread(() -> {
                        try {
                            go.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        seen[k] = t.mem().get(k);
                    });
                    threads[i].start();
                }
                go.countDown();
                for (Thread th : threads) {
                    th.join();
                }
                assertEquals(1, f.writeBacks.get(), "round " + round);
                for (float v : seen) {
                    assertEquals(round, v, "round " + round);
                }
            }
        }
    }

    @Test
    void theNoNaNMarkLastsUntilAHostAccess() {
        try (Tensor t = tensor()) {
            t.markValues(Tensor.NO_NAN_OR_NEGATIVE_INFINITY);
            assertTrue(t.view(Shape.of(4)).hasValues(Tensor.NO_NAN_OR_NEGATIVE_INFINITY));
            t.address();
            assertFalse(t.hasValues(Tensor.NO_NAN_OR_NEGATIVE_INFINITY));
        }
    }
}
