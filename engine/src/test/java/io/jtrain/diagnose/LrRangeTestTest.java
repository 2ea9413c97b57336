package io.jtrain.diagnose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jtrain.backend.cpu.CpuBackend;
import io.jtrain.data.DataLocator;
import io.jtrain.data.Dataset;
import io.jtrain.data.Normalization;
import io.jtrain.loss.Loss;
import io.jtrain.model.Presets;
import io.jtrain.nn.ModelSpec;
import io.jtrain.optim.OptimizerConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The range test's smoothing starts at the first loss (bias-corrected EMA from zero), not 50 times above it. */
class LrRangeTestTest {
    @Test
    void theFirstSmoothedLossIsTheFirstLossAndASuggestionIsMade() {
        Dataset raw = DataLocator.embedded().train().head(512);
        Dataset d = Normalization.fit(Normalization.Mode.GLOBAL, raw).applyTo(raw);
        ModelSpec spec = new ModelSpec(d.sampleShape(), Presets.get("mlp").layers());
        try (CpuBackend be = CpuBackend.createDefault()) {
            LrRangeTest.Result r = LrRangeTest.run(spec, Loss.SOFTMAX_CROSS_ENTROPY, OptimizerConfig.sgd(0.9, false), d,
                be, 1, 32);
            assertEquals(Math.log(10), r.losses().get(0), 0.7, "the first smoothed loss is about ln 10 = 2.3, "
                + "the loss of an untrained 10-class model: " + r.losses().subList(0, 3));
            assertTrue(!Double.isNaN(r.suggestion()), "the loss falls below its start, so there is a suggestion");
            assertTrue(r.suggestion() > 1e-5 && r.suggestion() < 1, "suggestion " + r.suggestion());
        }
    }

    @Test
    void noSuggestionWhenTheLossNeverFalls() {
        assertTrue(Double.isNaN(LrRangeTest.suggest(List.of(1e-6, 1e-5, 1e-4), List.of(1.0, 1.1, 1.2))));
        assertEquals(1e-5, LrRangeTest.suggest(List.of(1e-6, 1e-5, 1e-4), List.of(1.0, 0.9, 0.5)), 1e-12);
    }
}
