package io.jtrain.backend.cuda;

import io.jtrain.backend.BatchNormTensors;
import io.jtrain.backend.ConvSpec;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The cuDNN paths of the CUDA backend (GPU.md §2), through {@link CudnnApi}: convolution forward,
 * backward-data, backward-filter and bias; max pooling (deterministic mode) forward and backward; average
 * pooling forward; batch norm (spatial: per channel over N·H·W, also for [N,F] as N×F×1×1). Activations and
 * the softmax stay on jtrain's kernels, so NaN semantics are the CPU backend's. Descriptors are cached per
 * shape and algorithms per (input shape, filter shape, geometry). Convolution workspaces are the layer's
 * workspace tensor, sized by {@link #workspaceElements}. Only the backend's GPU thread calls this.
 */
final class CudnnSpatialOps implements SpatialOps {
    /** Upper bound on one convolution's workspace when the layer asks for its size. */
    private static final long DEFAULT_LIMIT = 256L << 20;
    private final CudaBackend be;
    private final CudnnApi api;
    private final CudaMemoryPool pool;
    private final boolean deterministic;
    private final long handle;
    private final Map<String, Long> descriptors = new HashMap<>();
    private final Map<String, ConvAlgorithms.Choice> algorithms = new HashMap<>();
    private final Map<Long, Double> bnEps = new HashMap<>();

    /** Creates the cuDNN handle on {@code stream}; throws (and releases what it made) when cuDNN cannot start. */
    CudnnSpatialOps(CudaBackend be, CudnnApi api, CudaMemoryPool pool, long stream, boolean deterministic) {
        this.be = be;
        this.api = api;
        this.pool = pool;
        this.deterministic = deterministic;
        long[] h = {0};
        check(api.create(h), "cudnnCreate");
        this.handle = h[0];
        try {
            check(api.setStream(handle, stream), "cudnnSetStream");
        } catch (RuntimeException e) {
            api.destroy(handle);
            throw e;
        }
    }

    private void check(int rc, String call) {
        Cuda.cudnn(api, rc, call, pool);
        be.kernels().afterCall(call);
    }

    // ---- descriptors

    private long descriptor(String key, java.util.function.Function<long[], Integer> make, String call) {
        Long d = descriptors.get(key);
        if (d == null) {
            long[] out = {0};
            int rc = make.apply(out);
            if (out[0] != 0) {
                descriptors.put(key, out[0]);
            }
            check(rc, call + "(" + key + ")");
            d = out[0];
        }
        return d;
    }

    /** NCHW descriptor: rank 4 as is, [N,F] as N×F×1×1, anything else as 1×1×1×size. */
    private long desc(Shape s) {
        int[] d = nchw(s);
        return tensor(d[0], d[1], d[2], d[3]);
    }

    static int[] nchw(Shape s) {
        if (s.rank() == 4) {
            return new int[] {s.dim(0), s.dim(1), s.dim(2), s.dim(3)};
        }
        if (s.rank() == 2) {
            return new int[] {s.dim(0), s.dim(1), 1, 1};
        }
        return new int[] {1, 1, 1, Math.toIntExact(s.size())};
    }

    private long tensor(int n, int c, int h, int w) {
        return descriptor("t" + n + "," + c + "," + h + "," + w, o -> api.tensor4d(o, n, c, h, w),
            "cudnnSetTensor4dDescriptor");
    }

    private long filter(Shape w) {
        return descriptor("f" + w, o -> api.filter4d(o, w.dim(0), w.dim(1), w.dim(2), w.dim(3)),
            "cudnnSetFilter4dDescriptor");
    }

    private long conv(ConvSpec s) {
        return descriptor("c" + s, o -> api.convolution2d(o, s.ph(), s.pw(), s.sh(), s.sw()),
            "cudnnSetConvolution2dDescriptor");
    }

    private long pooling(CudnnApi.PoolMode mode, ConvSpec s) {
        return descriptor("p" + mode + s, o -> api.pooling2d(o, mode, s.kh(), s.kw(), s.ph(), s.pw(), s.sh(), s.sw()),
            "cudnnSetPooling2dDescriptor");
    }

    // ---- convolution

    @Override
    public long workspaceElements(Shape x, Shape w, ConvSpec s) {
        return Math.max(1, (algorithms(x, w, s, DEFAULT_LIMIT).workspaceBytes() + 3) / 4);
    }

    private ConvAlgorithms.Choice algorithms(Shape x, Shape w, ConvSpec s, long limit) {
        String key = x + "|" + w + "|" + s;
        ConvAlgorithms.Choice c = algorithms.get(key);
        if (c == null) {
            c = chooseAlgorithms(x, w, s, limit);
            algorithms.put(key, c);
        }
        return c;
    }

    private ConvAlgorithms.Choice chooseAlgorithms(Shape x, Shape w, ConvSpec s, long limit) {
        long xd = desc(x);
        long yd = desc(outShape(x, w, s));
        long wd = filter(w);
        long cd = conv(s);
        List<ConvAlgorithms.Candidate> f = new ArrayList<>();
        check(api.forwardAlgorithms(handle, xd, wd, cd, yd, f), "cudnnGetConvolutionForwardAlgorithm_v7");
        List<ConvAlgorithms.Candidate> d = new ArrayList<>();
        check(api.backwardDataAlgorithms(handle, wd, yd, cd, xd, d), "cudnnGetConvolutionBackwardDataAlgorithm_v7");
        List<ConvAlgorithms.Candidate> g = new ArrayList<>();
        check(api.backwardFilterAlgorithms(handle, xd, yd, cd, wd, g), "cudnnGetConvolutionBackwardFilterAlgorithm_v7");
        ConvAlgorithms.Candidate cf = pick(f, limit, "forward", x, w, s);
        ConvAlgorithms.Candidate cdd = pick(d, limit, "backward data", x, w, s);
        ConvAlgorithms.Candidate cff = pick(g, limit, "backward filter", x, w, s);
        long[] bytes = {0};
        check(api.forwardWorkspace(handle, xd, wd, cd, yd, cf.algo(), bytes), "cudnnGetConvolutionForwardWorkspaceSize");
        long ws = bytes[0];
        check(api.backwardDataWorkspace(handle, wd, yd, cd, xd, cdd.algo(), bytes),
            "cudnnGetConvolutionBackwardDataWorkspaceSize");
        ws = Math.max(ws, bytes[0]);
        check(api.backwardFilterWorkspace(handle, xd, yd, cd, wd, cff.algo(), bytes),
            "cudnnGetConvolutionBackwardFilterWorkspaceSize");
        ws = Math.max(ws, bytes[0]);
        return new ConvAlgorithms.Choice(cf.algo(), cdd.algo(), cff.algo(), ws);
    }

    private ConvAlgorithms.Candidate pick(List<ConvAlgorithms.Candidate> ranked, long limit, String what, Shape x,
                                          Shape w, ConvSpec s) {
        ConvAlgorithms.Candidate c = ConvAlgorithms.choose(ranked, limit, deterministic);
        if (c == null) {
            throw new IllegalStateException("cuDNN offers no " + (deterministic ? "deterministic " : "")
                + "FMA-math algorithm for the convolution " + what + " of input " + x + ", filter " + w + ", " + s
                + " within a workspace of " + limit + " bytes; run with --cudnn off");
        }
        return c;
    }

    private static Shape outShape(Shape x, Shape w, ConvSpec s) {
        return Shape.of(x.dim(0), w.dim(0), s.outH(x.dim(2)), s.outW(x.dim(3)));
    }

    private ConvAlgorithms.Choice forCall(Tensor x, Shape w, ConvSpec s, Tensor ws) {
        long have = ws == null ? 0 : 4L * ws.size();
        ConvAlgorithms.Choice c = algorithms(x.shape(), w, s, DEFAULT_LIMIT);
        if (c.workspaceBytes() > have) {
            throw new IllegalArgumentException("cuDNN convolution workspace of " + have + " bytes is smaller than the "
                + c.workspaceBytes() + " bytes its algorithms need");
        }
        return c;
    }

    @Override
    public void convForward(Tensor x, Tensor w, Tensor b, Tensor y, ConvSpec s, Tensor ws) {
        ConvAlgorithms.Choice c = forCall(x, w.shape(), s, ws);
        check(api.convolutionForward(handle, desc(x.shape()), be.addr(x), filter(w.shape()), be.addr(w), conv(s),
            c.forward(), ws.address(), 4L * ws.size(), desc(y.shape()), be.addr(y)),
            "cudnnConvolutionForward(algo " + c.forward() + ")");
        if (b != null) {
            check(api.addTensor(handle, tensor(1, (int) b.size(), 1, 1), be.addr(b), desc(y.shape()), be.addr(y)),
                "cudnnAddTensor(bias)");
        }
    }

    @Override
    public void convBackwardData(Tensor dy, Tensor w, Tensor dx, ConvSpec s, Tensor ws) {
        ConvAlgorithms.Choice c = forCall(dx, w.shape(), s, ws);
        check(api.convolutionBackwardData(handle, filter(w.shape()), be.addr(w), desc(dy.shape()), be.addr(dy),
            conv(s), c.backwardData(), ws.address(), 4L * ws.size(), desc(dx.shape()), be.addr(dx)),
            "cudnnConvolutionBackwardData(algo " + c.backwardData() + ")");
    }

    /** dw += ∂L/∂w, db += ∂L/∂b (beta 1: parameter gradients accumulate, as on the CPU). */
    @Override
    public void convBackwardFilter(Tensor x, Tensor dy, Tensor dw, Tensor db, ConvSpec s, Tensor ws) {
        ConvAlgorithms.Choice c = forCall(x, dw.shape(), s, ws);
        check(api.convolutionBackwardFilter(handle, desc(x.shape()), be.addr(x), desc(dy.shape()), be.addr(dy),
            conv(s), c.backwardFilter(), ws.address(), 4L * ws.size(), filter(dw.shape()), be.addr(dw)),
            "cudnnConvolutionBackwardFilter(algo " + c.backwardFilter() + ")");
        if (db != null) {
            check(api.convolutionBackwardBias(handle, desc(dy.shape()), be.addr(dy), tensor(1, (int) db.size(), 1, 1),
                be.addr(db)), "cudnnConvolutionBackwardBias");
        }
    }

    // ---- pooling

    @Override
    public void maxPoolForward(Tensor x, Tensor y, ConvSpec s) {
        check(api.poolingForward(handle, pooling(CudnnApi.PoolMode.MAX_DETERMINISTIC, s), desc(x.shape()), be.addr(x),
            desc(y.shape()), be.addr(y)), "cudnnPoolingForward(max)");
    }

    @Override
    public void maxPoolBackward(Tensor x, Tensor y, Tensor dy, Tensor dx, ConvSpec s) {
        check(api.poolingBackward(handle, pooling(CudnnApi.PoolMode.MAX_DETERMINISTIC, s), desc(y.shape()),
            be.addr(y), desc(dy.shape()), be.addr(dy), desc(x.shape()), be.addr(x), desc(dx.shape()), be.addr(dx)),
            "cudnnPoolingBackward(max)");
    }

    /** Average over the whole window, padding included (the CPU backend's definition). */
    @Override
    public void avgPoolForward(Tensor x, Tensor y, ConvSpec s) {
        check(api.poolingForward(handle, pooling(CudnnApi.PoolMode.AVERAGE_INCLUDE_PADDING, s), desc(x.shape()),
            be.addr(x), desc(y.shape()), be.addr(y)), "cudnnPoolingForward(average)");
    }

    // ---- batch norm

    /** x as N×C×S×1 (S = H·W, or 1 for [N, F]). */
    private long bnInput(Tensor x) {
        int n = x.dim(0);
        int c = x.dim(1);
        return tensor(n, c, (int) (x.size() / ((long) n * c)), 1);
    }

    private long bnParam(Tensor x, long xd) {
        return descriptor("bn" + x.dim(1), o -> api.deriveBatchNorm(o, xd), "cudnnDeriveBNTensorDescriptor");
    }

    private void checkEps(float eps) {
        if ((double) eps < api.minBatchNormEpsilon() * (1 - 1e-6)) {
            throw new IllegalArgumentException("batch norm epsilon " + eps + " is below cuDNN's minimum "
                + api.minBatchNormEpsilon() + "; raise it or run with --cudnn off");
        }
    }

    /** Running statistics: run = (1 − momentum)·run + momentum·batch (unbiased variance), as on the CPU. */
    @Override
    public void batchNormTraining(Tensor x, Tensor y, BatchNormTensors bn, float momentum, float eps) {
        checkEps(eps);
        long xd = bnInput(x);
        check(api.batchNormForwardTraining(handle, xd, be.addr(x), be.addr(y), bnParam(x, xd), be.addr(bn.gamma()),
            be.addr(bn.beta()), momentum, be.addr(bn.runningMean()), be.addr(bn.runningVar()), eps,
            be.addr(bn.savedMean()), be.addr(bn.savedInvStd())), "cudnnBatchNormalizationForwardTraining");
        bnEps.put(bn.savedMean().address(), (double) eps);
    }

    @Override
    public void batchNormInference(Tensor x, Tensor y, BatchNormTensors bn, float eps) {
        checkEps(eps);
        long xd = bnInput(x);
        check(api.batchNormForwardInference(handle, xd, be.addr(x), be.addr(y), bnParam(x, xd), be.addr(bn.gamma()),
            be.addr(bn.beta()), be.addr(bn.runningMean()), be.addr(bn.runningVar()), eps),
            "cudnnBatchNormalizationForwardInference");
    }

    /** dx overwritten; dGamma and dBeta accumulate (beta 1 for the parameter gradients). */
    @Override
    public void batchNormBackward(Tensor x, Tensor dy, Tensor dx, BatchNormTensors bn) {
        Double eps = bnEps.get(bn.savedMean().address());
        if (eps == null) {
            throw new IllegalStateException("batch norm backward without a training forward pass on this backend");
        }
        long xd = bnInput(x);
        check(api.batchNormBackward(handle, xd, be.addr(x), be.addr(dy), be.addr(dx), bnParam(x, xd),
            be.addr(bn.gamma()), be.addr(bn.dGamma()), be.addr(bn.dBeta()), eps, be.addr(bn.savedMean()),
            be.addr(bn.savedInvStd())), "cudnnBatchNormalizationBackward");
    }

    /** Destroys the descriptors and the handle; best effort (the context may be unusable). */
    void close() {
        for (long d : descriptors.values()) {
            try {
                api.destroyDescriptor(d);
            } catch (RuntimeException | LinkageError e) {
                // nothing more to do after a sticky error
            }
        }
        descriptors.clear();
        try {
            api.destroy(handle);
        } catch (RuntimeException | LinkageError e) {
            // as above
        }
    }
}
