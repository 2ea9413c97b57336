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

    /** The live line at 60, 80 and 120 columns: never wider than the terminal, fields whole, the bar sized. */
    @Test
    void theLiveLineFitsSixtyEightyAndOneHundredTwentyColumns() {
        for (int w : new int[] {60, 80, 120}) {
            String l = ProgressBarLine.render(w, 3, 10, 42, 100, 1.23456, 0.6048, 12345.6, 12.4);
            assertTrue(l.length() <= w - 1, w + ": " + l.length() + " " + l);
            assertTrue(l.startsWith("epoch 3/10  [") && l.contains(" 42/100  loss 1.2346") && l.endsWith("ETA  0:12"),
                w + ": " + l);
            if (w >= 80) {
                assertTrue(l.contains("acc 0.6048") && l.contains("12.3k/s"), w + ": " + l);
            }
        }
        String a = ProgressBarLine.render(80, 3, 10, 1, 100, 9.87654, 0.1, 950, 600);
        String b = ProgressBarLine.render(80, 3, 10, 99, 100, 0.00123, 0.99, 1_250_000, 1);
        assertEquals(a.indexOf("loss"), b.indexOf("loss"), "fixed-width fields do not move:\n" + a + "\n" + b);
        assertEquals(a.length(), b.length(), a + "\n" + b);
        String end = ProgressBarLine.render(80, 3, 10, 100, 100, 0.5, null, 1000, 0);
        assertTrue(end.endsWith("validate") && !end.contains("acc"), end);
        assertTrue(ProgressBarLine.render(30, 1, 1, 1, 2, 0.5, 0.5, 1, 1).length() <= 29);
        assertEquals("?", ProgressBarLine.si(Double.NaN));
        assertEquals("1:02:05", ProgressBarLine.clock(3725));
    }

    @Test
    void longLinesBreakAtSpacesOnANarrowTerminal() {
        String device = "device: cpu (no CUDA driver (libcuda.so.1 not found; cudaGetDeviceCount: "
            + "cudaErrorInsufficientDriver): training on CPU; convolutions on oneDNN 3.8.1)";
        String w = Progress.wrap(device, 79, 8);
        for (String l : w.split(System.lineSeparator())) {
            assertTrue(l.length() <= 79, l);
        }
        assertTrue(w.split(System.lineSeparator())[1].startsWith("        "), w);
        assertEquals(device, w.replaceAll(System.lineSeparator() + " +", " "), "only spaces became line breaks");
        assertEquals(device, Progress.wrap(device, -1, 8), "not a terminal: one line");
    }
}
