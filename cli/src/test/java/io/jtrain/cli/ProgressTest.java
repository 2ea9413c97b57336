package io.jtrain.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jtrain.train.EpochMetrics;
import org.junit.jupiter.api.Test;

/** The epoch line fits an 80-column terminal: validation numbers move to an indented second line. */
class ProgressTest {
    @Test
    void anEpochLineFitsEightyColumns() {
        EpochMetrics m = new EpochMetrics(1, 1.2456, 0.6048, 0.7599, 0.7167, 0.001, 1.1);
        String wide = Progress.line(m, true, 2, 0);
        assertEquals("epoch 1/2  loss 1.2456  accuracy 0.6048  val_loss 0.7599  val_accuracy 0.7167  lr 0.00100  1.1s"
            + "  *best", wide, "not a terminal: one line, as CI logs and pipes get it");
        String narrow = Progress.line(m, true, 2, 80);
        String[] lines = narrow.split(System.lineSeparator());
        assertEquals(2, lines.length, narrow);
        assertEquals("epoch 1/2  loss 1.2456  accuracy 0.6048  lr 0.00100  1.1s  *best", lines[0]);
        assertEquals("           val_loss 0.7599  val_accuracy 0.7167", lines[1]);
        for (String l : lines) {
            assertTrue(l.length() <= 80, l);
        }
        assertEquals(wide, Progress.line(m, true, 2, 200), "a wide terminal keeps one line");
    }
}
