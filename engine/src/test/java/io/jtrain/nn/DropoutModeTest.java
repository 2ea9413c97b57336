package io.jtrain.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jtrain.backend.cpu.CpuBackend;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Dropout's two modes: inverted (scaled in training) and scale_at_inference (scaled at inference). */
class DropoutModeTest {
    static float[] run(Dropout d, CpuBackend be, float[] x, boolean training, float[] dyOut) {
        d.bind(be, 3);
        d.reserve(4, true);
        try (Tensor t = be.allocate(Shape.of(4, 25), MemoryCategory.ACTIVATIONS);
             Tensor dy = be.allocate(Shape.of(4, 25), MemoryCategory.ACTIVATIONS)) {
            be.upload(x, 0, t);
            float[] y = new float[100];
            be.download(d.forward(t, training), y, 0);
            if (dyOut != null) {
                float[] ones = new float[100];
                java.util.Arrays.fill(ones, 1f);
                be.upload(ones, 0, dy);
                be.download(d.backward(dy), dyOut, 0);
            }
            return y;
        }
    }

    @Test
    void scaleAtInferenceKeepsUnscaledValuesInTrainingAndScalesAtInference() {
        float[] x = new float[100];
        java.util.Arrays.fill(x, 2f);
        try (CpuBackend be = CpuBackend.createDefault()) {
            Dropout classic = new Dropout(0, Shape.of(25), 0.4f, true);
            float[] grad = new float[100];
            float[] train = run(classic, be, x, true, grad);
            int kept = 0;
            for (int i = 0; i < 100; i++) {
                assertTrue(train[i] == 0f || train[i] == 2f, "kept values are not scaled: " + train[i]);
                assertEquals(train[i] == 0f ? 0f : 1f, grad[i], 1e-6f, "the gradient passes kept elements as is");
                kept += train[i] == 2f ? 1 : 0;
            }
            assertTrue(kept > 40 && kept < 80, "about 60 % kept: " + kept);
            float[] infer = run(new Dropout(0, Shape.of(25), 0.4f, true), be, x, false, null);
            assertEquals(1.2f, infer[17], 1e-6f, "inference multiplies by 1 - rate");
            float[] inverted = run(new Dropout(0, Shape.of(25), 0.4f, false), be, x, true, null);
            for (float v : inverted) {
                assertTrue(v == 0f || Math.abs(v - 2f / 0.6f) < 1e-5f, "inverted dropout scales in training: " + v);
            }
            assertEquals(2f, run(new Dropout(0, Shape.of(25), 0.4f, false), be, x, false, null)[5], 0f);
        }
    }

    @Test
    void theModeIsAJobFileOption() {
        Layer d = LayerFactory.create(0, new LayerSpec("dropout", Map.of("rate", 0.5, "mode", "scale_at_inference")),
            Shape.of(8));
        assertTrue(d.config().contains("scale_at_inference"));
        SpecException e = assertThrows(SpecException.class, () -> LayerFactory.create(0, new LayerSpec("dropout",
            Map.of("rate", 0.5, "mode", "classic")), Shape.of(8)));
        assertTrue(e.getMessage().contains("inverted or scale_at_inference"), e.getMessage());
    }
}
