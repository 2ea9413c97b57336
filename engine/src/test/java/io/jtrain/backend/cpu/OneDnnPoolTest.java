package io.jtrain.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jtrain.backend.Activation;
import io.jtrain.backend.BatchNormTensors;
import io.jtrain.backend.ConvSpec;
import io.jtrain.tensor.CpuMemoryPool;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Max pooling through oneDNN against jtrain's Java loops, bit for bit: outputs and routed gradients, on inputs
 * full of ties (−0 and +0 among them) and +∞, for non-overlapping windows with and without padding and sizes the
 * windows do not tile. oneDNN runs only on inputs a ReLU or a batch norm has marked free of NaN and −∞; a NaN
 * input (unmarked) still gets jtrain's NaN rule.
 */
class OneDnnPoolTest {
    private static final float[] VALUES = {-1f, -0f, 0f, 1f, 2f, 3f, Float.POSITIVE_INFINITY};

    record Case(int n, int c, int h, int w, ConvSpec s) { }

    @Test
    void agreesBitForBitWithTheJavaPath() {
        Assumptions.assumeTrue(!"off".equals(System.getProperty("jtrain.onednn")), "oneDNN is off in this run");
        List<Case> cases = List.of(new Case(3, 6, 28, 28, ConvSpec.square(2, 2, 0)),
            new Case(2, 16, 10, 10, ConvSpec.square(2, 2, 0)),
            new Case(2, 5, 7, 9, ConvSpec.square(2, 2, 0)),
            new Case(2, 3, 9, 8, ConvSpec.square(3, 3, 1)),
            new Case(1, 4, 11, 6, new ConvSpec(3, 2, 3, 2, 2, 1)));
        try (CpuBackend dnn = backend(true); CpuBackend plain = backend(false)) {
            assertTrue(dnn.usesOneDnn(), "oneDNN loads: " + dnn.oneDnnWarning());
            for (Case c : cases) {
                float[][] a = run(dnn, c, true);
                float[][] b = run(plain, c, true);
                assertArrayEquals(bits(b[0]), bits(a[0]), c + ": forward");
                assertArrayEquals(bits(b[1]), bits(a[1]), c + ": backward");
            }
        }
    }

    @Test
    void overlappingWindowsAndUnmarkedInputsStayOnTheJavaPath() {
        assertFalse(OneDnnPool.supports(ConvSpec.square(3, 2, 1)), "overlapping windows");
        assertTrue(OneDnnPool.supports(ConvSpec.square(2, 2, 0)));
        try (CpuBackend dnn = backend(true)) {
            Shape xs = Shape.of(1, 1, 2, 2);
            Tensor x = dnn.allocate(xs, MemoryCategory.ACTIVATIONS);
            Tensor y = dnn.allocate(Shape.of(1, 1, 1, 1), MemoryCategory.ACTIVATIONS);
            dnn.upload(new float[] {1f, Float.NaN, 2f, 3f}, 0, x);
            assertFalse(x.hasValues(Tensor.NO_NAN_OR_NEGATIVE_INFINITY), "an upload marks nothing");
            dnn.maxPoolForward(x, y, ConvSpec.square(2, 2, 0));
            float[] out = new float[1];
            dnn.download(y, out, 0);
            assertTrue(Float.isNaN(out[0]), "NaN wins, as on the Java path: " + out[0]);
        }
    }

    @Test
    void reluMarksItsOutputAndAnyHostAccessClearsTheMark() {
        try (CpuBackend be = backend(true)) {
            Tensor x = be.allocate(Shape.of(2, 3), MemoryCategory.ACTIVATIONS);
            Tensor y = be.allocate(Shape.of(2, 3), MemoryCategory.ACTIVATIONS);
            be.upload(new float[] {Float.NaN, Float.NEGATIVE_INFINITY, -1f, 0f, 1f, Float.POSITIVE_INFINITY}, 0, x);
            be.activationForward(Activation.of(Activation.Kind.RELU), x, y);
            assertTrue(y.hasValues(Tensor.NON_NEGATIVE));
            assertTrue(y.hasValues(Tensor.NO_NAN_OR_NEGATIVE_INFINITY), "non-negative implies it");
            assertTrue(y.view(Shape.of(6)).hasValues(Tensor.NO_NAN_OR_NEGATIVE_INFINITY), "views share the mark");
            float[] out = new float[6];
            be.download(y, out, 0);
            assertArrayEquals(new float[] {0f, 0f, 0f, 0f, 1f, Float.POSITIVE_INFINITY}, out);
            assertFalse(y.hasValues(Tensor.NO_NAN_OR_NEGATIVE_INFINITY), "a host access may write: the mark is gone");
        }
    }

    @Test
    void batchNormMarksOnlyOutputsItCanBound() {
        try (CpuBackend be = backend(true)) {
            Tensor[] t = new Tensor[8];
            for (int i = 0; i < t.length; i++) {
                t[i] = be.allocate(Shape.of(2), MemoryCategory.WEIGHTS);
            }
            BatchNormTensors bn = new BatchNormTensors(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7]);
            be.upload(new float[] {1f, 1f}, 0, bn.gamma());
            be.upload(new float[] {0f, 0f}, 0, bn.beta());
            be.fill(bn.runningMean(), 0f);
            be.fill(bn.runningVar(), 1f);
            Tensor x = be.allocate(Shape.of(4, 2), MemoryCategory.ACTIVATIONS);
            Tensor y = be.allocate(Shape.of(4, 2), MemoryCategory.ACTIVATIONS);
            be.upload(new float[] {1f, 2f, 3f, 4f, -5f, 6f, 7f, 8f}, 0, x);
            be.batchNormForwardTraining(x, y, bn, 0.1f, 1e-5f);
            assertTrue(y.hasValues(Tensor.NO_NAN_OR_NEGATIVE_INFINITY), "finite inputs and parameters");
            be.upload(new float[] {1f, 2f, Float.POSITIVE_INFINITY, 4f, -5f, 6f, 7f, 8f}, 0, x);
            be.batchNormForwardTraining(x, y, bn, 0.1f, 1e-5f);
            assertFalse(y.hasValues(Tensor.NO_NAN_OR_NEGATIVE_INFINITY), "an infinite input makes its channel's mean infinite");
            be.upload(new float[] {1f, 2f, 3f, 4f, -5f, 6f, 7f, 8f}, 0, x);
            be.upload(new float[] {Float.MAX_VALUE, 1f}, 0, bn.gamma());
            be.batchNormForwardTraining(x, y, bn, 0.1f, 1e-5f);
            assertFalse(y.hasValues(Tensor.NO_NAN_OR_NEGATIVE_INFINITY), "a gamma this large could overflow");
            assertFalse(y.hasValues(Tensor.NON_NEGATIVE), "batch norm never marks its output non-negative");
            be.upload(new float[] {1f, 1f}, 0, bn.gamma());
            be.upload(new float[] {0.5f, 1f}, 0, bn.runningMean());
            be.upload(new float[] {2f, 3f}, 0, bn.runningVar());
            Tensor r = be.allocate(Shape.of(4, 2), MemoryCategory.ACTIVATIONS);
            be.activationForward(Activation.of(Activation.Kind.RELU), x, r);
            be.batchNormForwardInference(r, y, bn, 1e-5f);
            assertTrue(y.hasValues(Tensor.NO_NAN_OR_NEGATIVE_INFINITY), "inference after a ReLU, positive scales");
            be.batchNormForwardInference(x, y, bn, 1e-5f);
            assertFalse(y.hasValues(Tensor.NO_NAN_OR_NEGATIVE_INFINITY), "inference on unmarked input");
            be.activationForward(Activation.of(Activation.Kind.RELU), x, r);
            be.upload(new float[] {-1f, 1f}, 0, bn.gamma());
            be.batchNormForwardInference(r, y, bn, 1e-5f);
            assertFalse(y.hasValues(Tensor.NO_NAN_OR_NEGATIVE_INFINITY), "a negative scale maps +inf to -inf");
            r.close();
            for (Tensor u : t) {
                u.close();
            }
        }
    }

    /** {y, dx} of a ReLU-marked input: forward, then backward of dy = 1, 2, 3, ... */
    private static float[][] run(CpuBackend be, Case c, boolean mark) {
        SplittableRandom r = new SplittableRandom(c.hashCode());
        Shape xs = Shape.of(c.n, c.c, c.h, c.w);
        Shape ys = Shape.of(c.n, c.c, c.s.outH(c.h), c.s.outW(c.w));
        float[] xv = new float[(int) xs.size()];
        for (int i = 0; i < xv.length; i++) {
            xv[i] = VALUES[r.nextInt(VALUES.length)];
        }
        float[] dyv = new float[(int) ys.size()];
        for (int i = 0; i < dyv.length; i++) {
            dyv[i] = i + 1;
        }
        try (Tensor pre = be.allocate(xs, MemoryCategory.ACTIVATIONS);
             Tensor x = be.allocate(xs, MemoryCategory.ACTIVATIONS);
             Tensor y = be.allocate(ys, MemoryCategory.ACTIVATIONS);
             Tensor dy = be.allocate(ys, MemoryCategory.ACTIVATIONS);
             Tensor dx = be.allocate(xs, MemoryCategory.ACTIVATIONS)) {
            be.upload(xv, 0, pre);
            be.copy(pre, x);
            if (mark) {
                x.markValues(Tensor.NO_NAN_OR_NEGATIVE_INFINITY);
            }
            long before = be.oneDnnPoolCalls();
            be.maxPoolForward(x, y, c.s);
            assertEquals(be.usesOneDnn() ? before + 1 : before, be.oneDnnPoolCalls(), c + ": oneDNN ran it");
            be.upload(dyv, 0, dy);
            be.fill(dx, 7f);
            be.maxPoolBackward(x, y, dy, dx, c.s);
            float[] yo = new float[(int) ys.size()];
            float[] dxo = new float[(int) xs.size()];
            be.download(y, yo, 0);
            be.download(dx, dxo, 0);
            assertEquals(xs.size(), dxo.length);
            return new float[][] {yo, dxo};
        }
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }

    private static CpuBackend backend(boolean oneDnn) {
        return CpuBackend.create(new CpuMemoryPool(256L << 20), 1).oneDnn(oneDnn);
    }
}
