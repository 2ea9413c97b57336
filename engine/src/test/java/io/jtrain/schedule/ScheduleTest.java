package io.jtrain.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Learning-rate schedules at known points. */
class ScheduleTest {
    static ScheduleConfig cfg(ScheduleConfig.Kind k, double warmup) {
        return new ScheduleConfig(k, 0.1, 0.001, 0.5, 2, warmup, 1, 0.0, 10);
    }

    @Test
    void constantStepExponential() {
        assertEquals(0.1, cfg(ScheduleConfig.Kind.CONSTANT, 0).create().lr(7, 3, 10), 1e-12);
        LrSchedule step = cfg(ScheduleConfig.Kind.STEP, 0).create();
        assertEquals(0.1, step.lr(1, 0, 10), 1e-12);
        assertEquals(0.05, step.lr(2, 0, 10), 1e-12);
        assertEquals(0.025, step.lr(5, 9, 10), 1e-12);
        assertEquals(0.1 * Math.pow(0.5, 3), cfg(ScheduleConfig.Kind.EXPONENTIAL, 0).create().lr(3, 0, 10), 1e-12);
    }

    @Test
    void linearAndCosineGoFromInitialToFinalOverThePlannedEpochs() {
        LrSchedule lin = cfg(ScheduleConfig.Kind.LINEAR, 0).create();
        assertEquals(0.1, lin.lr(0, 0, 10), 1e-12);
        assertEquals(0.1 + (0.001 - 0.1) * 0.5, lin.lr(5, 0, 10), 1e-12);
        assertEquals(0.001, lin.lr(10, 0, 10), 1e-12);
        LrSchedule cos = cfg(ScheduleConfig.Kind.COSINE, 0).create();
        assertEquals(0.1, cos.lr(0, 0, 10), 1e-12);
        assertEquals((0.1 + 0.001) / 2, cos.lr(5, 0, 10), 1e-12);
        assertEquals(0.001, cos.lr(10, 0, 10), 1e-12);
    }

    @Test
    void warmupRampsLinearlyPerStep() {
        LrSchedule w = cfg(ScheduleConfig.Kind.CONSTANT, 2).create();
        assertEquals(0.1 * 1 / 20.0, w.lr(0, 0, 10), 1e-12);
        assertEquals(0.1 * 15 / 20.0, w.lr(1, 4, 10), 1e-12);
        assertEquals(0.1, w.lr(2, 0, 10), 1e-12);
    }

    @Test
    void reduceOnPlateauAfterPatienceAndStateRoundTrip() {
        LrSchedule r = cfg(ScheduleConfig.Kind.REDUCE_ON_PLATEAU, 0).create();
        r.epochEnd(0, 1.0, false);
        r.epochEnd(1, 0.9, false);
        assertEquals(0.1, r.lr(2, 0, 1), 1e-12, "improving: no change");
        r.epochEnd(2, 0.95, false);
        assertEquals(0.05, r.lr(3, 0, 1), 1e-12, "patience 1 (Keras): one epoch without improvement reduces");
        LrSchedule copy = cfg(ScheduleConfig.Kind.REDUCE_ON_PLATEAU, 0).create();
        copy.restore(r.state());
        assertEquals(0.05, copy.lr(0, 0, 1), 1e-12);
    }

    /** An accuracy monitor: rising accuracy is improvement, so the rate stays; falling accuracy reduces it. */
    @Test
    void reduceOnPlateauKnowsHigherIsBetterForAccuracy() {
        LrSchedule r = cfg(ScheduleConfig.Kind.REDUCE_ON_PLATEAU, 0).create();
        for (int e = 0; e < 5; e++) {
            r.epochEnd(e, 0.90 + 0.01 * e, true);
        }
        assertEquals(0.1, r.lr(5, 0, 1), 1e-12, "accuracy rose every epoch: no reduction");
        r.epochEnd(5, 0.91, true);
        assertEquals(0.05, r.lr(6, 0, 1), 1e-12, "accuracy fell: reduced");
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> ScheduleConfig.Kind.parse("triangle"));
        assertThrows(IllegalArgumentException.class,
            () -> new ScheduleConfig(ScheduleConfig.Kind.CONSTANT, -1, 0, 0.1, 1, 0, 1, 0, 1));
    }
}
