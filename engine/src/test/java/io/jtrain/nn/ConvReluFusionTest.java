package io.jtrain.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.jtrain.backend.cpu.CpuBackend;
import io.jtrain.tensor.CpuMemoryPool;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A ReLU after a convolution is fused into it in the model's forward pass: the model's output and every gradient
 * agree with the layers run one by one (the convolution's own output is its pre-activation, as the doctor reads
 * it), on the oneDNN path (a post-op) and on jtrain's own path (the convolution, then the ReLU in place); the ReLU
 * layer passes the convolution's output on and reports it as its output.
 */
class ConvReluFusionTest {
    private static final List<LayerSpec> LAYERS = List.of(LayerSpec.of("conv2d", "filters", 16, "kernel", 3),
        LayerSpec.of("relu"), LayerSpec.of("conv2d", "filters", 8, "kernel", 3, "padding", 1), LayerSpec.of("relu"),
        LayerSpec.of("flatten"), LayerSpec.of("dense", "units", 5));

    @Test
    void fusedForwardAndBackwardMatchTheLayersOneByOne() {
        for (boolean oneDnn : new boolean[] {true, false}) {
            float[][] fused = run(oneDnn, true);
            float[][] single = run(oneDnn, false);
            for (int k = 0; k < fused.length; k++) {
                for (int i = 0; i < fused[k].length; i++) {
                    float want = single[k][i];
                    assertEquals(want, fused[k][i], 1e-4f * (1 + Math.abs(want)),
                        (oneDnn ? "oneDNN" : "plain") + " array " + k + " element " + i);
                }
            }
        }
    }

    /** {output, every parameter gradient...} after one forward and backward, fused (the model's pass) or not. */
    private static float[][] run(boolean oneDnn, boolean fused) {
        Shape in = Shape.of(3, 9, 9);
        try (CpuBackend be = CpuBackend.create(new CpuMemoryPool(64L << 20), 1).oneDnn(oneDnn);
             Sequential m = Sequential.build(new ModelSpec(in, LAYERS))) {
            m.bind(be, 5);
            int n = 4;
            m.reserve(n);
            try (Tensor x = be.allocate(in.withBatch(n), MemoryCategory.ACTIVATIONS);
                 Tensor dy = be.allocate(Shape.of(n, 5), MemoryCategory.ACTIVATIONS)) {
                SplittableRandom r = new SplittableRandom(3);
                float[] xv = new float[(int) x.size()];
                for (int i = 0; i < xv.length; i++) {
                    xv[i] = (float) r.nextGaussian();
                }
                be.upload(xv, 0, x);
                be.fill(dy, 0.25f);
                Tensor out;
                if (fused) {
                    out = m.forward(x, true);
                    ActivationLayer relu = (ActivationLayer) m.layers().get(1);
                    assertSame(relu.lastInput(), relu.lastOutput(), "the fused ReLU passes the convolution's output on");
                } else {
                    out = x;
                    for (Layer l : m.layers()) {
                        out = l.forward(out, true);
                    }
                }
                float[] o = new float[(int) out.size()];
                be.download(out, o, 0);
                m.zeroGrad();
                m.backward(dy, m.layers().size());
                List<Parameter> ps = m.parameters();
                float[][] res = new float[ps.size() + 1][];
                res[0] = o;
                for (int i = 0; i < ps.size(); i++) {
                    res[i + 1] = new float[(int) ps.get(i).grad().size()];
                    be.download(ps.get(i).grad(), res[i + 1], 0);
                }
                return res;
            }
        }
    }
}
