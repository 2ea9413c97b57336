package io.jtrain.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jtrain.backend.cpu.CpuBackend;
import io.jtrain.data.Dataset;
import io.jtrain.loss.Loss;
import io.jtrain.model.Presets;
import io.jtrain.nn.ModelSpec;
import io.jtrain.nn.Sequential;
import io.jtrain.optim.Optimizer;
import io.jtrain.optim.OptimizerConfig;
import io.jtrain.schedule.ScheduleConfig;
import io.jtrain.train.TrainConfig;
import io.jtrain.train.TrainState;
import io.jtrain.train.Trainer;
import io.jtrain.train.TrainingListener;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The pool's capacity, counters, typed out-of-memory error and deterministic release. */
class MemoryPoolTest {

    static Dataset random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * 784];
        float[] y = new float[n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < n; i++) {
            y[i] = r.nextInt(10);
        }
        return new Dataset("random", Shape.of(1, 28, 28), x, y, 1, 10, new String[10]);
    }

    @Test
    void countsPerCategoryAndPeaks() {
        CpuMemoryPool pool = new CpuMemoryPool(1 << 20);
        Tensor a = Tensor.allocate(pool, Shape.of(100), MemoryCategory.WEIGHTS, true);
        Tensor b = Tensor.allocate(pool, Shape.of(1000), MemoryCategory.ACTIVATIONS, true);
        assertEquals(448, pool.inUseBytes(MemoryCategory.WEIGHTS), "100 floats rounded up to 64 B");
        assertEquals(4032, pool.inUseBytes(MemoryCategory.ACTIVATIONS));
        b.close();
        assertEquals(448, pool.inUseBytes());
        assertEquals(448 + 4032, pool.peakBytes());
        assertEquals(4032, pool.peakBytes(MemoryCategory.ACTIVATIONS));
        a.close();
        a.close();
        assertEquals(0, pool.inUseBytes(), "closing twice releases once");
        assertEquals(0, pool.liveBlocks());
    }

    @Test
    void outOfMemoryCarriesRequestedInUseAndCapacity() {
        CpuMemoryPool pool = new CpuMemoryPool(10_000);
        Tensor a = Tensor.allocate(pool, Shape.of(2000), MemoryCategory.WEIGHTS, true);
        OutOfMemoryException e = assertThrows(OutOfMemoryException.class,
            () -> Tensor.allocate(pool, Shape.of(1000), MemoryCategory.ACTIVATIONS, true));
        assertEquals(4032, e.requestedBytes());
        assertEquals(8000, e.inUseBytes());
        assertEquals(10_000, e.capacityBytes());
        assertEquals(MemoryCategory.ACTIVATIONS, e.category());
        assertTrue(e.getMessage().contains("requested 3.94 KiB for activations"), e.getMessage());
        a.close();
        assertEquals(0, pool.inUseBytes());
    }

    @Test
    void viewsShareStorageAndDoNotRelease() {
        CpuMemoryPool pool = new CpuMemoryPool(1 << 20);
        try (Tensor t = Tensor.allocate(pool, Shape.of(4, 3), MemoryCategory.ACTIVATIONS, true)) {
            t.host().put(4, 7f);
            Tensor v = t.narrow(2);
            Tensor s = t.slice(1, 2);
            assertEquals(7f, s.host().get(1));
            v.close();
            assertEquals(1, pool.liveBlocks());
        }
        assertEquals(0, pool.liveBlocks());
        Tensor closed = Tensor.allocate(pool, Shape.of(1), MemoryCategory.WEIGHTS, true);
        closed.close();
        assertThrows(IllegalStateException.class, closed::host, "use after close is an error, not a crash");
        try (Tensor t = Tensor.allocate(pool, Shape.of(2), MemoryCategory.WEIGHTS, true)) {
            assertThrows(IllegalArgumentException.class, () -> t.view(Shape.of(3)));
        }
    }

    @Test
    void poolReturnsToBaselineAfterTrainingAndNoSteadyStateAllocation() {
        CpuMemoryPool pool = new CpuMemoryPool(512L << 20);
        try (CpuBackend be = CpuBackend.create(pool, 1)) {
            long[] perEpoch = new long[4];
            train(be, Presets.get("mlp"), 3, 32, perEpoch);
            assertEquals(0, pool.inUseBytes(), "every block released after the run");
            assertEquals(0, pool.liveBlocks());
            assertEquals(perEpoch[1], perEpoch[2], "epoch 2 allocated nothing after epoch 1 set everything up");
            assertEquals(perEpoch[2], perEpoch[3], "epoch 3 allocated nothing");
        }
    }

    @Test
    void poolReturnsToBaselineAfterOutOfMemory() {
        CpuMemoryPool pool = new CpuMemoryPool(1L << 20);
        try (CpuBackend be = CpuBackend.create(pool, 1)) {
            assertThrows(OutOfMemoryException.class, () -> train(be, Presets.get("mlp"), 1, 256, new long[2]));
            assertEquals(0, pool.inUseBytes(), "nothing leaked by the failed run");
            assertEquals(0, pool.liveBlocks());
        }
    }

    private static void train(CpuBackend be, Presets.Preset p, int epochs, int batch, long[] allocationsAfterEpoch) {
        try (Sequential m = Sequential.build(new ModelSpec(Shape.of(1, 28, 28), p.layers()))) {
            m.bind(be, 1);
            try (Optimizer opt = new Optimizer(OptimizerConfig.adam(), be);
                 Trainer t = new Trainer(m, opt, Loss.SOFTMAX_CROSS_ENTROPY, ScheduleConfig.constant(1e-3, epochs)
                     .create(), TrainConfig.basic(epochs, batch, 1), 1)) {
                t.fit(random(200, 1), random(50, 2), new TrainState(), new TrainingListener() {
                    @Override
                    public void epochEnd(EpochEnd e) {
                        allocationsAfterEpoch[e.metrics().epoch()] = be.pool().allocationCount();
                    }
                });
            }
        }
    }
}
