package io.jtrain.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jtrain.backend.cpu.CpuBackend;
import io.jtrain.loss.Loss;
import io.jtrain.model.Presets;
import io.jtrain.nn.ModelSpec;
import io.jtrain.optim.OptimizerConfig;
import io.jtrain.tensor.CpuMemoryPool;
import io.jtrain.tensor.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.function.IntToDoubleFunction;
import org.junit.jupiter.api.Test;

/** The search, the margin, the plateau, the accumulation factor, and cleanup after out of memory. */
class BatchProbeTest {

    /** A fake trial: fits by a predicate, speed by a function; records the sizes tried. */
    static final class Fake implements Trial {
        final IntPredicate fits;
        final IntToDoubleFunction speed;
        final List<Integer> tried = new ArrayList<>();
        final Map<Integer, Integer> calls = new HashMap<>();

        Fake(IntPredicate fits, IntToDoubleFunction speed) {
            this.fits = fits;
            this.speed = speed;
        }

        @Override
        public TrialResult run(int b) {
            tried.add(b);
            calls.merge(b, 1, Integer::sum);
            boolean ok = fits.test(b);
            return new TrialResult(b, ok, b * 1000L, ok ? speed.applyAsDouble(b) : Double.NaN);
        }
    }

    @Test
    void doublesThenBisectsToOneSampleThenConfirms() {
        Fake f = new Fake(b -> b <= 300, b -> b);
        ProbeResult r = new BatchProbe(f).search(16, 100_000, 0.1, null, 1 << 20);
        assertEquals(300, r.maxBatchSize());
        assertEquals(List.of(16, 32, 64, 128, 256, 512), f.tried.subList(0, 6));
        assertEquals(2, f.calls.get(300), "the largest fit is confirmed by a second trial");
        assertTrue(f.tried.contains(301), "the search narrowed down to one sample");
    }

    @Test
    void neverAboveTheCap() {
        Fake f = new Fake(b -> true, b -> b);
        ProbeResult r = new BatchProbe(f).search(16, 100, 0.1, null, 1);
        assertEquals(100, r.maxBatchSize());
        assertTrue(f.tried.stream().allMatch(b -> b <= 100), f.tried.toString());
    }

    @Test
    void startTooLargeSearchesDownwards() {
        Fake f = new Fake(b -> b <= 5, b -> b);
        assertEquals(5, new BatchProbe(f).search(64, 1000, 0.1, null, 1).maxBatchSize());
        Fake none = new Fake(b -> false, b -> b);
        ProbeResult r = new BatchProbe(none).search(64, 1000, 0.1, null, 1);
        assertEquals(0, r.maxBatchSize());
        assertTrue(r.reason().contains("batch size 1"), r.reason());
    }

    /** Memory need not grow monotonically: 200 fits once, then fails on confirmation. */
    @Test
    void nonMonotonicMemoryCurveFallsBackToAConfirmedSize() {
        Map<Integer, Integer> seen = new HashMap<>();
        Fake f = new Fake(b -> {
            int n = seen.merge(b, 1, Integer::sum);
            if (b == 200) {
                return n == 1;
            }
            return b <= 200 && b != 192;
        }, b -> b);
        ProbeResult r = new BatchProbe(f).search(25, 1000, 0.1, null, 1);
        assertTrue(r.maxBatchSize() < 200, "the unconfirmed 200 is not reported: " + r.maxBatchSize());
        assertTrue(r.maxBatchSize() > 100, "a size that fits twice is: " + r.maxBatchSize());
        assertTrue(f.calls.get(r.maxBatchSize()) >= 2);
    }

    @Test
    void recommendationIsFastestWithinTheMarginAndPlateauIsFound() {
        // speed rises to a plateau at 64: 32 -> 64 gains 40 %, 64 -> 128 gains 2 %
        Fake f = new Fake(b -> b <= 1000, b -> b <= 64 ? 1000.0 * Math.log(b) : 1000.0 * Math.log(64) * 1.02);
        ProbeResult r = new BatchProbe(f).search(8, 10_000, 0.1, null, 1);
        assertEquals(1000, r.maxBatchSize());
        assertEquals(Integer.valueOf(64), r.plateauBatchSize());
        assertTrue(r.recommendedBatchSize() <= 900, "within the 10 % margin: " + r.recommendedBatchSize());
        assertEquals(64, r.recommendedBatchSize(), "the smallest size within 5 % of the fastest (1.02x at 128+)");
        ProbeResult tight = new BatchProbe(new Fake(b -> b <= 1000, b -> b)).search(8, 10_000, 0.5, null, 1);
        assertTrue(tight.recommendedBatchSize() <= 500, "margin 0.5 caps at 500: " + tight.recommendedBatchSize());
    }

    @Test
    void neverRecommendsMoreThanTheDataWarrants() {
        // the noisy figures of a 900-sample data set measured with 3 timed steps (issue #16): 810 looked fastest
        Map<Integer, Double> noisy = Map.of(32, 1821.0, 64, 6003.0, 128, 3025.0, 256, 9344.0, 512, 4054.0, 810,
            14185.0);
        Fake f = new Fake(b -> b <= 810, b -> noisy.getOrDefault(b, 14185.0));
        ProbeResult r = new BatchProbe(f, 900 / 10).search(32, 810, 0.1, null, 1);
        assertEquals(810, r.maxBatchSize(), "the largest fit is still found");
        assertEquals(64, r.recommendedBatchSize(), "at most a tenth of the data (90): 64");
        assertEquals(Integer.valueOf(90), r.dataLimit());
        assertEquals(null, new BatchProbe(f).search(32, 810, 0.1, null, 1).dataLimit());
    }

    @Test
    void theThroughputIsTheMedianStepTimeSoOneSlowStepDoesNotDecide() {
        // end-of-step times: step 1 (warm-up) 1.0 s, then steps of 0.1 s with one 0.5 s outlier
        double[] times = {0, 1.0, 1.1, 1.2, 1.7, 1.8, 1.9, 2.0, 2.1};
        TrialResult t = TrainingTrial.timed(64, 1000, times);
        assertEquals(640, t.samplesPerSecond(), 1e-6, "64 samples / the median 0.1 s");
        assertTrue(t.spread() >= 0 && t.spread() < 1, "spread " + t.spread());
    }

    @Test
    void noPlateauWhenDoublingKeepsGaining() {
        assertNull(new BatchProbe(new Fake(b -> b <= 1000, b -> b)).search(8, 10_000, 0.1, null, 1)
            .plateauBatchSize());
    }

    @Test
    void accumulationFactorReachesTheTarget() {
        assertEquals(1, BatchProbe.accumulation(null, 100));
        assertEquals(1, BatchProbe.accumulation(64, 100));
        assertEquals(3, BatchProbe.accumulation(300, 100));
        assertEquals(4, BatchProbe.accumulation(301, 100));
        ProbeResult r = new BatchProbe(new Fake(b -> b <= 100, b -> b)).search(8, 1000, 0.1, 1000, 1);
        assertEquals(r.recommendedBatchSize() * r.accumulation(), r.effectiveBatch());
        assertTrue(r.effectiveBatch() >= 1000);
        assertThrows(IllegalArgumentException.class, () -> new BatchProbe(r2 -> null).search(8, 10, 1.0, null, 1));
    }

    @Test
    void realTrialsReleaseEverythingAfterOutOfMemoryAndLeaveNoOptimizerState() {
        CpuMemoryPool pool = new CpuMemoryPool(16L << 20);
        try (CpuBackend be = CpuBackend.create(pool, 1)) {
            ModelSpec spec = new ModelSpec(Shape.of(1, 28, 28), Presets.get("mlp").layers());
            io.jtrain.job.JobSpec job = io.jtrain.job.JobSpec.defaults().with(java.util.Map.of("model.preset", "mlp",
                "optimizer.name", "adam", "training.seed", "1"));
            TrainingTrial t = new TrainingTrial(be, spec, job, 3);
            TrialResult ok = t.run(16);
            assertTrue(ok.fits());
            assertTrue(ok.peakBytes() > 4 * 269_322 * 4, "weights, gradients and two Adam moments were held");
            assertEquals(0, pool.inUseBytes());
            TrialResult oom = t.run(8192);
            assertTrue(!oom.fits());
            assertEquals(0, pool.inUseBytes(), "back at the baseline after an out-of-memory trial");
            assertEquals(0, pool.liveBlocks());
        }
    }
}
