package io.jtrain.backend.cuda;

import java.util.ArrayList;
import java.util.List;
import jcuda.Pointer;
import jcuda.jcudnn.JCudnn;
import jcuda.jcudnn.cudnnConvolutionBwdDataAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionBwdFilterAlgoPerf;
import jcuda.jcudnn.cudnnConvolutionDescriptor;
import jcuda.jcudnn.cudnnConvolutionFwdAlgoPerf;
import jcuda.jcudnn.cudnnFilterDescriptor;
import jcuda.jcudnn.cudnnHandle;
import jcuda.jcudnn.cudnnPoolingDescriptor;
import jcuda.jcudnn.cudnnTensorDescriptor;

/**
 * {@link CudnnApi} through JCudnn 11.7.0 (cuDNN 8, GPU.md §2). Every cuDNN constant comes from the binding's
 * constant classes. Descriptors are kept in a table indexed by their handle; alpha and beta are
 * preallocated host scalars. The streams named by handles are those of the {@link JCudaApi} given.
 * Only the backend's GPU thread calls it.
 */
final class JCudnnApi implements CudnnApi {
    private static final Pointer ONE = Pointer.to(new float[] {1f});
    private static final Pointer ZERO = Pointer.to(new float[] {0f});
    private static final int NCHW = jcuda.jcudnn.cudnnTensorFormat.CUDNN_TENSOR_NCHW;
    private static final int FLOAT = jcuda.jcudnn.cudnnDataType.CUDNN_DATA_FLOAT;
    private static final int CROSS_CORRELATION = jcuda.jcudnn.cudnnConvolutionMode.CUDNN_CROSS_CORRELATION;
    private static final int FMA_MATH = jcuda.jcudnn.cudnnMathType.CUDNN_FMA_MATH;
    private static final int PROPAGATE_NAN = jcuda.jcudnn.cudnnNanPropagation.CUDNN_PROPAGATE_NAN;
    private static final int BN_SPATIAL = jcuda.jcudnn.cudnnBatchNormMode.CUDNN_BATCHNORM_SPATIAL;
    private final java.util.function.LongFunction<jcuda.runtime.cudaStream_t> streams;
    private final List<Object> table = new ArrayList<>();

    JCudnnApi(java.util.function.LongFunction<jcuda.runtime.cudaStream_t> streams) {
        this.streams = streams;
    }

    private long add(Object o) {
        table.add(o);
        return table.size();
    }

    @SuppressWarnings("unchecked")
    private <T> T get(long h) {
        return (T) table.get((int) h - 1);
    }

    private static Pointer dev(long address) {
        return JCudaApi.DevicePointer.of(address);
    }

    private cudnnHandle handle(long h) {
        return get(h);
    }

    private cudnnTensorDescriptor t(long h) {
        return get(h);
    }

    @Override
    public long version() {
        return JCudnn.cudnnGetVersion();
    }

    @Override
    public long cudartVersion() {
        return JCudnn.cudnnGetCudartVersion();
    }

    @Override
    public double minBatchNormEpsilon() {
        return JCudnn.CUDNN_BN_MIN_EPSILON;
    }

    @Override
    public int create(long[] handle) {
        cudnnHandle h = new cudnnHandle();
        int rc = JCudnn.cudnnCreate(h);
        handle[0] = rc == 0 ? add(h) : 0;
        return rc;
    }

    @Override
    public int destroy(long handle) {
        return JCudnn.cudnnDestroy(handle(handle));
    }

    @Override
    public int setStream(long handle, long stream) {
        return JCudnn.cudnnSetStream(handle(handle), streams.apply(stream));
    }

    @Override
    public int tensor4d(long[] desc, int n, int c, int h, int w) {
        cudnnTensorDescriptor d = new cudnnTensorDescriptor();
        int rc = JCudnn.cudnnCreateTensorDescriptor(d);
        if (rc == 0) {
            desc[0] = add(d);
            rc = JCudnn.cudnnSetTensor4dDescriptor(d, NCHW, FLOAT, n, c, h, w);
        }
        return rc;
    }

    @Override
    public int filter4d(long[] desc, int k, int c, int h, int w) {
        cudnnFilterDescriptor d = new cudnnFilterDescriptor();
        int rc = JCudnn.cudnnCreateFilterDescriptor(d);
        if (rc == 0) {
            desc[0] = add(d);
            // dataType before format: the reverse of the tensor call (GPU.md §2)
            rc = JCudnn.cudnnSetFilter4dDescriptor(d, FLOAT, NCHW, k, c, h, w);
        }
        return rc;
    }

    @Override
    public int convolution2d(long[] desc, int ph, int pw, int sh, int sw) {
        cudnnConvolutionDescriptor d = new cudnnConvolutionDescriptor();
        int rc = JCudnn.cudnnCreateConvolutionDescriptor(d);
        if (rc == 0) {
            desc[0] = add(d);
            rc = JCudnn.cudnnSetConvolution2dDescriptor(d, ph, pw, sh, sw, 1, 1, CROSS_CORRELATION, FLOAT);
        }
        return rc == 0 ? JCudnn.cudnnSetConvolutionMathType(d, FMA_MATH) : rc;
    }

    @Override
    public int pooling2d(long[] desc, PoolMode mode, int kh, int kw, int ph, int pw, int sh, int sw) {
        int m = mode == PoolMode.MAX_DETERMINISTIC ? jcuda.jcudnn.cudnnPoolingMode.CUDNN_POOLING_MAX_DETERMINISTIC
            : jcuda.jcudnn.cudnnPoolingMode.CUDNN_POOLING_AVERAGE_COUNT_INCLUDE_PADDING;
        cudnnPoolingDescriptor d = new cudnnPoolingDescriptor();
        int rc = JCudnn.cudnnCreatePoolingDescriptor(d);
        if (rc == 0) {
            desc[0] = add(d);
            rc = JCudnn.cudnnSetPooling2dDescriptor(d, m, PROPAGATE_NAN, kh, kw, ph, pw, sh, sw);
        }
        return rc;
    }

    @Override
    public int deriveBatchNorm(long[] desc, long xDesc) {
        cudnnTensorDescriptor d = new cudnnTensorDescriptor();
        int rc = JCudnn.cudnnCreateTensorDescriptor(d);
        if (rc == 0) {
            desc[0] = add(d);
            rc = JCudnn.cudnnDeriveBNTensorDescriptor(d, t(xDesc), BN_SPATIAL);
        }
        return rc;
    }

    @Override
    public int destroyDescriptor(long desc) {
        Object d = get(desc);
        if (d instanceof cudnnTensorDescriptor x) {
            return JCudnn.cudnnDestroyTensorDescriptor(x);
        }
        if (d instanceof cudnnFilterDescriptor x) {
            return JCudnn.cudnnDestroyFilterDescriptor(x);
        }
        if (d instanceof cudnnConvolutionDescriptor x) {
            return JCudnn.cudnnDestroyConvolutionDescriptor(x);
        }
        if (d instanceof cudnnPoolingDescriptor x) {
            return JCudnn.cudnnDestroyPoolingDescriptor(x);
        }
        return 0;
    }

    @Override
    public int forwardAlgorithms(long h, long x, long w, long conv, long y, List<ConvAlgorithms.Candidate> out) {
        int[] count = {0};
        cudnnConvolutionFwdAlgoPerf[] p = new cudnnConvolutionFwdAlgoPerf[8];
        java.util.Arrays.setAll(p, i -> new cudnnConvolutionFwdAlgoPerf());
        int rc = JCudnn.cudnnGetConvolutionForwardAlgorithm_v7(handle(h), t(x), get(w), get(conv), t(y), p.length,
            count, p);
        for (int i = 0; rc == 0 && i < count[0]; i++) {
            out.add(new ConvAlgorithms.Candidate(p[i].algo, p[i].status, p[i].memory, p[i].determinism, p[i].mathType));
        }
        return rc;
    }

    @Override
    public int backwardDataAlgorithms(long h, long w, long dy, long conv, long dx, List<ConvAlgorithms.Candidate> out) {
        int[] count = {0};
        cudnnConvolutionBwdDataAlgoPerf[] p = new cudnnConvolutionBwdDataAlgoPerf[8];
        java.util.Arrays.setAll(p, i -> new cudnnConvolutionBwdDataAlgoPerf());
        int rc = JCudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(handle(h), get(w), t(dy), get(conv), t(dx),
            p.length, count, p);
        for (int i = 0; rc == 0 && i < count[0]; i++) {
            out.add(new ConvAlgorithms.Candidate(p[i].algo, p[i].status, p[i].memory, p[i].determinism, p[i].mathType));
        }
        return rc;
    }

    @Override
    public int backwardFilterAlgorithms(long h, long x, long dy, long conv, long dw,
                                        List<ConvAlgorithms.Candidate> out) {
        int[] count = {0};
        cudnnConvolutionBwdFilterAlgoPerf[] p = new cudnnConvolutionBwdFilterAlgoPerf[8];
        java.util.Arrays.setAll(p, i -> new cudnnConvolutionBwdFilterAlgoPerf());
        int rc = JCudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(handle(h), t(x), t(dy), get(conv), get(dw),
            p.length, count, p);
        for (int i = 0; rc == 0 && i < count[0]; i++) {
            out.add(new ConvAlgorithms.Candidate(p[i].algo, p[i].status, p[i].memory, p[i].determinism, p[i].mathType));
        }
        return rc;
    }

    @Override
    public int forwardWorkspace(long h, long x, long w, long conv, long y, int algo, long[] bytes) {
        return JCudnn.cudnnGetConvolutionForwardWorkspaceSize(handle(h), t(x), get(w), get(conv), t(y), algo, bytes);
    }

    @Override
    public int backwardDataWorkspace(long h, long w, long dy, long conv, long dx, int algo, long[] bytes) {
        return JCudnn.cudnnGetConvolutionBackwardDataWorkspaceSize(handle(h), get(w), t(dy), get(conv), t(dx), algo,
            bytes);
    }

    @Override
    public int backwardFilterWorkspace(long h, long x, long dy, long conv, long dw, int algo, long[] bytes) {
        return JCudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(handle(h), t(x), t(dy), get(conv), get(dw), algo,
            bytes);
    }

    @Override
    public int convolutionForward(long h, long xd, long x, long wd, long w, long cd, int algo, long ws, long wsBytes,
                                  long yd, long y) {
        return JCudnn.cudnnConvolutionForward(handle(h), ONE, t(xd), dev(x), get(wd), dev(w), get(cd), algo, dev(ws),
            wsBytes, ZERO, t(yd), dev(y));
    }

    @Override
    public int convolutionBackwardData(long h, long wd, long w, long dyd, long dy, long cd, int algo, long ws,
                                       long wsBytes, long dxd, long dx) {
        return JCudnn.cudnnConvolutionBackwardData(handle(h), ONE, get(wd), dev(w), t(dyd), dev(dy), get(cd), algo,
            dev(ws), wsBytes, ZERO, t(dxd), dev(dx));
    }

    @Override
    public int convolutionBackwardFilter(long h, long xd, long x, long dyd, long dy, long cd, int algo, long ws,
                                         long wsBytes, long dwd, long dw) {
        return JCudnn.cudnnConvolutionBackwardFilter(handle(h), ONE, t(xd), dev(x), t(dyd), dev(dy), get(cd), algo,
            dev(ws), wsBytes, ONE, get(dwd), dev(dw));
    }

    @Override
    public int convolutionBackwardBias(long h, long dyd, long dy, long dbd, long db) {
        return JCudnn.cudnnConvolutionBackwardBias(handle(h), ONE, t(dyd), dev(dy), ONE, t(dbd), dev(db));
    }

    @Override
    public int addTensor(long h, long bd, long b, long yd, long y) {
        return JCudnn.cudnnAddTensor(handle(h), ONE, t(bd), dev(b), ONE, t(yd), dev(y));
    }

    @Override
    public int poolingForward(long h, long pd, long xd, long x, long yd, long y) {
        return JCudnn.cudnnPoolingForward(handle(h), get(pd), ONE, t(xd), dev(x), ZERO, t(yd), dev(y));
    }

    @Override
    public int poolingBackward(long h, long pd, long yd, long y, long dyd, long dy, long xd, long x, long dxd,
                               long dx) {
        return JCudnn.cudnnPoolingBackward(handle(h), get(pd), ONE, t(yd), dev(y), t(dyd), dev(dy), t(xd), dev(x),
            ZERO, t(dxd), dev(dx));
    }

    @Override
    public int batchNormForwardTraining(long h, long xd, long x, long y, long bnd, long scale, long bias,
                                        double factor, long runMean, long runVar, double eps, long saveMean,
                                        long saveInvStd) {
        return JCudnn.cudnnBatchNormalizationForwardTraining(handle(h), BN_SPATIAL, ONE, ZERO, t(xd), dev(x), t(xd),
            dev(y), t(bnd), dev(scale), dev(bias), factor, dev(runMean), dev(runVar), eps, dev(saveMean),
            dev(saveInvStd));
    }

    @Override
    public int batchNormForwardInference(long h, long xd, long x, long y, long bnd, long scale, long bias, long mean,
                                         long var, double eps) {
        return JCudnn.cudnnBatchNormalizationForwardInference(handle(h), BN_SPATIAL, ONE, ZERO, t(xd), dev(x), t(xd),
            dev(y), t(bnd), dev(scale), dev(bias), dev(mean), dev(var), eps);
    }

    @Override
    public int batchNormBackward(long h, long xd, long x, long dy, long dx, long bnd, long scale, long dScale,
                                 long dBias, double eps, long saveMean, long saveInvStd) {
        return JCudnn.cudnnBatchNormalizationBackward(handle(h), BN_SPATIAL, ONE, ZERO, ONE, ONE, t(xd), dev(x), t(xd),
            dev(dy), t(xd), dev(dx), t(bnd), dev(scale), dev(dScale), dev(dBias), eps, dev(saveMean),
            dev(saveInvStd));
    }

    @Override
    public String statusName(int status) {
        return jcuda.jcudnn.cudnnStatus.stringFor(status);
    }
}
