package io.jtrain.backend.cuda;

import java.util.List;

/**
 * A mocked cuDNN: version 8.9.7 for CUDA 12, every call succeeds and computes nothing, one FMA-math,
 * deterministic algorithm per convolution direction needing 1 MiB of workspace. With {@link NullCudaApi} it
 * lets the step budget and the tests run the backend's cuDNN path without a GPU.
 */
public class NullCudnnApi implements CudnnApi {
    private long handles;

    private int handle(long[] out) {
        out[0] = ++handles;
        return 0;
    }

    private static int one(List<ConvAlgorithms.Candidate> out) {
        out.add(new ConvAlgorithms.Candidate(1, 0, 1L << 20, ConvAlgorithms.DETERMINISTIC, ConvAlgorithms.FMA));
        return 0;
    }

    @Override
    public long version() {
        return 8907;
    }

    @Override
    public long cudartVersion() {
        return 12020;
    }

    @Override
    public double minBatchNormEpsilon() {
        return 1e-5;
    }

    @Override
    public int create(long[] handle) {
        return handle(handle);
    }

    @Override
    public int destroy(long handle) {
        return 0;
    }

    @Override
    public int setStream(long handle, long stream) {
        return 0;
    }

    @Override
    public int tensor4d(long[] desc, int n, int c, int h, int w) {
        return handle(desc);
    }

    @Override
    public int filter4d(long[] desc, int k, int c, int h, int w) {
        return handle(desc);
    }

    @Override
    public int convolution2d(long[] desc, int ph, int pw, int sh, int sw) {
        return handle(desc);
    }

    @Override
    public int pooling2d(long[] desc, PoolMode mode, int kh, int kw, int ph, int pw, int sh, int sw) {
        return handle(desc);
    }

    @Override
    public int deriveBatchNorm(long[] desc, long xDesc) {
        return handle(desc);
    }

    @Override
    public int destroyDescriptor(long desc) {
        return 0;
    }

    @Override
    public int forwardAlgorithms(long h, long x, long w, long conv, long y, List<ConvAlgorithms.Candidate> out) {
        return one(out);
    }

    @Override
    public int backwardDataAlgorithms(long h, long w, long dy, long conv, long dx, List<ConvAlgorithms.Candidate> out) {
        return one(out);
    }

    @Override
    public int backwardFilterAlgorithms(long h, long x, long dy, long conv, long dw,
                                        List<ConvAlgorithms.Candidate> out) {
        return one(out);
    }

    @Override
    public int forwardWorkspace(long h, long x, long w, long conv, long y, int algo, long[] bytes) {
        bytes[0] = 1L << 20;
        return 0;
    }

    @Override
    public int backwardDataWorkspace(long h, long w, long dy, long conv, long dx, int algo, long[] bytes) {
        bytes[0] = 1L << 20;
        return 0;
    }

    @Override
    public int backwardFilterWorkspace(long h, long x, long dy, long conv, long dw, int algo, long[] bytes) {
        bytes[0] = 1L << 20;
        return 0;
    }

    @Override
    public int convolutionForward(long h, long xd, long x, long wd, long w, long cd, int algo, long ws, long wsBytes,
                                  long yd, long y) {
        return 0;
    }

    @Override
    public int convolutionBackwardData(long h, long wd, long w, long dyd, long dy, long cd, int algo, long ws,
                                       long wsBytes, long dxd, long dx) {
        return 0;
    }

    @Override
    public int convolutionBackwardFilter(long h, long xd, long x, long dyd, long dy, long cd, int algo, long ws,
                                         long wsBytes, long dwd, long dw) {
        return 0;
    }

    @Override
    public int convolutionBackwardBias(long h, long dyd, long dy, long dbd, long db) {
        return 0;
    }

    @Override
    public int addTensor(long h, long bd, long b, long yd, long y) {
        return 0;
    }

    @Override
    public int poolingForward(long h, long pd, long xd, long x, long yd, long y) {
        return 0;
    }

    @Override
    public int poolingBackward(long h, long pd, long yd, long y, long dyd, long dy, long xd, long x, long dxd,
                               long dx) {
        return 0;
    }

    @Override
    public int batchNormForwardTraining(long h, long xd, long x, long y, long bnd, long scale, long bias,
                                        double factor, long runMean, long runVar, double eps, long saveMean,
                                        long saveInvStd) {
        return 0;
    }

    @Override
    public int batchNormForwardInference(long h, long xd, long x, long y, long bnd, long scale, long bias, long mean,
                                         long var, double eps) {
        return 0;
    }

    @Override
    public int batchNormBackward(long h, long xd, long x, long dy, long dx, long bnd, long scale, long dScale,
                                 long dBias, double eps, long saveMean, long saveInvStd) {
        return 0;
    }

    @Override
    public String statusName(int status) {
        return jcuda.jcudnn.cudnnStatus.stringFor(status);
    }
}
