package io.jtrain.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jtrain.job.JobSpec;
import io.jtrain.job.Jobs;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * one_cycle against PyTorch's OneCycleLR (defaults, momentum not cycled), exponential towards a final_lr, and
 * step/exponential schedules updated per step ({@code schedule.per: step}).
 */
class OneCycleTest {
    /** tests/pytorch/gen_onecycle.py: OneCycleLR(max_lr=0.1, epochs=3, steps_per_epoch=7, cycle_momentum=False). */
    static final double[] TORCH = {0.0040000000000000036, 0.012188527098390314, 0.03396027605851658,
        0.06188697369957272, 0.08644034833812791, 0.09924306774148466, 0.09944154354509119, 0.09673623556045154,
        0.09190443762697105, 0.08516599658482699, 0.07682751154913771, 0.0672683836480545, 0.056923553268744854,
        0.046263710266697504, 0.035773877573965704, 0.02593134265232537, 0.01718394091038552, 0.009929679189326548,
        0.004498626448808909, 0.0011378956269720922, 4e-07};

    @Test
    void matchesPyTorchsOneCycleLr() {
        LrSchedule s = new ScheduleConfig(ScheduleConfig.Kind.ONE_CYCLE, 0.1, 0, 0.1, 1, 0, 1, 0, 3).create();
        for (int i = 0; i < TORCH.length; i++) {
            assertEquals(TORCH[i], s.lr(i / 7, i % 7, 7), 1e-12, "step " + i);
        }
    }

    @Test
    void fromAJobFile() {
        JobSpec job = Jobs.parse("optimizer:\n  lr: 0.1\nschedule:\n  name: one_cycle\ntraining:\n  epochs: 3\n",
            "job.yaml", Map.of());
        LrSchedule s = job.scheduleConfig().create();
        assertEquals(TORCH[10], s.lr(1, 3, 7), 1e-12);
    }

    @Test
    void exponentialReachesFinalLrInTheLastEpoch() {
        JobSpec job = Jobs.parse("optimizer:\n  lr: 0.1\nschedule:\n  name: exponential\n  final_lr: 0.001\n"
            + "training:\n  epochs: 5\n", "job.yaml", Map.of());
        LrSchedule s = job.scheduleConfig().create();
        assertEquals(0.1, s.lr(0, 0, 10), 1e-12);
        assertEquals(0.001, s.lr(4, 0, 10), 1e-12);
        assertEquals(0.01, s.lr(2, 0, 10), 1e-12);
        assertEquals(0.001, job.with("training.epochs", "5").scheduleConfig().create().lr(4, 0, 10), 1e-12,
            "the resolved job reads back the same");
    }

    @Test
    void perStepDecaysWithinTheEpoch() {
        JobSpec job = Jobs.parse("optimizer:\n  lr: 0.1\nschedule:\n  name: exponential\n  gamma: 0.5\n  per: step\n",
            "job.yaml", Map.of());
        LrSchedule s = job.scheduleConfig().create();
        assertEquals(0.1 * Math.pow(0.5, 1.5), s.lr(1, 5, 10), 1e-12);
        JobSpec epochly = job.with("schedule.per", "epoch");
        assertEquals(0.05, epochly.scheduleConfig().create().lr(1, 5, 10), 1e-12);
        assertThrows(io.jtrain.job.JobException.class, () -> job.with("schedule.per", "batch"));
    }
}
