package io.jtrain.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jtrain.backend.Activation;
import io.jtrain.backend.ConvSpec;
import io.jtrain.backend.cpu.CpuBackend;
import io.jtrain.tensor.CpuMemoryPool;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A max pooling right after a ReLU folds the ReLU's backward into its own ({@link Pool2d#backwardThroughRelu}, used
 * by {@link Sequential#backward}): the input gradient is the two layers' backward passes bit for bit, on the oneDNN
 * path and on jtrain's own, for windows that tile the input, overlap (3×3, stride 2) and leave a border, with
 * ReLU inputs that are NaN, ±∞, ±0, negative and tied, and output gradients that are NaN, ±∞, −0 and negative; a
 * LeNet-like model's parameter gradients are those of its layers run one by one.
 */
class ReluPoolBackwardFoldTest {
    private static final float[] SPECIAL = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f,
        -1f, 1f, 2f, 2f, 0.5f};

    @Test
    void foldedBackwardIsTheTwoPassesBitForBit() {
        for (boolean oneDnn : new boolean[] {true, false}) {
            for (ConvSpec spec : List.of(ConvSpec.square(2, 2, 0), ConvSpec.square(3, 2, 0), ConvSpec.square(3, 2, 1))) {
                for (Shape in : List.of(Shape.of(3, 8, 8), Shape.of(20, 9, 7))) {
                    compare(oneDnn, spec, in);
                }
            }
        }
    }

    private static void compare(boolean oneDnn, ConvSpec spec, Shape in) {
        String where = (oneDnn ? "oneDNN" : "plain") + " " + spec + " " + in;
        int n = 3;
        try (CpuBackend be = CpuBackend.create(new CpuMemoryPool(64L << 20), 1).oneDnn(oneDnn)) {
            Activation act = Activation.of(Activation.Kind.RELU);
            ActivationLayer relu = new ActivationLayer(1, in, act);
            Pool2d pool = new Pool2d(2, in, true, spec);
            pool.foldReluBackward(act);
            assertTrue(pool.foldsReluBackward(), where);
            relu.bind(be, 1);
            pool.bind(be, 2);
            relu.reserve(n, true);
            pool.reserve(n, true);
            SplittableRandom r = new SplittableRandom(in.hashCode() + spec.hashCode());
            try (Tensor x = be.allocate(in.withBatch(n), MemoryCategory.ACTIVATIONS);
                 Tensor dy = be.allocate(pool.outputShape().withBatch(n), MemoryCategory.ACTIVATIONS)) {
                be.upload(values(x, r, 0.3), 0, x);
                be.upload(values(dy, r, 0.2), 0, dy);
                pool.forward(relu.forward(x, true), true);
                float[] folded = download(be, pool.backwardThroughRelu(dy));
                float[] twoPasses = download(be, relu.backward(pool.backward(dy)));
                for (int i = 0; i < folded.length; i++) {
                    assertEquals(Float.floatToRawIntBits(twoPasses[i]), Float.floatToRawIntBits(folded[i]),
                        where + " element " + i + ": " + twoPasses[i] + " vs " + folded[i]);
                }
            } finally {
                relu.close();
                pool.close();
            }
        }
    }

    @Test
    void aModelsGradientsAreThoseOfItsLayersOneByOne() {
        List<LayerSpec> layers = List.of(LayerSpec.of("conv2d", "filters", 6, "kernel", 5, "padding", 2),
            LayerSpec.of("relu"), LayerSpec.of("max_pool2d", "kernel", 2),
            LayerSpec.of("conv2d", "filters", 16, "kernel", 3), LayerSpec.of("relu"),
            LayerSpec.of("max_pool2d", "kernel", 2), LayerSpec.of("flatten"), LayerSpec.of("dense", "units", 5));
        for (boolean oneDnn : new boolean[] {true, false}) {
            float[][] model = grads(oneDnn, layers, true);
            float[][] single = grads(oneDnn, layers, false);
            for (int k = 0; k < model.length; k++) {
                for (int i = 0; i < model[k].length; i++) {
                    assertEquals(Float.floatToRawIntBits(single[k][i]), Float.floatToRawIntBits(model[k][i]),
                        (oneDnn ? "oneDNN" : "plain") + " gradient " + k + " element " + i);
                }
            }
        }
    }

    /** Every parameter gradient after one forward and backward: the model's backward, or layer by layer. */
    private static float[][] grads(boolean oneDnn, List<LayerSpec> layers, boolean modelBackward) {
        Shape in = Shape.of(1, 16, 16);
        try (CpuBackend be = CpuBackend.create(new CpuMemoryPool(64L << 20), 1).oneDnn(oneDnn);
             Sequential m = Sequential.build(new ModelSpec(in, layers))) {
            m.bind(be, 7);
            int n = 4;
            m.reserve(n);
            try (Tensor x = be.allocate(in.withBatch(n), MemoryCategory.ACTIVATIONS);
                 Tensor dy = be.allocate(Shape.of(n, 5), MemoryCategory.ACTIVATIONS)) {
                SplittableRandom r = new SplittableRandom(11);
                be.upload(values(x, r, 0), 0, x);
                be.upload(values(dy, r, 0), 0, dy);
                m.forward(x, true);
                m.zeroGrad();
                if (modelBackward) {
                    m.backward(dy, m.layers().size());
                } else {
                    Tensor g = dy;
                    for (int i = m.layers().size() - 1; i >= 0 && g != null; i--) {
                        g = m.layers().get(i).backward(g);
                    }
                }
                List<Parameter> ps = m.parameters();
                float[][] res = new float[ps.size()][];
                for (int i = 0; i < ps.size(); i++) {
                    res[i] = download(be, ps.get(i).grad());
                }
                return res;
            }
        }
    }

    /** Gaussian values, a fraction {@code special} of them from {@link #SPECIAL}. */
    private static float[] values(Tensor t, SplittableRandom r, double special) {
        float[] v = new float[(int) t.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextDouble() < special ? SPECIAL[r.nextInt(SPECIAL.length)] : (float) r.nextGaussian();
        }
        return v;
    }

    private static float[] download(CpuBackend be, Tensor t) {
        float[] v = new float[(int) t.size()];
        be.download(t, v, 0);
        return v;
    }
}
