package io.jtrain.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jtrain.backend.BackendComparison;
import io.jtrain.backend.ConvSpec;
import io.jtrain.tensor.CpuMemoryPool;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * oneDNN's convolutions against jtrain's own im2col + GEMM path: forward, backward data and backward weights
 * (accumulating into dw and db), on shapes with padding, strides, one input channel, channel counts that are
 * not multiples of oneDNN's block of 16, and a window that does not tile the input (floor division).
 */
class OneDnnConvTest {
    static CpuBackend backend(boolean oneDnn) {
        return CpuBackend.create(new CpuMemoryPool(256L << 20), 1).oneDnn(oneDnn);
    }

    @Test
    void oneDnnLoadsAndIsOnByDefault() {
        try (CpuBackend be = CpuBackend.create(new CpuMemoryPool(64L << 20), 1)) {
            if ("off".equals(System.getProperty("jtrain.onednn"))) {
                assertTrue(!be.usesOneDnn(), "jtrain.onednn=off turns it off");
                return;
            }
            assertTrue(be.usesOneDnn(), "oneDNN is used: " + be.oneDnnWarning());
            assertTrue(be.description().contains("oneDNN 3."), be.description());
        }
    }

    record Case(int n, int c, int h, int w, int k, ConvSpec s, boolean bias) { }

    @Test
    void agreesWithThePlainPath() {
        List<Case> cases = List.of(new Case(4, 1, 28, 28, 6, ConvSpec.square(5, 1, 2), true),
            new Case(3, 6, 14, 14, 16, ConvSpec.square(5, 1, 0), true),
            new Case(2, 3, 9, 7, 5, ConvSpec.square(3, 2, 1), false),
            new Case(2, 17, 8, 8, 33, ConvSpec.square(3, 1, 1), true),
            new Case(2, 2, 5, 5, 3, ConvSpec.square(2, 2, 0), true),
            new Case(1, 4, 6, 10, 4, new ConvSpec(3, 1, 1, 2, 1, 0), true));
        try (CpuBackend dnn = backend(true); CpuBackend plain = backend(false)) {
            assertTrue(dnn.usesOneDnn() && !plain.usesOneDnn());
            for (Case c : cases) {
                compare(dnn, plain, c);
            }
        }
    }

    private static void compare(CpuBackend a, CpuBackend b, Case c) {
        SplittableRandom r = new SplittableRandom(c.hashCode());
        Shape xs = Shape.of(c.n, c.c, c.h, c.w);
        Shape wsh = Shape.of(c.k, c.c, c.s.kh(), c.s.kw());
        Shape ys = Shape.of(c.n, c.k, c.s.outH(c.h), c.s.outW(c.w));
        float[] x = random(r, xs.size());
        float[] w = random(r, wsh.size());
        float[] bias = random(r, c.k);
        float[] dy = random(r, ys.size());
        float[] dw0 = random(r, wsh.size());
        float[] db0 = random(r, c.k);
        float[][] ra = run(a, c, xs, wsh, ys, x, w, bias, dy, dw0, db0);
        float[][] rb = run(b, c, xs, wsh, ys, x, w, bias, dy, dw0, db0);
        String[] what = {"forward", "backward data", "backward weights (accumulated)", "bias gradient (accumulated)"};
        for (int i = 0; i < ra.length; i++) {
            for (int j = 0; j < ra[i].length; j++) {
                float tol = 1e-4f * (1 + Math.abs(rb[i][j])) * (1 + c.c * c.s.kh() * c.s.kw() / 16f);
                assertEquals(rb[i][j], ra[i][j], tol, c + ": " + what[i] + " element " + j);
            }
        }
    }

    private static float[][] run(CpuBackend be, Case c, Shape xs, Shape wsh, Shape ys, float[] x, float[] w,
                                 float[] bias, float[] dy, float[] dw0, float[] db0) {
        long wsz = be.conv2dWorkspaceElements(xs, wsh, c.s);
        try (Tensor tx = be.allocate(xs, MemoryCategory.ACTIVATIONS); Tensor tw = be.allocate(wsh, MemoryCategory.WEIGHTS);
             Tensor tb = be.allocate(Shape.of(c.k), MemoryCategory.WEIGHTS);
             Tensor ty = be.allocate(ys, MemoryCategory.ACTIVATIONS); Tensor tdy = be.allocate(ys, MemoryCategory.ACTIVATIONS);
             Tensor tdx = be.allocate(xs, MemoryCategory.ACTIVATIONS);
             Tensor tdw = be.allocate(wsh, MemoryCategory.GRADIENTS); Tensor tdb = be.allocate(Shape.of(c.k), MemoryCategory.GRADIENTS);
             Tensor ws = be.allocate(Shape.of((int) Math.max(1, wsz)), MemoryCategory.WORKSPACE)) {
            be.upload(x, 0, tx);
            be.upload(w, 0, tw);
            be.upload(bias, 0, tb);
            be.upload(dy, 0, tdy);
            be.upload(dw0, 0, tdw);
            be.upload(db0, 0, tdb);
            be.conv2dForward(tx, tw, c.bias ? tb : null, ty, c.s, ws);
            be.conv2dBackwardData(tdy, tw, tdx, c.s, ws);
            be.conv2dBackwardFilter(tx, tdy, tdw, c.bias ? tdb : null, c.s, ws);
            return new float[][] {download(be, ty), download(be, tdx), download(be, tdw), download(be, tdb)};
        }
    }

    /** Batch norm: training forward (output, saved statistics, running statistics), inference, backward. */
    @Test
    void batchNormAgreesWithThePlainPath() {
        for (int[] dims : new int[][] {{4, 3, 5, 7}, {16, 10}, {2, 17, 3, 3}}) {
            float[][] a = batchNorm(backend(true), dims);
            float[][] b = batchNorm(backend(false), dims);
            String[] what = {"y", "saved mean", "saved inv std", "running mean", "running var", "inference y", "dx",
                "dGamma (accumulated)", "dBeta (accumulated)"};
            for (int i = 0; i < a.length; i++) {
                for (int j = 0; j < a[i].length; j++) {
                    assertEquals(b[i][j], a[i][j], 2e-4f * (1 + Math.abs(b[i][j])), java.util.Arrays.toString(dims)
                        + ": " + what[i] + " element " + j);
                }
            }
        }
    }

    private static float[][] batchNorm(CpuBackend be, int[] dims) {
        try (be) {
            Shape xs = Shape.of(dims);
            int c = dims[1];
            SplittableRandom r = new SplittableRandom(7);
            java.util.List<Tensor> ts = new java.util.ArrayList<>();
            java.util.function.Function<float[], Tensor> up = v -> {
                Tensor t = be.allocate(v.length == xs.size() ? xs : Shape.of(c), MemoryCategory.ACTIVATIONS);
                be.upload(v, 0, t);
                ts.add(t);
                return t;
            };
            float[] xv = random(r, xs.size());
            for (int i = 0; i < xv.length; i++) {
                xv[i] = 3 * xv[i] + 1.5f;
            }
            Tensor x = up.apply(xv);
            Tensor y = up.apply(new float[(int) xs.size()]);
            Tensor dy = up.apply(random(r, xs.size()));
            Tensor dx = up.apply(new float[(int) xs.size()]);
            io.jtrain.backend.BatchNormTensors bn = new io.jtrain.backend.BatchNormTensors(up.apply(random(r, c)),
                up.apply(random(r, c)), up.apply(random(r, c)), up.apply(random(r, c)), up.apply(random(r, c)),
                up.apply(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}.length >= c
                    ? java.util.Arrays.copyOf(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}, c)
                    : new float[c]), up.apply(new float[c]), up.apply(new float[c]));
            be.batchNormForwardTraining(x, y, bn, 0.1f, 1e-5f);
            float[] y1 = download(be, y);
            Tensor yi = up.apply(new float[(int) xs.size()]);
            be.batchNormForwardInference(x, yi, bn, 1e-5f);
            be.batchNormBackward(x, dy, dx, bn);
            float[][] out = {y1, download(be, bn.savedMean()), download(be, bn.savedInvStd()),
                download(be, bn.runningMean()), download(be, bn.runningVar()), download(be, yi), download(be, dx),
                download(be, bn.dGamma()), download(be, bn.dBeta())};
            ts.forEach(Tensor::close);
            return out;
        }
    }

    @Test
    void everyOpAgreesWithThePlainPath() {
        try (CpuBackend dnn = backend(true); CpuBackend plain = backend(false)) {
            for (BackendComparison.Result res : BackendComparison.run(plain, dnn)) {
                assertTrue(res.ok(), res.name() + ": " + res.mismatch());
            }
        }
    }

    private static float[] download(CpuBackend be, Tensor t) {
        float[] a = new float[(int) t.size()];
        be.download(t, a, 0);
        return a;
    }

    private static float[] random(SplittableRandom r, long n) {
        float[] a = new float[(int) n];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }
}
