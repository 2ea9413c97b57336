package io.jtrain.nn;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.jtrain.backend.cpu.CpuBackend;
import io.jtrain.model.Presets;
import io.jtrain.tensor.CpuMemoryPool;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A layer computes the gradient of its input only when a layer before it has parameters: the first weighted
 * layer's input gradient (after a flatten or a dropout) would be thrown away, and for dlfs and mlp it is the
 * largest matrix product of the step. Later layers still return theirs.
 */
class InputGradientTest {
    @Test
    void noInputGradientBeforeTheFirstWeightedLayer() {
        check(Presets.get("dlfs").layers(), Shape.of(1, 28, 28), 1);
        check(List.of(LayerSpec.of("flatten"), LayerSpec.of("dropout", "rate", 0.5), LayerSpec.of("dense", "units", 8),
            LayerSpec.of("relu"), LayerSpec.of("dense", "units", 3)), Shape.of(2, 3, 3), 2);
        check(List.of(LayerSpec.of("dense", "units", 8), LayerSpec.of("tanh"), LayerSpec.of("dense", "units", 3)),
            Shape.of(5), 0);
    }

    /** Layers up to {@code firstWeighted} return no input gradient, every later one does. */
    private static void check(List<LayerSpec> layers, Shape in, int firstWeighted) {
        try (CpuBackend be = CpuBackend.create(new CpuMemoryPool(64L << 20), 1);
             Sequential m = Sequential.build(new ModelSpec(in, layers))) {
            m.bind(be, 1);
            int n = 4;
            m.reserve(n);
            try (Tensor x = be.allocate(in.withBatch(n), MemoryCategory.ACTIVATIONS)) {
                be.fill(x, 0.5f);
                Tensor[] ys = new Tensor[layers.size()];
                Tensor h = x;
                for (int i = 0; i < layers.size(); i++) {
                    h = m.layers().get(i).forward(h, true);
                    ys[i] = h;
                }
                Tensor g = ys[layers.size() - 1];
                for (int i = layers.size() - 1; i >= 0; i--) {
                    Tensor dx = m.layers().get(i).backward(g);
                    if (i <= firstWeighted) {
                        assertNull(dx, "layer " + i + " (" + layers.get(i).type() + ") computed its input gradient");
                        return;
                    }
                    assertNotNull(dx, "layer " + i + " (" + layers.get(i).type() + ") returned no input gradient");
                    g = dx;
                }
            }
        }
    }
}
