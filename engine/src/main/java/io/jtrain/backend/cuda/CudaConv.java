package io.jtrain.backend.cuda;

import io.jtrain.backend.BatchNormTensors;
import io.jtrain.backend.ConvSpec;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import jcuda.Pointer;

/** Convolution (im2col + cuBLAS per sample), pooling and batch norm of the CUDA backend. */
final class CudaConv implements SpatialOps {
    private final CudaBackend be;

    CudaConv(CudaBackend be) {
        this.be = be;
    }

    /** {c, h, w, kh, kw, sh, sw, ph, pw, oh, ow}: the ConvGeo struct of im2col.cu. */
    private static int[] geo(Tensor x, ConvSpec s) {
        int h = x.dim(2);
        int w = x.dim(3);
        return new int[] {x.dim(1), h, w, s.kh(), s.kw(), s.sh(), s.sw(), s.ph(), s.pw(), s.outH(h), s.outW(w)};
    }

    private static long sampleBytes(Tensor t) {
        return 4L * t.size() / t.dim(0);
    }

    /** im2col needs one sample's column matrix: C·kh·kw × OH·OW floats. */
    @Override
    public long workspaceElements(Shape x, Shape w, ConvSpec s) {
        return (long) x.dim(1) * s.kh() * s.kw() * s.outH(x.dim(2)) * s.outW(x.dim(3));
    }

    @Override
    public void convForward(Tensor x, Tensor w, Tensor b, Tensor y, ConvSpec s, Tensor ws) {
        int[] g = geo(x, s);
        int k = w.dim(0);
        int ckk = g[0] * g[3] * g[4];
        int ohw = g[9] * g[10];
        Pointer col = be.ptr(ws);
        for (int n = 0; n < x.dim(0); n++) {
            be.kernels().launch("im2col", (long) ckk * ohw, g, be.ptr(x).withByteOffset(n * sampleBytes(x)), col, ohw, 0);
            be.gemm(be.ptr(w), false, col, false, be.ptr(y).withByteOffset(n * sampleBytes(y)), new int[] {k, ohw, ckk},
                0f);
        }
        if (b != null) {
            be.kernels().launch("addChannelBias", y.size(), y.size(), k, ohw, be.ptr(b), be.ptr(y));
        }
    }

    @Override
    public void convBackwardData(Tensor dy, Tensor w, Tensor dx, ConvSpec s, Tensor ws) {
        int[] g = geo(dx, s);
        int k = w.dim(0);
        int ckk = g[0] * g[3] * g[4];
        int ohw = g[9] * g[10];
        Pointer col = be.ptr(ws);
        for (int n = 0; n < dx.dim(0); n++) {
            be.gemm(be.ptr(w), true, be.ptr(dy).withByteOffset(n * sampleBytes(dy)), false, col,
                new int[] {ckk, ohw, k}, 0f);
            be.kernels().launch("col2im", (long) g[0] * g[1] * g[2], g, col, ohw, 0,
                be.ptr(dx).withByteOffset(n * sampleBytes(dx)));
        }
    }

    @Override
    public void convBackwardFilter(Tensor x, Tensor dy, Tensor dw, Tensor db, ConvSpec s, Tensor ws) {
        int[] g = geo(x, s);
        int k = dw.dim(0);
        int ckk = g[0] * g[3] * g[4];
        int ohw = g[9] * g[10];
        Pointer col = be.ptr(ws);
        for (int n = 0; n < x.dim(0); n++) {
            be.kernels().launch("im2col", (long) ckk * ohw, g, be.ptr(x).withByteOffset(n * sampleBytes(x)), col, ohw, 0);
            be.gemm(be.ptr(dy).withByteOffset(n * sampleBytes(dy)), false, col, true, be.ptr(dw),
                new int[] {k, ckk, ohw}, 1f);
        }
        if (db != null) {
            be.kernels().launch("channelBiasGrad", k, x.dim(0), k, ohw, be.ptr(dy), be.ptr(db));
        }
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
            case "maxPoolForward", "avgPoolForward" -> be.kernels().launch(kernel, out.size(), planes, g, be.ptr(x),
                be.ptr(out));
            case "maxPoolBackward" -> be.kernels().launch(kernel, out.size(), planes, g, be.ptr(x), be.ptr(dy),
                be.ptr(out));
            default -> be.kernels().launch(kernel, out.size(), planes, g, be.ptr(dy), be.ptr(out));
        }
    }

    private static int[] ncs(Tensor x) {
        int n = x.dim(0);
        int c = x.dim(1);
        return new int[] {n, c, (int) (x.size() / ((long) n * c))};
    }

    @Override
    public void batchNormTraining(Tensor x, Tensor y, BatchNormTensors bn, float momentum, float eps) {
        int[] d = ncs(x);
        be.kernels().launchGrid("batchNormForwardTraining", Math.min(d[1], 1024), d[0], d[1], d[2], momentum, eps,
            be.ptr(x), be.ptr(y), be.ptr(bn.gamma()), be.ptr(bn.beta()), be.ptr(bn.runningMean()),
            be.ptr(bn.runningVar()), be.ptr(bn.savedMean()), be.ptr(bn.savedInvStd()));
    }

    @Override
    public void batchNormInference(Tensor x, Tensor y, BatchNormTensors bn, float eps) {
        int[] d = ncs(x);
        be.kernels().launch("batchNormForwardInference", x.size(), x.size(), d[1], d[2], eps, be.ptr(x), be.ptr(y),
            be.ptr(bn.gamma()), be.ptr(bn.beta()), be.ptr(bn.runningMean()), be.ptr(bn.runningVar()));
    }

    @Override
    public void batchNormBackward(Tensor x, Tensor dy, Tensor dx, BatchNormTensors bn) {
        int[] d = ncs(x);
        be.kernels().launchGrid("batchNormBackward", Math.min(d[1], 1024), d[0], d[1], d[2], be.ptr(x), be.ptr(dy),
            be.ptr(dx), be.ptr(bn.gamma()), be.ptr(bn.savedMean()), be.ptr(bn.savedInvStd()), be.ptr(bn.dGamma()),
            be.ptr(bn.dBeta()));
    }
}
