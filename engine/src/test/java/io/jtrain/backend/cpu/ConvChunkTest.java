package io.jtrain.backend.cpu;

import static io.jtrain.ref.GradCheck.assertClose;

import io.jtrain.nn.LayerHarness;
import io.jtrain.nn.LayerSpec;
import io.jtrain.tensor.Shape;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Convolutions split into several sample chunks give the same results as one chunk. */
class ConvChunkTest {
    private final long saved = CpuConv.targetWorkspace;

    @AfterEach
    void restore() {
        CpuConv.targetWorkspace = saved;
    }

    private static float[][] run(int n) {
        LayerSpec spec = LayerSpec.of("conv2d", "filters", 3, "kernel", List.of(3, 2), "stride", List.of(2, 1),
            "padding", List.of(1, 1));
        try (LayerHarness h = LayerHarness.cpu(spec, Shape.of(2, 7, 6), n)) {
            double[] x = LayerHarness.random(n * 2 * 7 * 6, 1, 1);
            h.setParam(0, LayerHarness.random(3 * 2 * 3 * 2, 2, 1));
            h.setParam(1, LayerHarness.random(3, 3, 1));
            float[] y = h.forward(x, true);
            float[] dx = h.backward(LayerHarness.random(y.length, 4, 1));
            return new float[][] {y, dx, h.grad(0), h.grad(1)};
        }
    }

    @Test
    void severalChunksEqualOneChunk() {
        float[][] one = run(5);
        CpuConv.targetWorkspace = 1;
        float[][] perSample = run(5);
        CpuConv.targetWorkspace = 2 * (2 * 3 * 2 + 3) * 4 * 7;
        float[][] pairs = run(5);
        String[] what = {"y", "dx", "dw", "db"};
        for (int i = 0; i < 4; i++) {
            assertClose(what[i] + " (1 per chunk)", io.jtrain.ref.GradCheck.toDouble(one[i]), perSample[i], 1e-6, 1e-5);
            assertClose(what[i] + " (2 per chunk)", io.jtrain.ref.GradCheck.toDouble(one[i]), pairs[i], 1e-6, 1e-5);
        }
    }
}
