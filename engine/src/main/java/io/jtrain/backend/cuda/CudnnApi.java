package io.jtrain.backend.cuda;

import java.util.List;

/**
 * Every cuDNN call the CUDA backend makes, as status codes, with descriptors and the handle as opaque
 * {@code long}s and device memory as addresses (see {@link CudaApi}). Tensors are NCHW float32,
 * convolutions are cross-correlations in FMA math (no tensor cores, so results stay close to the CPU),
 * pooling propagates NaN, scaling factors alpha are 1 and beta is given where it matters (1 accumulates
 * parameter gradients). Implementations: {@link JCudnnApi} (JCudnn 11.7.0, cuDNN 8) and {@link NullCudnnApi}
 * (a mocked cuDNN for the step budget and tests).
 */
public interface CudnnApi {
    /** cuDNN pooling modes used by the backend. */
    enum PoolMode { MAX_DETERMINISTIC, AVERAGE_INCLUDE_PADDING }

    /** cudnnGetVersion (may throw {@link LinkageError} when cuDNN does not load). */
    long version();

    /** cudnnGetCudartVersion. */
    long cudartVersion();

    /** The smallest batch-norm epsilon cuDNN accepts. */
    double minBatchNormEpsilon();

    int create(long[] handle);

    int destroy(long handle);

    int setStream(long handle, long stream);

    int tensor4d(long[] desc, int n, int c, int h, int w);

    int filter4d(long[] desc, int k, int c, int h, int w);

    int convolution2d(long[] desc, int ph, int pw, int sh, int sw);

    int pooling2d(long[] desc, PoolMode mode, int kh, int kw, int ph, int pw, int sh, int sw);

    int deriveBatchNorm(long[] desc, long xDesc);

    int destroyDescriptor(long desc);

    int forwardAlgorithms(long h, long x, long w, long conv, long y, List<ConvAlgorithms.Candidate> out);

    int backwardDataAlgorithms(long h, long w, long dy, long conv, long dx, List<ConvAlgorithms.Candidate> out);

    int backwardFilterAlgorithms(long h, long x, long dy, long conv, long dw, List<ConvAlgorithms.Candidate> out);

    int forwardWorkspace(long h, long x, long w, long conv, long y, int algo, long[] bytes);

    int backwardDataWorkspace(long h, long w, long dy, long conv, long dx, int algo, long[] bytes);

    int backwardFilterWorkspace(long h, long x, long dy, long conv, long dw, int algo, long[] bytes);

    int convolutionForward(long h, long xd, long x, long wd, long w, long cd, int algo, long ws, long wsBytes,
                           long yd, long y);

    int convolutionBackwardData(long h, long wd, long w, long dyd, long dy, long cd, int algo, long ws, long wsBytes,
                                long dxd, long dx);

    /** dw += gradient (beta 1). */
    int convolutionBackwardFilter(long h, long xd, long x, long dyd, long dy, long cd, int algo, long ws, long wsBytes,
                                  long dwd, long dw);

    /** db += gradient (beta 1). */
    int convolutionBackwardBias(long h, long dyd, long dy, long dbd, long db);

    /** y += b broadcast. */
    int addTensor(long h, long bd, long b, long yd, long y);

    int poolingForward(long h, long pd, long xd, long x, long yd, long y);

    int poolingBackward(long h, long pd, long yd, long y, long dyd, long dy, long xd, long x, long dxd, long dx);

    int batchNormForwardTraining(long h, long xd, long x, long y, long bnd, long scale, long bias, double factor,
                                 long runMean, long runVar, double eps, long saveMean, long saveInvStd);

    int batchNormForwardInference(long h, long xd, long x, long y, long bnd, long scale, long bias, long mean, long var,
                                  double eps);

    /** dx overwritten, dScale and dBias accumulated (beta 1). */
    int batchNormBackward(long h, long xd, long x, long dy, long dx, long bnd, long scale, long dScale, long dBias,
                          double eps, long saveMean, long saveInvStd);

    /** cuDNN's name for a status code. */
    String statusName(int status);
}
