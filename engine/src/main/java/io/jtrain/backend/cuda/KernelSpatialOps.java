package io.jtrain.backend.cuda;

import io.jtrain.backend.BatchNormTensors;
import io.jtrain.backend.ConvSpec;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;

/**
 * Convolution, pooling and batch norm of the CUDA backend on jtrain's own kernels plus cuBLAS — a
 * first-class GPU path, not a fallback (it serves every GPU without a usable cuDNN 8). A convolution is one
 * im2col over the whole batch and one strided-batched GEMM per direction (the backward filter: im2col into
 * one wide matrix, dy transposed to [K, N*OH*OW], one GEMM), so the number of launches does not grow with
 * the batch. Only when the column matrix of the whole batch would exceed the workspace cap ({@link
 * #workspaceCapBytes}: an eighth of the device pool, between 64 MiB and 1 GiB) is the batch taken in chunks;
 * at the cap of 1 GiB a chunk holds 256 or more samples of every preset. The system property
 * {@code jtrain.cuda.convWorkspaceCap} (bytes) sets another cap. Batch norm and bias gradients are
 * many-block reductions ({@link CudaReductions}).
 */
final class KernelSpatialOps implements SpatialOps {
    private static final long MIN_CAP = 64L << 20;
    private static final long MAX_CAP = 1L << 30;
    /** System property: the im2col workspace cap in bytes, instead of the default rule (to save memory). */
    static final String CAP_PROPERTY = "jtrain.cuda.convWorkspaceCap";
    private final CudaBackend be;
    private final CudaReductions red;
    private final long capOverride;

    KernelSpatialOps(CudaBackend be, CudaReductions red) {
        this.be = be;
        this.red = red;
        this.capOverride = Long.getLong(CAP_PROPERTY, 0L);
    }

    /** {c, h, w, kh, kw, sh, sw, ph, pw, oh, ow}: the ConvGeo struct of im2col.cu (x [N, C, H, W]). */
    private static int[] geo(Shape x, ConvSpec s) {
        int h = x.dim(2);
        int w = x.dim(3);
        return new int[] {x.dim(1), h, w, s.kh(), s.kw(), s.sh(), s.sw(), s.ph(), s.pw(), s.outH(h), s.outW(w)};
    }

    /** Bytes of im2col workspace one convolution may use. */
    long workspaceCapBytes() {
        return capOverride > 0 ? capOverride : Math.max(MIN_CAP, Math.min(MAX_CAP, be.pool().capacityBytes() / 8));
    }

    /** Workspace floats per sample: the column block (C·kh·kw × OH·OW) plus dy transposed (K × OH·OW). */
    private static long perSample(Shape x, Shape w, ConvSpec s) {
        long ohw = (long) s.outH(x.dim(2)) * s.outW(x.dim(3));
        return ((long) x.dim(1) * s.kh() * s.kw() + w.dim(0)) * ohw;
    }

    /** Samples per chunk: the whole batch when it fits under the cap. */
    int chunk(Shape x, Shape w, ConvSpec s) {
        long per = perSample(x, w, s);
        long fit = Math.max(1, workspaceCapBytes() / 4 / per);
        return (int) Math.min(x.dim(0), fit);
    }

    @Override
    public long workspaceElements(Shape x, Shape w, ConvSpec s) {
        return chunk(x, w, s) * perSample(x, w, s);
    }

    private long need(Tensor x, Tensor w, ConvSpec s, Tensor ws) {
        long n = workspaceElements(x.shape(), w.shape(), s);
        if (ws == null || ws.size() < n) {
            throw new IllegalArgumentException("convolution workspace of " + (ws == null ? 0 : ws.size())
                + " floats is smaller than the " + n + " this convolution needs (input " + x.shape() + ", filter "
                + w.shape() + ")");
        }
        return n;
    }

    private static long sampleFloats(Tensor t) {
        return t.size() / t.dim(0);
    }

    @Override
    public void convForward(Tensor x, Tensor w, Tensor b, Tensor y, ConvSpec s, Tensor ws) {
        need(x, w, s, ws);
        int[] g = geo(x.shape(), s);
        int k = w.dim(0);
        int ckk = g[0] * g[3] * g[4];
        int ohw = g[9] * g[10];
        int chunk = chunk(x.shape(), w.shape(), s);
        long col = ws.address();
        for (int n0 = 0; n0 < x.dim(0); n0 += chunk) {
            int nb = Math.min(chunk, x.dim(0) - n0);
            be.kernels().launch("im2colBatch", (long) nb * g[0] * ohw, g, nb, at(x, n0), new CudaApi.DevPtr(col),
                (long) ckk * ohw, (long) ohw);
            be.gemmBatched(w.address(), 0, false, col, (long) ckk * ohw, false, addr(y, n0), (long) k * ohw,
                new int[] {k, ohw, ckk}, 0f, nb);
        }
        if (b != null) {
            be.kernels().launch("addChannelBias", y.size(), y.size(), k, ohw, be.dp(b), be.dp(y));
        }
    }

    @Override
    public void convBackwardData(Tensor dy, Tensor w, Tensor dx, ConvSpec s, Tensor ws) {
        need(dx, w, s, ws);
        int[] g = geo(dx.shape(), s);
        int k = w.dim(0);
        int ckk = g[0] * g[3] * g[4];
        int ohw = g[9] * g[10];
        int chunk = chunk(dx.shape(), w.shape(), s);
        long col = ws.address();
        for (int n0 = 0; n0 < dx.dim(0); n0 += chunk) {
            int nb = Math.min(chunk, dx.dim(0) - n0);
            be.gemmBatched(w.address(), 0, true, addr(dy, n0), (long) k * ohw, false, col, (long) ckk * ohw,
                new int[] {ckk, ohw, k}, 0f, nb);
            be.kernels().launch("col2imBatch", (long) nb * g[0] * g[1] * g[2], g, nb, new CudaApi.DevPtr(col),
                (long) ckk * ohw, (long) ohw, at(dx, n0));
        }
    }

    @Override
    public void convBackwardFilter(Tensor x, Tensor dy, Tensor dw, Tensor db, ConvSpec s, Tensor ws) {
        need(x, dw, s, ws);
        int[] g = geo(x.shape(), s);
        int k = dw.dim(0);
        int ckk = g[0] * g[3] * g[4];
        int ohw = g[9] * g[10];
        int chunk = chunk(x.shape(), dw.shape(), s);
        long col = ws.address();
        long dyT = col + 4L * chunk * ckk * ohw;
        for (int n0 = 0; n0 < x.dim(0); n0 += chunk) {
            int nb = Math.min(chunk, x.dim(0) - n0);
            long wide = (long) nb * ohw;
            if (wide > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("convolution backward over " + wide + " output positions per chunk "
                    + "exceeds cuBLAS's 32-bit dimension; use a smaller batch");
            }
            be.kernels().launch("im2colBatch", (long) nb * g[0] * ohw, g, nb, at(x, n0), new CudaApi.DevPtr(col),
                (long) ohw, wide);
            be.kernels().launch("transposeNK", (long) nb * k * ohw, nb, k, ohw, at(dy, n0), new CudaApi.DevPtr(dyT));
            be.gemm(dyT, false, col, true, dw.address(), new int[] {k, ckk, (int) wide}, 1f);
        }
        if (db != null) {
            red.channelSum(dy.dim(0), k, ohw, dy, db);
        }
    }

    private static CudaApi.DevPtr at(Tensor t, int n0) {
        return new CudaApi.DevPtr(addr(t, n0));
    }

    private static long addr(Tensor t, int n0) {
        return t.address() + 4L * n0 * sampleFloats(t);
    }

    @Override
    public void maxPoolForward(Tensor x, Tensor y, ConvSpec s) {
        pool("maxPoolForward", x, null, y, s);
    }

    @Override
    public void maxPoolBackward(Tensor x, Tensor y, Tensor dy, Tensor dx, ConvSpec s) {
        pool("maxPoolBackward", x, dy, dx, s);
    }

    @Override
    public void avgPoolForward(Tensor x, Tensor y, ConvSpec s) {
        pool("avgPoolForward", x, null, y, s);
    }

    /** Pooling kernels take (planes, PoolGeo{h, w, kh, kw, sh, sw, ph, pw, oh, ow}, ...). */
    void pool(String kernel, Tensor x, Tensor dy, Tensor out, ConvSpec s) {
        Tensor shapeOf = kernel.endsWith("Forward") ? x : out;
        int h = shapeOf.dim(2);
        int w = shapeOf.dim(3);
        long planes = (long) shapeOf.dim(0) * shapeOf.dim(1);
        int[] g = {h, w, s.kh(), s.kw(), s.sh(), s.sw(), s.ph(), s.pw(), s.outH(h), s.outW(w)};
        switch (kernel) {
            case "maxPoolForward", "avgPoolForward" -> be.kernels().launch(kernel, out.size(), planes, g, be.dp(x),
                be.dp(out));
            case "maxPoolBackward" -> be.kernels().launch(kernel, out.size(), planes, g, be.dp(x), be.dp(dy),
                be.dp(out));
            default -> be.kernels().launch(kernel, out.size(), planes, g, be.dp(dy), be.dp(out));
        }
    }

    /** {N, C, S} of x viewed as [N, C, S]. */
    static int[] ncs(Tensor x) {
        int n = x.dim(0);
        int c = x.dim(1);
        return new int[] {n, c, (int) (x.size() / ((long) n * c))};
    }

    @Override
    public void batchNormTraining(Tensor x, Tensor y, BatchNormTensors bn, float momentum, float eps) {
        int[] d = ncs(x);
        CudaReductions.Partials p = red.channelPartials(d[0], d[1], d[2], CudaReductions.MOMENTS, x, null, null, 0f,
            0f);
        be.kernels().launchGrid("bnStatsFinalize", CudaReductions.finalizeGrid(d[1]), 1, d[1], p.chunks(),
            (long) d[0] * d[2], d[2], momentum, eps, be.dp(x), be.dp(p.tensor()), be.dp(bn.runningMean()),
            be.dp(bn.runningVar()), be.dp(bn.savedMean()), be.dp(bn.savedInvStd()));
        be.kernels().launch("batchNormApply", x.size(), x.size(), d[1], d[2], be.dp(x), be.dp(y), be.dp(bn.gamma()),
            be.dp(bn.beta()), be.dp(bn.savedMean()), be.dp(bn.savedInvStd()));
    }

    @Override
    public void batchNormInference(Tensor x, Tensor y, BatchNormTensors bn, float eps) {
        int[] d = ncs(x);
        be.kernels().launch("batchNormForwardInference", x.size(), x.size(), d[1], d[2], eps, be.dp(x), be.dp(y),
            be.dp(bn.gamma()), be.dp(bn.beta()), be.dp(bn.runningMean()), be.dp(bn.runningVar()));
    }

    @Override
    public void batchNormBackward(Tensor x, Tensor dy, Tensor dx, BatchNormTensors bn) {
        int[] d = ncs(x);
        CudaReductions.Partials p = red.channelPartials(d[0], d[1], d[2], CudaReductions.BN_BACKWARD, x, dy,
            bn.savedMean(), 0f, 0f);
        Tensor sums = be.scratch(CudaBackend.Slot.CHANNEL_SUMS, 2L * d[1]);
        be.kernels().launchGrid("bnBackwardFinalize", CudaReductions.finalizeGrid(d[1]), 1, d[1], p.chunks(),
            be.dp(p.tensor()), be.dp(bn.savedInvStd()), be.dp(bn.dGamma()), be.dp(bn.dBeta()), be.dp(sums));
        be.kernels().launch("batchNormBackwardDx", x.size(), x.size(), d[1], d[2], (long) d[0] * d[2], be.dp(x),
            be.dp(dy), be.dp(dx), be.dp(bn.gamma()), be.dp(bn.savedMean()), be.dp(bn.savedInvStd()), be.dp(sums));
    }
}
