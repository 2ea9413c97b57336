package io.jtrain.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The GPU step budget on the recording fake device (docs/gpu.md): for lenet5 and cnn-bn, with and without
 * (mocked) cuDNN, with the live monitor on and clip_norm 1.0 — kernel launches per step are the same at
 * batch 64 and 256, a step blocks the host at most once (its loss accumulator), uploads at most twice
 * (inputs and labels, from page-locked memory), and nothing is allocated on the device after the first step.
 */
class StepBudgetTest {
    @Test
    void launchesDoNotGrowWithTheBatchAndAStepBlocksOnce() {
        List<StepBudget.Result> rs = StepBudget.all();
        assertEquals(8, rs.size());
        for (StepBudget.Result r : rs) {
            String what = r.json();
            assertTrue(r.blockingSyncs() <= 1, what);
            assertTrue(r.hostToDevice() <= 2, what);
            assertEquals(0, r.deviceAllocsAfterStep1(), what);
            assertTrue(r.launches() > 10, what);
        }
        for (String model : List.of("lenet5", "cnn-bn")) {
            for (boolean cudnn : new boolean[] {false, true}) {
                long at64 = find(rs, model, 64, cudnn).launches();
                long at256 = find(rs, model, 256, cudnn).launches();
                assertEquals(at64, at256, model + " cudnn " + cudnn + ": launches at batch 64 and 256");
            }
        }
    }

    @Test
    void jsonLinesHaveExactlyTheDocumentedKeys() {
        String j = StepBudget.measure("lenet5", 64, false).json();
        assertEquals("{\"model\":\"lenet5\",\"batch\":64,\"cudnn\":false,\"launches_per_step\":",
            j.substring(0, j.indexOf(":", j.indexOf("launches_per_step")) + 1));
        for (String k : List.of("blocking_syncs_per_step", "h2d_copies_per_step", "d2h_copies_per_step",
            "device_allocs_after_step1")) {
            assertTrue(j.contains("\"" + k + "\":"), j);
        }
    }

    private static StepBudget.Result find(List<StepBudget.Result> rs, String model, int batch, boolean cudnn) {
        return rs.stream().filter(r -> r.model().equals(model) && r.batch() == batch && r.cudnn() == cudnn)
            .findFirst().orElseThrow();
    }
}
