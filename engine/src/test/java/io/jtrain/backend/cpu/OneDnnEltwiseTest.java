package io.jtrain.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jtrain.backend.Activation;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * oneDNN's ReLU (used for tensors of at least {@link OneDnnEltwise#minElements} elements) against jtrain's Java
 * loop, bit for bit, on random values with the special ones mixed in, the forward (the backward stays in Java).
 */
class OneDnnEltwiseTest {
    @Test
    void reluMatchesTheJavaLoopBitForBit() {
        OneDnn d = OneDnn.get();
        assumeTrue(d != null, "oneDNN natives not loadable here");
        OneDnnEltwise e = new OneDnnEltwise(d);
        System.out.println("oneDNN ReLU usable: " + e.usable());
        assumeTrue(e.usable(), "oneDNN's ReLU differs from jtrain's on special values: the Java loops are used");
        try (CpuBackend be = CpuBackend.create(new io.jtrain.tensor.CpuMemoryPool(64L << 20), 1).oneDnn(false)) {
            int n = 3 * (int) OneDnnEltwise.MIN_ELEMENTS + 5;
            float[] xs = new float[n];
            float[] gs = new float[n];
            SplittableRandom r = new SplittableRandom(3);
            float[] special = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE};
            for (int i = 0; i < n; i++) {
                xs[i] = i % 17 == 0 ? special[i % special.length] : (float) r.nextGaussian();
                gs[i] = (float) r.nextGaussian();
            }
            Tensor x = tensor(be, xs);
            Tensor y1 = tensor(be, new float[n]);
            Tensor y2 = tensor(be, new float[n]);
            be.activationForward(Activation.of(Activation.Kind.RELU), x, y1);
            assertEquals(true, e.reluForward(x, y2));
            float[] a = values(be, y1);
            float[] b = values(be, y2);
            for (int i = 0; i < n; i++) {
                assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), "forward at " + i + " x=" + xs[i]);
            }
        }
    }

    private static Tensor tensor(CpuBackend be, float[] v) {
        Tensor t = be.allocate(Shape.of(v.length), io.jtrain.tensor.MemoryCategory.ACTIVATIONS);
        be.upload(v, 0, t);
        return t;
    }

    private static float[] values(CpuBackend be, Tensor t) {
        float[] v = new float[(int) t.size()];
        be.download(t, v, 0);
        return v;
    }
}
