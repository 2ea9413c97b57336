package io.jtrain.backend.cuda;

import java.util.List;

/** A {@link CudnnApi} that counts its compute calls as launches in {@link DeviceCounters} and forwards everything. */
public final class CountingCudnnApi implements CudnnApi {
    private final CudnnApi d;
    private final DeviceCounters c;

    public CountingCudnnApi(CudnnApi delegate, DeviceCounters counters) {
        this.d = delegate;
        this.c = counters;
    }

    @Override
    public long version() {
        return d.version();
    }

    @Override
    public long cudartVersion() {
        return d.cudartVersion();
    }

    @Override
    public double minBatchNormEpsilon() {
        return d.minBatchNormEpsilon();
    }

    @Override
    public int create(long[] handle) {
        return d.create(handle);
    }

    @Override
    public int destroy(long handle) {
        return d.destroy(handle);
    }

    @Override
    public int setStream(long handle, long stream) {
        return d.setStream(handle, stream);
    }

    @Override
    public int tensor4d(long[] desc, int n, int c, int h, int w) {
        return d.tensor4d(desc, n, c, h, w);
    }

    @Override
    public int filter4d(long[] desc, int k, int c, int h, int w) {
        return d.filter4d(desc, k, c, h, w);
    }

    @Override
    public int convolution2d(long[] desc, int ph, int pw, int sh, int sw) {
        return d.convolution2d(desc, ph, pw, sh, sw);
    }

    @Override
    public int pooling2d(long[] desc, PoolMode mode, int kh, int kw, int ph, int pw, int sh, int sw) {
        return d.pooling2d(desc, mode, kh, kw, ph, pw, sh, sw);
    }

    @Override
    public int deriveBatchNorm(long[] desc, long xDesc) {
        return d.deriveBatchNorm(desc, xDesc);
    }

    @Override
    public int destroyDescriptor(long desc) {
        return d.destroyDescriptor(desc);
    }

    @Override
    public int forwardAlgorithms(long h, long x, long w, long conv, long y, List<ConvAlgorithms.Candidate> out) {
        return d.forwardAlgorithms(h, x, w, conv, y, out);
    }

    @Override
    public int backwardDataAlgorithms(long h, long w, long dy, long conv, long dx, List<ConvAlgorithms.Candidate> out) {
        return d.backwardDataAlgorithms(h, w, dy, conv, dx, out);
    }

    @Override
    public int backwardFilterAlgorithms(long h, long x, long dy, long conv, long dw,
        List<ConvAlgorithms.Candidate> out) {
        return d.backwardFilterAlgorithms(h, x, dy, conv, dw, out);
    }

    @Override
    public int forwardWorkspace(long h, long x, long w, long conv, long y, int algo, long[] bytes) {
        return d.forwardWorkspace(h, x, w, conv, y, algo, bytes);
    }

    @Override
    public int backwardDataWorkspace(long h, long w, long dy, long conv, long dx, int algo, long[] bytes) {
        return d.backwardDataWorkspace(h, w, dy, conv, dx, algo, bytes);
    }

    @Override
    public int backwardFilterWorkspace(long h, long x, long dy, long conv, long dw, int algo, long[] bytes) {
        return d.backwardFilterWorkspace(h, x, dy, conv, dw, algo, bytes);
    }

    @Override
    public int convolutionForward(long h, long xd, long x, long wd, long w, long cd, int algo, long ws, long wsBytes,
        long yd, long y) {
        c.launch("cudnn.convolutionForward");
        return d.convolutionForward(h, xd, x, wd, w, cd, algo, ws, wsBytes, yd, y);
    }

    @Override
    public int convolutionBackwardData(long h, long wd, long w, long dyd, long dy, long cd, int algo, long ws,
        long wsBytes, long dxd, long dx) {
        c.launch("cudnn.convolutionBackwardData");
        return d.convolutionBackwardData(h, wd, w, dyd, dy, cd, algo, ws, wsBytes, dxd, dx);
    }

    @Override
    public int convolutionBackwardFilter(long h, long xd, long x, long dyd, long dy, long cd, int algo, long ws,
        long wsBytes, long dwd, long dw) {
        c.launch("cudnn.convolutionBackwardFilter");
        return d.convolutionBackwardFilter(h, xd, x, dyd, dy, cd, algo, ws, wsBytes, dwd, dw);
    }

    @Override
    public int convolutionBackwardBias(long h, long dyd, long dy, long dbd, long db) {
        c.launch("cudnn.convolutionBackwardBias");
        return d.convolutionBackwardBias(h, dyd, dy, dbd, db);
    }

    @Override
    public int addTensor(long h, long bd, long b, long yd, long y) {
        c.launch("cudnn.addTensor");
        return d.addTensor(h, bd, b, yd, y);
    }

    @Override
    public int poolingForward(long h, long pd, long xd, long x, long yd, long y) {
        c.launch("cudnn.poolingForward");
        return d.poolingForward(h, pd, xd, x, yd, y);
    }

    @Override
    public int poolingBackward(long h, long pd, long yd, long y, long dyd, long dy, long xd, long x, long dxd,
        long dx) {
        c.launch("cudnn.poolingBackward");
        return d.poolingBackward(h, pd, yd, y, dyd, dy, xd, x, dxd, dx);
    }

    @Override
    public int batchNormForwardTraining(long h, long xd, long x, long y, long bnd, long scale, long bias, double factor,
        long runMean, long runVar, double eps, long saveMean, long saveInvStd) {
        c.launch("cudnn.batchNormForwardTraining");
        return d.batchNormForwardTraining(h, xd, x, y, bnd, scale, bias, factor, runMean, runVar, eps, saveMean,
            saveInvStd);
    }

    @Override
    public int batchNormForwardInference(long h, long xd, long x, long y, long bnd, long scale, long bias, long mean,
        long var, double eps) {
        c.launch("cudnn.batchNormForwardInference");
        return d.batchNormForwardInference(h, xd, x, y, bnd, scale, bias, mean, var, eps);
    }

    @Override
    public int batchNormBackward(long h, long xd, long x, long dy, long dx, long bnd, long scale, long dScale,
        long dBias, double eps, long saveMean, long saveInvStd) {
        c.launch("cudnn.batchNormBackward");
        return d.batchNormBackward(h, xd, x, dy, dx, bnd, scale, dScale, dBias, eps, saveMean, saveInvStd);
    }

    @Override
    public String statusName(int status) {
        return d.statusName(status);
    }
}
