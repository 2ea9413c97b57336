package io.jtrain.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jtrain.backend.Activation;
import io.jtrain.backend.BatchNormTensors;
import io.jtrain.backend.ConvSpec;
import io.jtrain.tensor.CpuMemoryPool;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * oneDNN's blocked layout handed from op to op ({@link Layouts}): a convolution, ReLU, batch norm, convolution,
 * ReLU, max pooling chain, forward and backward, gives what jtrain's plain path gives (to float rounding: oneDNN's
 * convolutions and batch norm sum in another order), with channel counts that fill oneDNN's block and one that is
 * padded to it; intermediate results read from the host in the middle of the chain are right; and the chain
 * reorders only at its edges.
 */
class LayoutsTest {
    record Case(int n, int c, int h, int k) { }

    @Test
    void aChainOnBlockedLayoutsAgreesWithThePlainPath() {
        Assumptions.assumeTrue(!"off".equals(System.getProperty("jtrain.onednn")), "oneDNN is off in this run");
        for (Case c : List.of(new Case(2, 3, 8, 16), new Case(3, 1, 10, 6), new Case(2, 4, 6, 32))) {
            try (CpuBackend dnn = backend(true); CpuBackend plain = backend(false)) {
                assertTrue(dnn.usesOneDnn(), dnn.oneDnnWarning());
                Map<String, float[]> a = chain(dnn, c, false);
                Map<String, float[]> b = chain(plain, c, false);
                for (String name : b.keySet()) {
                    close(b.get(name), a.get(name), c + " " + name);
                }
                Map<String, float[]> peeked = chain(dnn, c, true);
                for (String name : b.keySet()) {
                    close(b.get(name), peeked.get(name), c + " " + name + " (intermediates read from the host)");
                }
            }
        }
    }

    @Test
    void theChainReordersOnlyAtItsEdges() {
        Assumptions.assumeTrue(!"off".equals(System.getProperty("jtrain.onednn")), "oneDNN is off in this run");
        // 16 channels fill oneDNN's block; 6 are padded to it (LeNet-5's first layer), and stay in the shadow too
        for (Case c : List.of(new Case(2, 16, 8, 16), new Case(2, 1, 8, 6))) {
            try (CpuBackend dnn = backend(true)) {
                chain(dnn, c, false); // creates the shadows and primitives
                long before = dnn.oneDnnReorders();
                chain(dnn, c, false);
                long reorders = dnn.oneDnnReorders() - before;
                // edges: x in, the pooled output out, its gradient in, dx out; weights (3 layouts per convolution);
                // nothing between the first convolution and the pooling, in either direction
                assertTrue(reorders <= 12, c + ": reorders per step: " + reorders);
            }
        }
    }

    /**
     * conv(c→k) → ReLU → batch norm → conv(k→k) → ReLU → 2×2 max pool, forward and backward with fixed random data;
     * returns the output and every gradient by name. {@code peek} downloads intermediates along the way.
     */
    private static Map<String, float[]> chain(CpuBackend be, Case c, boolean peek) {
        SplittableRandom r = new SplittableRandom(c.hashCode());
        ConvSpec s = ConvSpec.square(3, 1, 1);
        List<Tensor> all = new ArrayList<>();
        Shape xs = Shape.of(c.n, c.c, c.h, c.h);
        Shape ys = Shape.of(c.n, c.k, c.h, c.h);
        Shape ps = Shape.of(c.n, c.k, c.h / 2, c.h / 2);
        Tensor x = t(be, all, xs, r);
        Tensor w1 = t(be, all, Shape.of(c.k, c.c, 3, 3), r);
        Tensor b1 = t(be, all, Shape.of(c.k), r);
        Tensor w2 = t(be, all, Shape.of(c.k, c.k, 3, 3), r);
        Tensor b2 = t(be, all, Shape.of(c.k), r);
        Tensor[] bnt = new Tensor[8];
        for (int i = 0; i < bnt.length; i++) {
            bnt[i] = t(be, all, Shape.of(c.k), r);
        }
        be.fill(bnt[2], 0f);
        be.fill(bnt[3], 0f);
        be.fill(bnt[5], 1f);
        BatchNormTensors bn = new BatchNormTensors(bnt[0], bnt[1], bnt[2], bnt[3], bnt[4], bnt[5], bnt[6], bnt[7]);
        Tensor y1 = t(be, all, ys, null);
        Tensor a1 = t(be, all, ys, null);
        Tensor z1 = t(be, all, ys, null);
        Tensor y2 = t(be, all, ys, null);
        Tensor a2 = t(be, all, ys, null);
        Tensor p = t(be, all, ps, null);
        long wsz = Math.max(be.conv2dWorkspaceElements(xs, w1.shape(), s), be.conv2dWorkspaceElements(ys, w2.shape(), s));
        Tensor ws = t(be, all, Shape.of((int) wsz), null);
        Map<String, float[]> out = new LinkedHashMap<>();
        Activation relu = Activation.of(Activation.Kind.RELU);
        be.conv2dForward(x, w1, b1, y1, s, ws);
        be.activationForward(relu, y1, a1);
        if (peek) {
            get(be, a1);
        }
        be.batchNormForwardTraining(a1, z1, bn, 0.1f, 1e-5f);
        be.conv2dForward(z1, w2, b2, y2, s, ws);
        be.activationForward(relu, y2, a2);
        be.maxPoolForward(a2, p, ConvSpec.square(2, 2, 0));
        out.put("output", get(be, p));
        out.put("running mean", get(be, bn.runningMean()));
        out.put("running variance", get(be, bn.runningVar()));
        Tensor dp = t(be, all, ps, r);
        Tensor da2 = t(be, all, ys, null);
        Tensor dy2 = t(be, all, ys, null);
        Tensor dz1 = t(be, all, ys, null);
        Tensor da1 = t(be, all, ys, null);
        Tensor dy1 = t(be, all, ys, null);
        Tensor dx = t(be, all, xs, null);
        Tensor[] grads = {t(be, all, w1.shape(), null), t(be, all, b1.shape(), null), t(be, all, w2.shape(), null),
            t(be, all, b2.shape(), null)};
        for (Tensor g : grads) {
            be.fill(g, 0f);
        }
        be.maxPoolBackward(a2, p, dp, da2, ConvSpec.square(2, 2, 0));
        be.activationBackward(relu, y2, a2, da2, dy2);
        if (peek) {
            get(be, dy2);
        }
        be.conv2dBackwardFilter(z1, dy2, grads[2], grads[3], s, ws);
        be.conv2dBackwardData(dy2, w2, dz1, s, ws);
        be.batchNormBackward(a1, dz1, da1, bn);
        be.activationBackward(relu, y1, a1, da1, dy1);
        be.conv2dBackwardFilter(x, dy1, grads[0], grads[1], s, ws);
        be.conv2dBackwardData(dy1, w1, dx, s, ws);
        out.put("dx", get(be, dx));
        out.put("dw1", get(be, grads[0]));
        out.put("db1", get(be, grads[1]));
        out.put("dw2", get(be, grads[2]));
        out.put("db2", get(be, grads[3]));
        out.put("dgamma", get(be, bn.dGamma()));
        out.put("dbeta", get(be, bn.dBeta()));
        all.forEach(Tensor::close);
        return out;
    }

    private static void close(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what);
        double scale = 0;
        for (float v : want) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 2e-4 * (1 + scale), what + " element " + i);
        }
    }

    private static Tensor t(CpuBackend be, List<Tensor> all, Shape s, SplittableRandom r) {
        Tensor t = be.allocate(s, MemoryCategory.ACTIVATIONS);
        all.add(t);
        if (r != null) {
            float[] v = new float[(int) s.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) r.nextGaussian();
            }
            be.upload(v, 0, t);
        }
        return t;
    }

    private static float[] get(CpuBackend be, Tensor t) {
        float[] v = new float[(int) t.size()];
        be.download(t, v, 0);
        return v;
    }

    private static CpuBackend backend(boolean oneDnn) {
        return CpuBackend.create(new CpuMemoryPool(256L << 20), 1).oneDnn(oneDnn);
    }
}
