package io.jtrain.diagnose;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jtrain.TestBackends;
import io.jtrain.backend.cpu.CpuBackend;
import io.jtrain.nn.LayerSpec;
import io.jtrain.nn.ModelSpec;
import io.jtrain.nn.Sequential;
import io.jtrain.tensor.Shape;
import io.jtrain.train.EpochMetrics;
import io.jtrain.train.TrainingListener;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The live overfitting rule on epoch numbers: the loss-and-accuracy gap, the memorisation clause (every training
 * sample right, validation loss several times the training loss, a few validation samples wrong — the mild case
 * of the doctor's evaluation that the accuracy gap alone misses), and silence when validation keeps up.
 */
class OverfittingRuleTest {
    private static List<String> findings(double[][] epochs) {
        try (CpuBackend be = TestBackends.cpu();
             Sequential m = Sequential.build(new ModelSpec(Shape.of(4), List.of(LayerSpec.of("dense", "units", 3))))) {
            m.bind(be, 1);
            List<String> ids = new ArrayList<>();
            TrainingMonitor mon = new TrainingMonitor(m, f -> ids.add(f.id()), false);
            int e = 1;
            for (double[] v : epochs) {   // loss, accuracy, val_loss, val_accuracy
                mon.epochEnd(new TrainingListener.EpochEnd(new EpochMetrics(e++, v[0], v[1], v[2], v[3], 1e-3, 0.1),
                    false));
            }
            mon.close();
            return ids;
        }
    }

    @Test
    void memorisationIsOverfittingEvenWithASmallAccuracyGap() {
        // "overfit 120 cifar seed 2": training loss 0.0154 vs validation 0.0796, accuracy 1.000 vs 0.950
        assertTrue(findings(new double[][] {{0.03, 1.0, 0.09, 0.95}, {0.0154, 1.0, 0.0796, 0.95}})
            .contains("overfitting"));
    }

    @Test
    void noFindingWhenValidationKeepsUpOrTrainingIsNotPerfect() {
        // seeds 1 and 3: validation accuracy 1.000 too (a loss ratio of 2 with equal accuracy is not memorisation)
        assertEquals(List.of(), findings(new double[][] {{0.011, 1.0, 0.021, 1.0}, {0.007, 1.0, 0.0134, 1.0}}));
        // a loss ratio of 5 but the training accuracy below 0.999: only the accuracy-gap clause can fire, and does not
        assertTrue(!findings(new double[][] {{0.05, 0.99, 0.3, 0.95}, {0.04, 0.99, 0.2, 0.95}}).contains("overfitting"));
    }

    @Test
    void theAccuracyGapClauseStillFires() {
        assertTrue(findings(new double[][] {{0.2, 0.95, 0.9, 0.7}, {0.1, 0.97, 1.0, 0.7}}).contains("overfitting"));
    }
}
