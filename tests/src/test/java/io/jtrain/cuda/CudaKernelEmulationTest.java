package io.jtrain.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jtrain.backend.Activation;
import io.jtrain.backend.ConvSpec;
import io.jtrain.backend.OptimizerParams;
import io.jtrain.backend.cpu.CpuBackend;
import io.jtrain.e2e.TestPaths;
import io.jtrain.tensor.CpuMemoryPool;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our CUDA kernels, executed on the CPU under the emulation of the CUDA execution model, against the CPU
 * backend on random inputs — sizes that are not multiples of the block size, and grids smaller than the
 * work so the grid-stride loops wrap. Tolerance atol + |ref|·rtol, reporting index and values.
 */
class CudaKernelEmulationTest {
    static KernelEmulator emu;
    static CpuBackend be;
    static final int N = 1003;
    static final int GRID = 3;
    static final int BLOCK = 64;

    @BeforeAll
    static void build() throws Exception {
        emu = KernelEmulator.build(TestPaths.root());
        be = CpuBackend.create(new CpuMemoryPool(64L << 20), 1);
    }

    @AfterAll
    static void close() {
        be.close();
    }

    static float[] rnd(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 4 - 2);
        }
        return a;
    }

    Tensor t(float[] v, int... dims) {
        Tensor x = be.allocate(Shape.of(dims), MemoryCategory.ACTIVATIONS);
        be.upload(v, 0, x);
        return x;
    }

    float[] get(Tensor x) {
        float[] a = new float[(int) x.size()];
        be.download(x, a, 0);
        return a;
    }

    static void same(String what, float[] cpu, float[] gpu) {
        assertClose(what, cpu, gpu, 1e-6, 1e-5);
    }

    /** |gpu - cpu| <= atol + rtol |cpu| everywhere; the message names the first bad index and the largest difference. */
    static void assertClose(String what, float[] cpu, float[] gpu, double atol, double rtol) {
        org.junit.jupiter.api.Assertions.assertEquals(cpu.length, gpu.length, what + ": length");
        int bad = -1;
        double worst = 0;
        for (int i = 0; i < cpu.length; i++) {
            double d = Math.abs(gpu[i] - (double) cpu[i]);
            worst = Math.max(worst, d);
            if (!(d <= atol + rtol * Math.abs(cpu[i])) && bad < 0) {
                bad = i;
            }
        }
        if (bad >= 0) {
            org.junit.jupiter.api.Assertions.fail(what + ": index " + bad + " is " + gpu[bad] + " on the emulated GPU, "
                + cpu[bad] + " on the CPU (largest difference " + worst + ")");
        }
    }

    @Test
    void elementwise() throws Exception {
        assumeTrue(emu != null, "g++ not available: kernel emulation skipped");
        float[] x = rnd(N, 1);
        float[] y = rnd(N, 2);
        try (Tensor tx = t(x, N); Tensor ty = t(y, N); Tensor out = t(new float[N], N)) {
            be.axpy(0.7f, tx, ty);
            same("axpy", get(ty), emu.run("axpy", GRID, BLOCK, new double[] {N, 0.7}, x, y.clone())[1]);
            be.multiply(tx, ty, out);
            same("multiply", get(out), emu.run("multiply", GRID, BLOCK, new double[] {N}, x, get(ty),
                new float[N])[2]);
            be.clamp(tx, -0.5f, 0.25f);
            same("clamp", get(tx), emu.run("clamp", GRID, BLOCK, new double[] {N, -0.5, 0.25}, x.clone())[0]);
            same("fill", new float[] {2.5f, 2.5f}, emu.run("fill", 1, 32, new double[] {2, 2.5}, new float[2])[0]);
        }
        try (Tensor ty = t(y, N)) {
            be.scale(ty, 3f);
            same("scale", get(ty), emu.run("scale", GRID, BLOCK, new double[] {N, 3}, y.clone())[0]);
        }
        int rows = 17;
        int f = 59;
        float[] b = rnd(f, 3);
        float[] m = rnd(rows * f, 4);
        try (Tensor tb = t(b, f); Tensor tm = t(m, rows, f); Tensor db = t(new float[f], f)) {
            be.addRowBias(tm, tb);
            same("addRowBias", get(tm), emu.run("addRowBias", GRID, BLOCK, new double[] {rows, f}, b, m.clone())[1]);
            be.rowBiasGrad(tm, db);
            same("rowBiasGrad", get(db), emu.run("rowBiasGrad", GRID, BLOCK, new double[] {rows, f}, get(tm),
                new float[f])[1]);
        }
    }

    @Test
    void convolutionBias() throws Exception {
        assumeTrue(emu != null, "g++ not available: kernel emulation skipped");
        int n = 3;
        int k = 5;
        int hw = 71;
        float[] b = rnd(k, 30);
        float[] y = rnd(n * k * hw, 31);
        try (Tensor tb = t(b, k); Tensor ty = t(y, n, k, 1, hw); Tensor db = t(new float[k], k)) {
            Tensor w = t(new float[k], k, 1, 1, 1);
            Tensor x = t(new float[n * hw], n, 1, 1, hw);
            Tensor ws = be.allocate(Shape.of((int) be.conv2dWorkspaceElements(x.shape(), w.shape(), ConvSpec.square(1, 1, 0))),
                MemoryCategory.WORKSPACE);
            be.conv2dForward(x, w, tb, ty, ConvSpec.square(1, 1, 0), ws);
            float[] expect = get(ty);
            same("addChannelBias", expect, emu.run("addChannelBias", GRID, BLOCK, new double[] {n * k * hw, k, hw}, b,
                new float[n * k * hw])[1]);
            be.conv2dBackwardFilter(x, ty, t(new float[k], k, 1, 1, 1), db, ConvSpec.square(1, 1, 0), ws);
            same("channelBiasGrad", get(db), emu.run("channelBiasGrad", GRID, BLOCK, new double[] {n, k, hw}, expect,
                new float[k])[1]);
            w.close();
            x.close();
            ws.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"RELU", "LEAKY_RELU", "ELU", "TANH", "SIGMOID", "LINEAR"})
    void activations(String kind) throws Exception {
        assumeTrue(emu != null, "g++ not available: kernel emulation skipped");
        Activation a = Activation.of(Activation.Kind.valueOf(kind));
        float[] x = rnd(N, 5);
        float[] dy = rnd(N, 6);
        try (Tensor tx = t(x, N); Tensor ty = t(new float[N], N); Tensor tdy = t(dy, N); Tensor tdx = t(new float[N], N)) {
            be.activationForward(a, tx, ty);
            float[] gy = emu.run("actFwd", GRID, BLOCK, new double[] {N, a.kind().ordinal(), a.alpha()}, x,
                new float[N])[1];
            same(kind + " forward", get(ty), gy);
            be.activationBackward(a, tx, ty, tdy, tdx);
            same(kind + " backward", get(tdx), emu.run("actBwd", GRID, BLOCK, new double[] {N, a.kind().ordinal(),
                a.alpha()}, x, get(ty), dy, new float[N])[3]);
        }
    }

    @Test
    void dropoutDrawsTheSameMasks() throws Exception {
        assumeTrue(emu != null, "g++ not available: kernel emulation skipped");
        float[] x = rnd(N, 7);
        long seed = 0x9E3779B97F4A7C15L ^ 12345;
        try (Tensor tx = t(x, N); Tensor mask = t(new float[N], N); Tensor y = t(new float[N], N)) {
            be.dropoutForward(tx, mask, y, 0.3f, seed);
            float[][] g = emu.run("dropout", GRID, BLOCK, new double[] {N, 0.3, seed >>> 32, seed & 0xffffffffL}, x,
                new float[N], new float[N]);
            same("dropout mask", get(mask), g[1]);
            same("dropout output", get(y), g[2]);
        }
    }

    @Test
    void optimizers() throws Exception {
        assumeTrue(emu != null, "g++ not available: kernel emulation skipped");
        float[] w = rnd(N, 8);
        float[] g = rnd(N, 9);
        float[] v = rnd(N, 10);
        float[] sq = new float[N];
        for (int i = 0; i < N; i++) {
            sq[i] = Math.abs(v[i]);
        }
        try (Tensor tw = t(w, N); Tensor tg = t(g, N); Tensor tv = t(v, N)) {
            be.sgdStep(tw, tg, tv, new OptimizerParams(0.1f, 0.9f, 0, 1e-8f, 0.01f, false, true, 3));
            float[][] r = emu.run("sgd", GRID, BLOCK, new double[] {N, 0.1, 0.9, 0.01, 1, 0}, w.clone(), g, v.clone());
            same("sgd nesterov w", get(tw), r[0]);
            same("sgd nesterov v", get(tv), r[2]);
        }
        try (Tensor tw = t(w, N); Tensor tg = t(g, N); Tensor tm = t(v, N); Tensor tv = t(sq, N)) {
            long step = 4;
            float lr = 0.01f;
            be.adamStep(tw, tg, tm, tv, new OptimizerParams(lr, 0.9f, 0.999f, 1e-8f, 0.1f, true, false, step));
            float stepSize = (float) (lr / (1 - Math.pow(0.9f, step)));
            float bc2 = (float) Math.sqrt(1 - Math.pow(0.999f, step));
            float[][] r = emu.run("adam", GRID, BLOCK, new double[] {N, 0.9f, 0.999f, 1e-8f, stepSize, bc2,
                1f - lr * 0.1f, 0}, w.clone(), g, v.clone(), sq.clone());
            same("adamw w", get(tw), r[0]);
            same("adamw m", get(tm), r[2]);
            same("adamw v", get(tv), r[3]);
        }
        try (Tensor tw = t(w, N); Tensor tg = t(g, N); Tensor ts = t(sq, N)) {
            be.rmspropStep(tw, tg, ts, new OptimizerParams(0.01f, 0, 0.99f, 1e-8f, 0, false, false, 1));
            float[][] r = emu.run("rmsprop", GRID, BLOCK, new double[] {N, 0.01, 0.99f, 1e-8f, 0}, w.clone(), g,
                sq.clone());
            same("rmsprop w", get(tw), r[0]);
            same("rmsprop sq", get(ts), r[2]);
        }
    }

    /** im2col then a naive GEMM equals the CPU convolution; col2im of a column block equals its backward. */
    @Test
    void im2colAndCol2im() throws Exception {
        assumeTrue(emu != null, "g++ not available: kernel emulation skipped");
        int c = 2;
        int h = 7;
        int w = 6;
        int k = 3;
        ConvSpec s = new ConvSpec(3, 2, 2, 1, 1, 1);
        int oh = s.outH(h);
        int ow = s.outW(w);
        int ckk = c * 3 * 2;
        float[] x = rnd(c * h * w, 11);
        float[] wt = rnd(k * ckk, 12);
        double[] geo = {c, h, w, 3, 2, 2, 1, 1, 1, oh, ow, oh * ow, 0};
        float[] col = emu.run("im2col", GRID, BLOCK, geo, x, new float[ckk * oh * ow])[1];
        float[] y = new float[k * oh * ow];
        for (int kk = 0; kk < k; kk++) {
            for (int j = 0; j < oh * ow; j++) {
                double sum = 0;
                for (int r = 0; r < ckk; r++) {
                    sum += wt[kk * ckk + r] * col[r * oh * ow + j];
                }
                y[kk * oh * ow + j] = (float) sum;
            }
        }
        try (Tensor tx = t(x, 1, c, h, w); Tensor tw = t(wt, k, c, 3, 2); Tensor ty = t(new float[k * oh * ow], 1, k, oh, ow);
             Tensor ws = be.allocate(Shape.of((int) be.conv2dWorkspaceElements(tx.shape(), tw.shape(), s)),
                 MemoryCategory.WORKSPACE); Tensor tdx = t(new float[x.length], 1, c, h, w)) {
            be.conv2dForward(tx, tw, null, ty, s, ws);
            same("im2col + GEMM = convolution", get(ty), y);
            float[] dy = rnd(k * oh * ow, 13);
            float[] dcol = new float[ckk * oh * ow];
            for (int r = 0; r < ckk; r++) {
                for (int j = 0; j < oh * ow; j++) {
                    double sum = 0;
                    for (int kk = 0; kk < k; kk++) {
                        sum += wt[kk * ckk + r] * dy[kk * oh * ow + j];
                    }
                    dcol[r * oh * ow + j] = (float) sum;
                }
            }
            try (Tensor tdy = t(dy, 1, k, oh, ow)) {
                be.conv2dBackwardData(tdy, tw, tdx, s, ws);
            }
            same("GEMM + col2im = convolution backward", get(tdx), emu.run("col2im", GRID, BLOCK, geo, dcol,
                new float[x.length])[1]);
        }
    }

    @Test
    void pooling() throws Exception {
        assumeTrue(emu != null, "g++ not available: kernel emulation skipped");
        int planes = 5;
        int h = 7;
        int w = 9;
        ConvSpec s = new ConvSpec(3, 2, 2, 2, 1, 1);
        int oh = s.outH(h);
        int ow = s.outW(w);
        float[] x = rnd(planes * h * w, 14);
        float[] dy = rnd(planes * oh * ow, 15);
        double[] geo = {planes, h, w, 3, 2, 2, 2, 1, 1, oh, ow};
        try (Tensor tx = t(x, 1, planes, h, w); Tensor ty = t(new float[planes * oh * ow], 1, planes, oh, ow);
             Tensor tdy = t(dy, 1, planes, oh, ow); Tensor tdx = t(new float[x.length], 1, planes, h, w)) {
            be.maxPoolForward(tx, ty, s);
            same("max-pool forward", get(ty), emu.run("maxFwd", GRID, BLOCK, geo, x, new float[dy.length])[1]);
            be.maxPoolBackward(tx, ty, tdy, tdx, s);
            same("max-pool backward", get(tdx), emu.run("maxBwd", GRID, BLOCK, geo, x, dy, new float[x.length])[2]);
            be.avgPoolForward(tx, ty, s);
            same("avg-pool forward", get(ty), emu.run("avgFwd", GRID, BLOCK, geo, x, new float[dy.length])[1]);
            be.avgPoolBackward(tdy, tdx, s);
            same("avg-pool backward", get(tdx), emu.run("avgBwd", GRID, BLOCK, geo, dy, new float[x.length])[1]);
        }
    }

    @Test
    void sumOfSquaresWithSharedMemoryAndBarriers() throws Exception {
        assumeTrue(emu != null, "g++ not available: kernel emulation skipped");
        float[] x = rnd(N, 16);
        try (Tensor tx = t(x, N)) {
            double cpu = be.sumSquares(tx);
            float[] r = emu.run("sumsq", 4, 256, new double[] {N}, x, new float[1])[1];
            assertClose("sum of squares", new float[] {(float) cpu}, r, 1e-4, 1e-6);
        }
    }

    @Test
    void batchNormTrainingInferenceAndBackward() throws Exception {
        assumeTrue(emu != null, "g++ not available: kernel emulation skipped");
        int n = 5;
        int c = 3;
        int hw = 67;
        int total = n * c * hw;
        float[] x = rnd(total, 17);
        float[] gamma = rnd(c, 18);
        float[] beta = rnd(c, 19);
        float[] rm = rnd(c, 20);
        float[] rv = {0.5f, 1.5f, 2f};
        float[] dy = rnd(total, 21);
        try (Tensor tx = t(x, n, c, 1, hw); Tensor ty = t(new float[total], n, c, 1, hw); Tensor tg = t(gamma, c);
             Tensor tb = t(beta, c); Tensor tdg = t(new float[c], c); Tensor tdb = t(new float[c], c);
             Tensor trm = t(rm, c); Tensor trv = t(rv, c); Tensor tsm = t(new float[c], c); Tensor tsi = t(new float[c], c);
             Tensor tdy = t(dy, n, c, 1, hw); Tensor tdx = t(new float[total], n, c, 1, hw)) {
            io.jtrain.backend.BatchNormTensors bn = new io.jtrain.backend.BatchNormTensors(tg, tb, tdg, tdb, trm, trv,
                tsm, tsi);
            be.batchNormForwardTraining(tx, ty, bn, 0.1f, 1e-5f);
            float[][] g = emu.run("bnTrain", 2, 64, new double[] {n, c, hw, 0.1f, 1e-5f}, x, new float[total], gamma,
                beta, rm.clone(), rv.clone(), new float[c], new float[c]);
            same("bn training y", get(ty), g[1]);
            same("bn running mean", get(trm), g[4]);
            same("bn running var", get(trv), g[5]);
            same("bn saved mean", get(tsm), g[6]);
            same("bn saved 1/std", get(tsi), g[7]);
            be.batchNormBackward(tx, tdy, tdx, bn);
            float[][] b = emu.run("bnBackward", 2, 64, new double[] {n, c, hw}, x, dy, new float[total], gamma, g[6],
                g[7], new float[c], new float[c]);
            assertClose("bn dx", get(tdx), b[2], 1e-5, 1e-4);
            assertClose("bn dgamma", get(tdg), b[6], 1e-5, 1e-4);
            assertClose("bn dbeta", get(tdb), b[7], 1e-5, 1e-4);
            be.batchNormForwardInference(tx, ty, bn, 1e-5f);
            same("bn inference", get(ty), emu.run("bnInfer", GRID, BLOCK, new double[] {n, c, hw, 0, 1e-5f}, x,
                new float[total], gamma, beta, get(trm), get(trv))[1]);
        }
    }

    @Test
    void lossesAndSoftmax() throws Exception {
        assumeTrue(emu != null, "g++ not available: kernel emulation skipped");
        int rows = 77;
        int cols = 10;
        float[] z = rnd(rows * cols, 22);
        float[] labels = new float[rows];
        for (int i = 0; i < rows; i++) {
            labels[i] = (i * 7) % cols;
        }
        try (Tensor tz = t(z, rows, cols); Tensor tl = t(labels, rows); Tensor dz = t(new float[rows * cols], rows, cols);
             Tensor sm = t(new float[rows * cols], rows, cols)) {
            float loss = be.softmaxCrossEntropy(tz, tl, dz, 0.5f);
            float[][] g = emu.run("sce", GRID, BLOCK, new double[] {rows, cols, 0.5}, z, labels,
                new float[rows * cols], new float[rows]);
            same("cross-entropy gradient", get(dz), g[2]);
            double sum = 0;
            for (float v : g[3]) {
                sum += v;
            }
            assertClose("cross-entropy loss", new float[] {loss}, new float[] {(float) (sum / rows)}, 1e-6, 1e-5);
            be.softmaxRows(tz, sm);
            same("softmax", get(sm), emu.run("softmax", GRID, BLOCK, new double[] {rows, cols}, z,
                new float[rows * cols])[1]);
        }
        int n = rows * cols;
        float[] t01 = new float[n];
        for (int i = 0; i < n; i++) {
            t01[i] = i % 3 == 0 ? 1 : 0;
        }
        try (Tensor tz = t(z, rows, cols); Tensor tt = t(t01, rows, cols); Tensor dz = t(new float[n], rows, cols)) {
            float bce = be.binaryCrossEntropyWithLogits(tz, tt, dz, 1f);
            float[][] g = emu.run("bce", GRID, BLOCK, new double[] {n, 1}, z, t01, new float[n], new float[n]);
            same("bce gradient", get(dz), g[2]);
            assertClose("bce loss", new float[] {bce}, new float[] {mean(g[3])}, 1e-6, 1e-5);
            float mse = be.meanSquaredError(tz, tt, dz, 1f);
            g = emu.run("mse", GRID, BLOCK, new double[] {n, 1}, z, t01, new float[n], new float[n]);
            same("mse gradient", get(dz), g[2]);
            assertClose("mse loss", new float[] {mse}, new float[] {mean(g[3])}, 1e-6, 1e-5);
        }
    }

    static float mean(float[] a) {
        double s = 0;
        for (float v : a) {
            s += v;
        }
        return (float) (s / a.length);
    }
}
