package io.jtrain.backend.cuda;

import io.jtrain.backend.Activation;
import io.jtrain.backend.BatchNormTensors;
import io.jtrain.backend.ConvSpec;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.Pointer;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnActivationDescriptor;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionBwdFilterAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionFwdAlgoPerf;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnPoolingDescriptor;
import jcuda.jcudnn.cudnnTensorDescriptor;
import jcuda.runtime.cudaStream_t;

/**
 * The cuDNN paths of the CUDA backend (GPU.md §2): convolution forward, backward-data, backward-filter
 * and bias; max pooling (deterministic mode) and average-pooling forward; batch norm (spatial: per channel
 * over N·H·W, also for [N,F] as N×F×1×1); ReLU, sigmoid, tanh and ELU; row softmax. NCHW float32.
 * Descriptors are cached per shape and algorithms per (input shape, filter shape, geometry). Convolution
 * workspaces are the layer's workspace tensor (from the pool), sized by {@link #workspaceElements}. Math
 * type FMA (no TF32), so results stay close to the CPU backend. Only the backend's GPU thread calls this.
 */
final class Cudnn implements SpatialOps {
    private static final Pointer ONE = Pointer.to(new float[] {1f});
    private static final Pointer ZERO = Pointer.to(new float[] {0f});
    private static final int NCHW = jcuda.jcudnn.cudnnTensorFormat.CUDNN_TENSOR_NCHW;
    private static final int FLOAT = jcuda.jcudnn.cudnnDataType.CUDNN_DATA_FLOAT;
    private static final int CROSS_CORRELATION = jcuda.jcudnn.cudnnConvolutionMode.CUDNN_CROSS_CORRELATION;
    private static final int FMA_MATH = jcuda.jcudnn.cudnnMathType.CUDNN_FMA_MATH;
    private static final int PROPAGATE_NAN = jcuda.jcudnn.cudnnNanPropagation.CUDNN_PROPAGATE_NAN;
    private static final int POOL_MAX_DETERMINISTIC = jcuda.jcudnn.cudnnPoolingMode.CUDNN_POOLING_MAX_DETERMINISTIC;
    private static final int POOL_AVG_INCLUDE_PADDING =
        jcuda.jcudnn.cudnnPoolingMode.CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING;
    private static final int SOFTMAX_ACCURATE = jcuda.jcudnn.cudnnSoftmaxAlgorithm.CUDNN_SOFTMAX_ACCURATE;
    private static final int SOFTMAX_INSTANCE = jcuda.jcudnn.cudnnSoftmaxMode.CUDNN_SOFTMAX_MODE_INSTANCE;
    private static final int BN_SPATIAL = jcuda.jcudnn.cudnnBatchNormMode.CUDNN_BATCHNORM_SPATIAL;
    /** Upper bound on one convolution's workspace when the layer asks for its size. */
    private static final long DEFAULT_LIMIT = 256L << 20;
    private final CudaBackend be;
    private final CudaMemoryPool pool;
    private final boolean deterministic;
    private final cudnnHandle handle = new cudnnHandle();
    private final Map<String, cudnnTensorDescriptor> tensors = new HashMap<>();
    private final Map<String, cudnnFilterDescriptor> filters = new HashMap<>();
    private final Map<ConvSpec, cudnnConvolutionDescriptor> convs = new HashMap<>();
    private final Map<String, cudnnPoolingDescriptor> pools = new HashMap<>();
    private final Map<Activation, cudnnActivationDescriptor> activations = new HashMap<>();
    private final Map<Integer, cudnnTensorDescriptor> bnParams = new HashMap<>();
    private final Map<String, ConvAlgorithms.Choice> algorithms = new HashMap<>();
    private final Map<Long, Double> bnEps = new HashMap<>();

    Cudnn(CudaBackend be, CudaMemoryPool pool, cudaStream_t stream, boolean deterministic) {
        this.be = be;
        this.pool = pool;
        this.deterministic = deterministic;
        check(JCudnn.cudnnCreate(handle), "cudnnCreate");
        check(JCudnn.cudnnSetStream(handle, stream), "cudnnSetStream");
    }

    private void check(int rc, String call) {
        Cuda.cudnn(rc, call, pool);
    }

    /** True for the activations cuDNN computes (LeakyReLU and linear stay on jtrain kernels). */
    static boolean supports(Activation.Kind kind) {
        return kind == Activation.Kind.RELU || kind == Activation.Kind.SIGMOID || kind == Activation.Kind.TANH
            || kind == Activation.Kind.ELU;
    }

    // ---- descriptors

    /** NCHW descriptor: rank 4 as is, [N,F] as N×F×1×1, anything else as 1×1×1×size. */
    private cudnnTensorDescriptor desc(Shape s) {
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

    private cudnnTensorDescriptor tensor(int n, int c, int h, int w) {
        return tensors.computeIfAbsent(n + "," + c + "," + h + "," + w, k -> {
            cudnnTensorDescriptor d = new cudnnTensorDescriptor();
            check(JCudnn.cudnnCreateTensorDescriptor(d), "cudnnCreateTensorDescriptor");
            check(JCudnn.cudnnSetTensor4dDescriptor(d, NCHW, FLOAT, n, c, h, w), "cudnnSetTensor4dDescriptor(" + k + ")");
            return d;
        });
    }

    private cudnnFilterDescriptor filter(Shape w) {
        return filters.computeIfAbsent(w.toString(), k -> {
            cudnnFilterDescriptor d = new cudnnFilterDescriptor();
            check(JCudnn.cudnnCreateFilterDescriptor(d), "cudnnCreateFilterDescriptor");
            // dataType before format: the reverse of the tensor call (GPU.md §2)
            check(JCudnn.cudnnSetFilter4dDescriptor(d, FLOAT, NCHW, w.dim(0), w.dim(1), w.dim(2), w.dim(3)),
                "cudnnSetFilter4dDescriptor(" + k + ")");
            return d;
        });
    }

    private cudnnConvolutionDescriptor conv(ConvSpec s) {
        return convs.computeIfAbsent(s, k -> {
            cudnnConvolutionDescriptor d = new cudnnConvolutionDescriptor();
            check(JCudnn.cudnnCreateConvolutionDescriptor(d), "cudnnCreateConvolutionDescriptor");
            check(JCudnn.cudnnSetConvolution2dDescriptor(d, s.ph(), s.pw(), s.sh(), s.sw(), 1, 1, CROSS_CORRELATION,
                FLOAT), "cudnnSetConvolution2dDescriptor(" + s + ")");
            check(JCudnn.cudnnSetConvolutionMathType(d, FMA_MATH), "cudnnSetConvolutionMathType(CUDNN_FMA_MATH)");
            return d;
        });
    }

    private cudnnPoolingDescriptor pooling(int mode, ConvSpec s) {
        return pools.computeIfAbsent(mode + ":" + s, k -> {
            cudnnPoolingDescriptor d = new cudnnPoolingDescriptor();
            check(JCudnn.cudnnCreatePoolingDescriptor(d), "cudnnCreatePoolingDescriptor");
            check(JCudnn.cudnnSetPooling2dDescriptor(d, mode, PROPAGATE_NAN, s.kh(), s.kw(), s.ph(), s.pw(), s.sh(),
                s.sw()), "cudnnSetPooling2dDescriptor(" + s + ")");
            return d;
        });
    }

    private cudnnActivationDescriptor activation(Activation a) {
        return activations.computeIfAbsent(a, k -> {
            int mode = switch (a.kind()) {
                case SIGMOID -> jcuda.jcudnn.cudnnActivationMode.CUDNN_ACTIVATION_SIGMOID;
                case RELU -> jcuda.jcudnn.cudnnActivationMode.CUDNN_ACTIVATION_RELU;
                case TANH -> jcuda.jcudnn.cudnnActivationMode.CUDNN_ACTIVATION_TANH;
                case ELU -> jcuda.jcudnn.cudnnActivationMode.CUDNN_ACTIVATION_ELU;
                default -> throw new IllegalArgumentException(a.kind().id() + " is not a cuDNN activation");
            };
            cudnnActivationDescriptor d = new cudnnActivationDescriptor();
            check(JCudnn.cudnnCreateActivationDescriptor(d), "cudnnCreateActivationDescriptor");
            check(JCudnn.cudnnSetActivationDescriptor(d, mode, PROPAGATE_NAN, a.alpha()),
                "cudnnSetActivationDescriptor(" + a.kind().id() + ")");
            return d;
        });
    }

    // ---- convolution

    /** Workspace floats one convolution of these shapes needs (at least 1). */
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
        cudnnTensorDescriptor xd = desc(x);
        cudnnTensorDescriptor yd = desc(outShape(x, w, s));
        cudnnFilterDescriptor wd = filter(w);
        cudnnConvolutionDescriptor cd = conv(s);
        int[] count = {0};
        cudnnConvolutionFwdAlgoPerf[] fwd = perfs(new cudnnConvolutionFwdAlgoPerf[8], cudnnConvolutionFwdAlgoPerf::new);
        check(JCudnn.cudnnGetConvolutionForwardAlgorithm_v7(handle, xd, wd, cd, yd, fwd.length, count, fwd),
            "cudnnGetConvolutionForwardAlgorithm_v7");
        List<ConvAlgorithms.Candidate> f = candidates(fwd, count[0],
            p -> new ConvAlgorithms.Candidate(p.algo, p.status, p.memory, p.determinism, p.mathType));
        cudnnConvolutionBwdDataAlgoPerf[] bd = perfs(new cudnnConvolutionBwdDataAlgoPerf[8],
            cudnnConvolutionBwdDataAlgoPerf::new);
        check(JCudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(handle, wd, yd, cd, xd, bd.length, count, bd),
            "cudnnGetConvolutionBackwardDataAlgorithm_v7");
        List<ConvAlgorithms.Candidate> d = candidates(bd, count[0],
            p -> new ConvAlgorithms.Candidate(p.algo, p.status, p.memory, p.determinism, p.mathType));
        cudnnConvolutionBwdFilterAlgoPerf[] bf = perfs(new cudnnConvolutionBwdFilterAlgoPerf[8],
            cudnnConvolutionBwdFilterAlgoPerf::new);
        check(JCudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(handle, xd, yd, cd, wd, bf.length, count, bf),
            "cudnnGetConvolutionBackwardFilterAlgorithm_v7");
        List<ConvAlgorithms.Candidate> g = candidates(bf, count[0],
            p -> new ConvAlgorithms.Candidate(p.algo, p.status, p.memory, p.determinism, p.mathType));
        ConvAlgorithms.Candidate cf = pick(f, limit, "forward", x, w, s);
        ConvAlgorithms.Candidate cdd = pick(d, limit, "backward data", x, w, s);
        ConvAlgorithms.Candidate cff = pick(g, limit, "backward filter", x, w, s);
        long[] bytes = {0};
        long ws = 0;
        check(JCudnn.cudnnGetConvolutionForwardWorkspaceSize(handle, xd, wd, cd, yd, cf.algo(), bytes),
            "cudnnGetConvolutionForwardWorkspaceSize");
        ws = Math.max(ws, bytes[0]);
        check(JCudnn.cudnnGetConvolutionBackwardDataWorkspaceSize(handle, wd, yd, cd, xd, cdd.algo(), bytes),
            "cudnnGetConvolutionBackwardDataWorkspaceSize");
        ws = Math.max(ws, bytes[0]);
        check(JCudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(handle, xd, yd, cd, wd, cff.algo(), bytes),
            "cudnnGetConvolutionBackwardFilterWorkspaceSize");
        ws = Math.max(ws, bytes[0]);
        return new ConvAlgorithms.Choice(cf.algo(), cdd.algo(), cff.algo(), ws);
    }

    private static <T> T[] perfs(T[] a, java.util.function.Supplier<T> s) {
        for (int i = 0; i < a.length; i++) {
            a[i] = s.get();
        }
        return a;
    }

    /** The first {@code n} entries of a cuDNN performance list (the structs share fields, not a type). */
    private static <T> List<ConvAlgorithms.Candidate> candidates(T[] perf, int n,
                                                                 java.util.function.Function<T, ConvAlgorithms.Candidate> f) {
        List<ConvAlgorithms.Candidate> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(f.apply(perf[i]));
        }
        return out;
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
        long have = 4L * ws.size();
        ConvAlgorithms.Choice c = algorithms(x.shape(), w, s, have);
        if (c.workspaceBytes() > have) {
            throw new IllegalStateException("cuDNN convolution workspace of " + have + " bytes is smaller than the "
                + c.workspaceBytes() + " bytes its algorithms need");
        }
        return c;
    }

    @Override
    public void convForward(Tensor x, Tensor w, Tensor b, Tensor y, ConvSpec s, Tensor ws) {
        ConvAlgorithms.Choice c = forCall(x, w.shape(), s, ws);
        check(JCudnn.cudnnConvolutionForward(handle, ONE, desc(x.shape()), be.ptr(x), filter(w.shape()), be.ptr(w),
            conv(s), c.forward(), be.ptr(ws), 4L * ws.size(), ZERO, desc(y.shape()), be.ptr(y)),
            "cudnnConvolutionForward(algo " + c.forward() + ")");
        if (b != null) {
            check(JCudnn.cudnnAddTensor(handle, ONE, tensor(1, (int) b.size(), 1, 1), be.ptr(b), ONE, desc(y.shape()),
                be.ptr(y)), "cudnnAddTensor(bias)");
        }
    }

    @Override
    public void convBackwardData(Tensor dy, Tensor w, Tensor dx, ConvSpec s, Tensor ws) {
        ConvAlgorithms.Choice c = forCall(dx, w.shape(), s, ws);
        check(JCudnn.cudnnConvolutionBackwardData(handle, ONE, filter(w.shape()), be.ptr(w), desc(dy.shape()),
            be.ptr(dy), conv(s), c.backwardData(), be.ptr(ws), 4L * ws.size(), ZERO, desc(dx.shape()), be.ptr(dx)),
            "cudnnConvolutionBackwardData(algo " + c.backwardData() + ")");
    }

    /** dw += ∂L/∂w, db += ∂L/∂b (beta 1: parameter gradients accumulate, as on the CPU). */
    @Override
    public void convBackwardFilter(Tensor x, Tensor dy, Tensor dw, Tensor db, ConvSpec s, Tensor ws) {
        ConvAlgorithms.Choice c = forCall(x, dw.shape(), s, ws);
        check(JCudnn.cudnnConvolutionBackwardFilter(handle, ONE, desc(x.shape()), be.ptr(x), desc(dy.shape()),
            be.ptr(dy), conv(s), c.backwardFilter(), be.ptr(ws), 4L * ws.size(), ONE, filter(dw.shape()), be.ptr(dw)),
            "cudnnConvolutionBackwardFilter(algo " + c.backwardFilter() + ")");
        if (db != null) {
            check(JCudnn.cudnnConvolutionBackwardBias(handle, ONE, desc(dy.shape()), be.ptr(dy), ONE,
                tensor(1, (int) db.size(), 1, 1), be.ptr(db)), "cudnnConvolutionBackwardBias");
        }
    }

    // ---- pooling

    @Override
    public void maxPoolForward(Tensor x, Tensor y, ConvSpec s) {
        check(JCudnn.cudnnPoolingForward(handle, pooling(POOL_MAX_DETERMINISTIC, s), ONE, desc(x.shape()), be.ptr(x),
            ZERO, desc(y.shape()), be.ptr(y)), "cudnnPoolingForward(max)");
    }

    @Override
    public void maxPoolBackward(Tensor x, Tensor y, Tensor dy, Tensor dx, ConvSpec s) {
        check(JCudnn.cudnnPoolingBackward(handle, pooling(POOL_MAX_DETERMINISTIC, s), ONE, desc(y.shape()), be.ptr(y),
            desc(dy.shape()), be.ptr(dy), desc(x.shape()), be.ptr(x), ZERO, desc(dx.shape()), be.ptr(dx)),
            "cudnnPoolingBackward(max)");
    }

    /** Average over the whole window, padding included (the CPU backend's definition). */
    @Override
    public void avgPoolForward(Tensor x, Tensor y, ConvSpec s) {
        check(JCudnn.cudnnPoolingForward(handle, pooling(POOL_AVG_INCLUDE_PADDING, s), ONE, desc(x.shape()),
            be.ptr(x), ZERO, desc(y.shape()), be.ptr(y)), "cudnnPoolingForward(average)");
    }

    // ---- activations and softmax

    void activationForward(Activation a, Tensor x, Tensor y) {
        check(JCudnn.cudnnActivationForward(handle, activation(a), ONE, desc(x.shape()), be.ptr(x), ZERO,
            desc(y.shape()), be.ptr(y)), "cudnnActivationForward(" + a.kind().id() + ")");
    }

    void activationBackward(Activation a, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        check(JCudnn.cudnnActivationBackward(handle, activation(a), ONE, desc(y.shape()), be.ptr(y), desc(dy.shape()),
            be.ptr(dy), desc(x.shape()), be.ptr(x), ZERO, desc(dx.shape()), be.ptr(dx)),
            "cudnnActivationBackward(" + a.kind().id() + ")");
    }

    /** Softmax of each row of [N, C] (as N×C×1×1, instance mode). */
    void softmaxRows(Tensor x, Tensor y) {
        cudnnTensorDescriptor d = tensor(x.dim(0), (int) (x.size() / x.dim(0)), 1, 1);
        check(JCudnn.cudnnSoftmaxForward(handle, SOFTMAX_ACCURATE, SOFTMAX_INSTANCE, ONE, d, be.ptr(x), ZERO, d,
            be.ptr(y)), "cudnnSoftmaxForward");
    }

    void softmaxRowsBackward(Tensor y, Tensor dy, Tensor dx) {
        cudnnTensorDescriptor d = tensor(y.dim(0), (int) (y.size() / y.dim(0)), 1, 1);
        check(JCudnn.cudnnSoftmaxBackward(handle, SOFTMAX_ACCURATE, SOFTMAX_INSTANCE, ONE, d, be.ptr(y), d,
            be.ptr(dy), ZERO, d, be.ptr(dx)), "cudnnSoftmaxBackward");
    }

    // ---- batch norm

    /** x as N×C×S×1 (S = H·W, or 1 for [N, F]). */
    private cudnnTensorDescriptor bnInput(Tensor x) {
        int n = x.dim(0);
        int c = x.dim(1);
        return tensor(n, c, (int) (x.size() / ((long) n * c)), 1);
    }

    private cudnnTensorDescriptor bnParam(Tensor x, cudnnTensorDescriptor xd) {
        return bnParams.computeIfAbsent(x.dim(1), c -> {
            cudnnTensorDescriptor d = new cudnnTensorDescriptor();
            check(JCudnn.cudnnCreateTensorDescriptor(d), "cudnnCreateTensorDescriptor");
            check(JCudnn.cudnnDeriveBNTensorDescriptor(d, xd, BN_SPATIAL), "cudnnDeriveBNTensorDescriptor");
            return d;
        });
    }

    private static void checkEps(float eps) {
        if (eps < JCudnn.CUDNN_BN_MIN_EPSILON) {
            throw new IllegalArgumentException("batch norm epsilon " + eps + " is below cuDNN's minimum "
                + JCudnn.CUDNN_BN_MIN_EPSILON + "; raise it or run with --cudnn off");
        }
    }

    /** Running statistics: run = (1 − momentum)·run + momentum·batch (unbiased variance), as on the CPU. */
    @Override
    public void batchNormTraining(Tensor x, Tensor y, BatchNormTensors bn, float momentum, float eps) {
        checkEps(eps);
        cudnnTensorDescriptor xd = bnInput(x);
        check(JCudnn.cudnnBatchNormalizationForwardTraining(handle, BN_SPATIAL, ONE, ZERO, xd, be.ptr(x), xd,
            be.ptr(y), bnParam(x, xd), be.ptr(bn.gamma()), be.ptr(bn.beta()), momentum, be.ptr(bn.runningMean()),
            be.ptr(bn.runningVar()), eps, be.ptr(bn.savedMean()), be.ptr(bn.savedInvStd())),
            "cudnnBatchNormalizationForwardTraining");
        bnEps.put(bn.savedMean().address(), (double) eps);
    }

    @Override
    public void batchNormInference(Tensor x, Tensor y, BatchNormTensors bn, float eps) {
        checkEps(eps);
        cudnnTensorDescriptor xd = bnInput(x);
        check(JCudnn.cudnnBatchNormalizationForwardInference(handle, BN_SPATIAL, ONE, ZERO, xd, be.ptr(x), xd,
            be.ptr(y), bnParam(x, xd), be.ptr(bn.gamma()), be.ptr(bn.beta()), be.ptr(bn.runningMean()),
            be.ptr(bn.runningVar()), eps), "cudnnBatchNormalizationForwardInference");
    }

    /** dx overwritten; dGamma and dBeta accumulate (beta 1 for the parameter gradients). */
    @Override
    public void batchNormBackward(Tensor x, Tensor dy, Tensor dx, BatchNormTensors bn) {
        Double eps = bnEps.get(bn.savedMean().address());
        if (eps == null) {
            throw new IllegalStateException("batch norm backward without a training forward pass on this backend");
        }
        cudnnTensorDescriptor xd = bnInput(x);
        check(JCudnn.cudnnBatchNormalizationBackward(handle, BN_SPATIAL, ONE, ZERO, ONE, ONE, xd, be.ptr(x), xd,
            be.ptr(dy), xd, be.ptr(dx), bnParam(x, xd), be.ptr(bn.gamma()), be.ptr(bn.dGamma()), be.ptr(bn.dBeta()),
            eps, be.ptr(bn.savedMean()), be.ptr(bn.savedInvStd())), "cudnnBatchNormalizationBackward");
    }

    void close() {
        tensors.values().forEach(JCudnn::cudnnDestroyTensorDescriptor);
        bnParams.values().forEach(JCudnn::cudnnDestroyTensorDescriptor);
        filters.values().forEach(JCudnn::cudnnDestroyFilterDescriptor);
        convs.values().forEach(JCudnn::cudnnDestroyConvolutionDescriptor);
        pools.values().forEach(JCudnn::cudnnDestroyPoolingDescriptor);
        activations.values().forEach(JCudnn::cudnnDestroyActivationDescriptor);
        JCudnn.cudnnDestroy(handle);
    }
}
