package io.jtrain.backend.cuda;

import io.jtrain.backend.Activation;
import io.jtrain.backend.Backend;
import io.jtrain.backend.BatchNormTensors;
import io.jtrain.backend.ConvSpec;
import io.jtrain.backend.GpuOptions;
import io.jtrain.backend.OptimizerParams;
import io.jtrain.backend.TensorStats;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.MemoryPool;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import io.jtrain.util.Sizes;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.runtime.JCuda;
import jcuda.runtime.cudaDeviceProp;
import jcuda.runtime.cudaStream_t;

/**
 * The CUDA backend: tensors in device memory from {@link CudaMemoryPool}, matrix products on cuBLAS
 * (JCublas2, TF32 off, workspace from the pool), convolution, pooling, batch norm, activations and softmax on
 * cuDNN when {@link CudnnDecision} allows it (else our kernels: im2col + cuBLAS, pooling and batch-norm
 * kernels), everything else on our own kernels (cuda-kernels). The choice is made once, in the constructor;
 * no op switches implementation later. One thread owns all GPU calls (the one that created the backend),
 * the device's primary context is used, and all work goes to one stream of ours (a blocking stream, so the
 * synchronous copies from and to Java arrays order with it). UNVERIFIED on hardware: written and compiled
 * without a GPU; {@code jtrain selftest --device cuda} checks it (docs/gpu.md).
 */
public final class CudaBackend implements Backend {
    private static final int H2D = 1;
    private static final int D2H = 2;
    private static final int D2D = 3;
    private final int ordinal;
    private final CudaMemoryPool pool;
    private final Kernels k;
    private final cublasHandle cublas = new cublasHandle();
    private final Thread owner = Thread.currentThread();
    private final CudaConv conv;
    private final CudaLosses losses;
    /** cuDNN or our kernels for convolution, pooling and batch norm; fixed when the backend opens. */
    private final SpatialOps spatial;
    private final cudaStream_t stream = new cudaStream_t();
    private final CudnnDecision cudnnDecision;
    private final Cudnn cudnn;
    private final String name;
    private Tensor cublasWorkspace;
    /** True only for the test backend without a device: copies and cuBLAS calls are skipped. */
    private final boolean dry;
    private Tensor scratch;
    private long hostToDevice;
    private long deviceToHost;

    /** Opens device {@code ordinal} with the default options; {@code capacity} as in the main constructor. */
    public CudaBackend(int ordinal, long capacity) {
        this(ordinal, capacity, GpuOptions.DEFAULT);
    }

    /**
     * Opens device {@code ordinal}: {@code capacity} bytes of pool (0 = the device's free memory at start);
     * {@code options} decide cuDNN and determinism. Fails (with the reason) on a compute capability below 7.5.
     */
    public CudaBackend(int ordinal, long capacity, GpuOptions options) {
        this.ordinal = ordinal;
        this.dry = false;
        cudaDeviceProp prop = new cudaDeviceProp();
        Cuda.runtime(JCuda.cudaGetDeviceProperties(prop, ordinal), "cudaGetDeviceProperties(" + ordinal + ")");
        if (prop.major * 10 + prop.minor < 75) {
            throw new IllegalStateException("GPU " + ordinal + " (" + prop.getName() + ") has compute capability "
                + prop.major + "." + prop.minor + "; jtrain's kernels need 7.5 (Turing) or newer");
        }
        this.name = prop.getName();
        Cuda.runtime(JCuda.cudaSetDevice(ordinal), "cudaSetDevice(" + ordinal + ")");
        Cuda.driver(JCudaDriver.cuInit(0), "cuInit");
        CUdevice dev = new CUdevice();
        Cuda.driver(JCudaDriver.cuDeviceGet(dev, ordinal), "cuDeviceGet");
        CUcontext ctx = new CUcontext();
        Cuda.driver(JCudaDriver.cuDevicePrimaryCtxRetain(ctx, dev), "cuDevicePrimaryCtxRetain");
        Cuda.driver(JCudaDriver.cuCtxSetCurrent(ctx), "cuCtxSetCurrent");
        this.pool = new CudaMemoryPool("cuda:" + ordinal, Long.MAX_VALUE);
        try {
            Cuda.runtime(JCuda.cudaStreamCreate(stream), "cudaStreamCreate");
            this.k = new Kernels(stream);
            Cuda.cublas(JCublas2.cublasCreate(cublas), "cublasCreate");
            Cuda.cublas(JCublas2.cublasSetStream(cublas, stream), "cublasSetStream");
            Cuda.cublas(JCublas2.cublasSetMathMode(cublas, 0), "cublasSetMathMode(CUBLAS_DEFAULT_MATH)");
            // cuBLAS asks for 4 MiB of workspace before Hopper and 32 MiB on Hopper; the pool owns it
            long wsBytes = prop.major >= 9 ? 32L << 20 : 4L << 20;
            this.cublasWorkspace = allocate(Shape.of((int) (wsBytes / 4)), MemoryCategory.WORKSPACE);
            Cuda.cublas(JCublas2.cublasSetWorkspace(cublas, ptr(cublasWorkspace), wsBytes), "cublasSetWorkspace",
                pool);
            this.conv = new CudaConv(this);
            this.losses = new CudaLosses(this);
            this.cudnnDecision = CudnnDecision.decide(options.cudnnAllowed(), prop.major, prop.minor);
            this.cudnn = cudnnDecision.enabled() ? new Cudnn(this, pool, stream, options.deterministic()) : null;
            this.spatial = cudnn != null ? cudnn : conv;
        } catch (RuntimeException | LinkageError e) {
            JCublas2.cublasDestroy(cublas);
            JCuda.cudaStreamDestroy(stream);
            pool.close();
            throw e;
        }
        // the capacity is what is free once the context, modules and library handles exist, plus what the pool holds
        long[] free = {0};
        long[] total = {0};
        Cuda.runtime(JCuda.cudaMemGetInfo(free, total), "cudaMemGetInfo");
        pool.setCapacityBytes(capacity > 0 ? capacity : free[0] + pool.reservedBytes());
    }

    /**
     * For tests only ({@code CudaLaunchTest}): a backend without a device, whose pool is {@code pool} (on a fake
     * device) and whose kernel launches go to {@code kernels}' recorder. cuBLAS, cuDNN and copies are unavailable.
     */
    CudaBackend(CudaMemoryPool pool, Kernels kernels) {
        this.ordinal = 0;
        this.name = "no device (launches recorded)";
        this.pool = pool;
        this.k = kernels;
        this.conv = new CudaConv(this);
        this.losses = new CudaLosses(this);
        this.cudnnDecision = CudnnDecision.off();
        this.cudnn = null;
        this.spatial = conv;
        this.dry = true;
    }

    /** Whether cuDNN is used, and the start-up line that says so. */
    public CudnnDecision cudnnDecision() {
        return cudnnDecision;
    }

    Kernels kernels() {
        return k;
    }

    /** Device pointer of a tensor (view offsets included); every op passes here, so it checks the thread. */
    Pointer ptr(Tensor t) {
        checkThread();
        if (t == null) {
            return null;
        }
        if (t.isHost()) {
            throw new IllegalArgumentException("tensor " + t.shape() + " is in host memory, not on " + device());
        }
        return pool.pointer(t.address());
    }

    void checkThread() {
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("CUDA backend used from thread " + Thread.currentThread().getName()
                + "; all GPU calls must come from " + owner.getName());
        }
    }

    /** Host-to-device and device-to-host copies so far (the self-test checks a training step's count). */
    public long[] copies() {
        return new long[] {hostToDevice, deviceToHost};
    }

    @Override
    public String device() {
        return "cuda:" + ordinal;
    }

    @Override
    public String description() {
        return "CUDA device " + ordinal + " (" + name + "), cuBLAS, " + cudnnDecision.line() + ", memory capacity "
            + Sizes.format(pool.capacityBytes());
    }

    @Override
    public MemoryPool pool() {
        return pool;
    }

    @Override
    public Tensor allocate(Shape shape, MemoryCategory category) {
        checkThread();
        return Tensor.allocate(pool, shape, category, false);
    }

    @Override
    public void upload(float[] src, int srcOffset, Tensor dst) {
        checkThread();
        java.util.Objects.checkFromIndexSize(srcOffset, (int) dst.size(), src.length);
        memcpy(ptr(dst), Pointer.to(src).withByteOffset(4L * srcOffset), 4 * dst.size(), H2D, "host to device");
        hostToDevice++;
    }

    @Override
    public void download(Tensor src, float[] dst, int dstOffset) {
        checkThread();
        java.util.Objects.checkFromIndexSize(dstOffset, (int) src.size(), dst.length);
        memcpy(Pointer.to(dst).withByteOffset(4L * dstOffset), ptr(src), 4 * src.size(), D2H, "device to host");
        deviceToHost++;
    }

    private float[] host(Tensor t) {
        float[] a = new float[(int) t.size()];
        download(t, a, 0);
        return a;
    }

    @Override
    public void fill(Tensor t, float value) {
        k.launch("fillValues", t.size(), t.size(), value, ptr(t));
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        same(src, dst);
        if (!dry) {
            Cuda.runtime(JCuda.cudaMemcpyAsync(ptr(dst), ptr(src), 4 * src.size(), D2D, stream),
                "cudaMemcpyAsync(device to device)");
        }
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        same(x, y);
        k.launch("axpy", x.size(), x.size(), alpha, ptr(x), ptr(y));
    }

    @Override
    public void scale(Tensor x, float alpha) {
        k.launch("scaleValues", x.size(), x.size(), alpha, ptr(x));
    }

    @Override
    public void multiply(Tensor a, Tensor b, Tensor out) {
        same(a, b);
        same(a, out);
        k.launch("multiplyValues", a.size(), a.size(), ptr(a), ptr(b), ptr(out));
    }

    @Override
    public void clamp(Tensor x, float lo, float hi) {
        k.launch("clampValues", x.size(), x.size(), lo, hi, ptr(x));
    }

    @Override
    public double sumSquares(Tensor x) {
        int grid = (int) Math.max(1, Math.min(1024, (x.size() + Kernels.BLOCK - 1) / Kernels.BLOCK));
        Tensor partial = scratch(2L * grid);
        k.launchGrid("sumSquaresPartial", grid, x.size(), ptr(x), ptr(partial));
        return hostSum(partial, grid, true);
    }

    /** Statistics are computed on the host from one download (used by the doctor's sampled detectors). */
    @Override
    public TensorStats stats(Tensor x) {
        float[] a = host(x);
        return TensorStats.of(a.length, i -> a[i]);
    }

    /** c = op(a) op(b) + beta c through cublasSgemm with the row-major mapping of {@link CublasMapping}. */
    void gemm(Pointer a, boolean ta, Pointer b, boolean tb, Pointer c, int[] mnk, float beta) {
        checkThread();
        if (dry) {
            return;
        }
        CublasMapping g = CublasMapping.rowMajor(ta, tb, mnk[0], mnk[1], mnk[2]);
        Cuda.cublas(JCublas2.cublasSgemm(cublas, g.transFirst() ? 1 : 0, g.transSecond() ? 1 : 0, g.m(), g.n(), g.k(),
            Pointer.to(new float[] {1f}), b, g.ldFirst(), a, g.ldSecond(), Pointer.to(new float[] {beta}), c, g.ldc()),
            "cublasSgemm", pool);
    }

    @Override
    public void matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, float beta) {
        int m = transA ? a.dim(1) : a.dim(0);
        int kk = transA ? a.dim(0) : a.dim(1);
        int n = transB ? b.dim(0) : b.dim(1);
        if ((transB ? b.dim(1) : b.dim(0)) != kk || c.dim(0) != m || c.dim(1) != n) {
            throw new IllegalArgumentException("matmul shapes do not agree: " + a.shape() + " x " + b.shape() + " -> "
                + c.shape());
        }
        gemm(ptr(a), transA, ptr(b), transB, ptr(c), new int[] {m, n, kk}, beta);
    }

    @Override
    public void addRowBias(Tensor y, Tensor b) {
        k.launch("addRowBias", y.size(), y.size() / b.size(), (int) b.size(), ptr(b), ptr(y));
    }

    @Override
    public void rowBiasGrad(Tensor dy, Tensor db) {
        k.launch("rowBiasGrad", db.size(), dy.size() / db.size(), (int) db.size(), ptr(dy), ptr(db));
    }

    @Override
    public long conv2dWorkspaceElements(Shape x, Shape w, ConvSpec spec) {
        return spatial.workspaceElements(x, w, spec);
    }

    @Override
    public void conv2dForward(Tensor x, Tensor w, Tensor b, Tensor y, ConvSpec spec, Tensor workspace) {
        spatial.convForward(x, w, b, y, spec, workspace);
    }

    @Override
    public void conv2dBackwardData(Tensor dy, Tensor w, Tensor dx, ConvSpec spec, Tensor workspace) {
        spatial.convBackwardData(dy, w, dx, spec, workspace);
    }

    @Override
    public void conv2dBackwardFilter(Tensor x, Tensor dy, Tensor dw, Tensor db, ConvSpec spec, Tensor workspace) {
        spatial.convBackwardFilter(x, dy, dw, db, spec, workspace);
    }

    @Override
    public void maxPoolForward(Tensor x, Tensor y, ConvSpec spec) {
        spatial.maxPoolForward(x, y, spec);
    }

    @Override
    public void maxPoolBackward(Tensor x, Tensor y, Tensor dy, Tensor dx, ConvSpec spec) {
        spatial.maxPoolBackward(x, y, dy, dx, spec);
    }

    @Override
    public void avgPoolForward(Tensor x, Tensor y, ConvSpec spec) {
        spatial.avgPoolForward(x, y, spec);
    }

    /** Always our kernel: cuDNN's pooling backward needs x and y, which this op does not receive. */
    @Override
    public void avgPoolBackward(Tensor dy, Tensor dx, ConvSpec spec) {
        conv.pool("avgPoolBackward", null, dy, dx, spec);
    }

    @Override
    public void batchNormForwardTraining(Tensor x, Tensor y, BatchNormTensors bn, float momentum, float eps) {
        spatial.batchNormTraining(x, y, bn, momentum, eps);
    }

    @Override
    public void batchNormForwardInference(Tensor x, Tensor y, BatchNormTensors bn, float eps) {
        spatial.batchNormInference(x, y, bn, eps);
    }

    @Override
    public void batchNormBackward(Tensor x, Tensor dy, Tensor dx, BatchNormTensors bn) {
        spatial.batchNormBackward(x, dy, dx, bn);
    }

    @Override
    public void activationForward(Activation act, Tensor x, Tensor y) {
        same(x, y);
        if (cudnn != null && Cudnn.supports(act.kind())) {
            cudnn.activationForward(act, x, y);
            return;
        }
        k.launch("activationForward", x.size(), x.size(), act.kind().ordinal(), act.alpha(), ptr(x), ptr(y));
    }

    @Override
    public void activationBackward(Activation act, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        same(x, dx);
        if (cudnn != null && Cudnn.supports(act.kind())) {
            cudnn.activationBackward(act, x, y, dy, dx);
            return;
        }
        k.launch("activationBackward", x.size(), x.size(), act.kind().ordinal(), act.alpha(), ptr(x), ptr(y), ptr(dy),
            ptr(dx));
    }

    @Override
    public void softmaxRows(Tensor x, Tensor y) {
        same(x, y);
        if (cudnn != null) {
            cudnn.softmaxRows(x, y);
            return;
        }
        k.launch("softmaxRows", x.dim(0), (long) x.dim(0), (int) (x.size() / x.dim(0)), ptr(x), ptr(y));
    }

    /**
     * On cuDNN; without it, on the host (two downloads and an upload: the softmax layer's backward is only used
     * when softmax is not fused into the loss).
     */
    @Override
    public void softmaxRowsBackward(Tensor y, Tensor dy, Tensor dx) {
        if (cudnn != null) {
            cudnn.softmaxRowsBackward(y, dy, dx);
            return;
        }
        losses.softmaxRowsBackwardOnHost(y, dy, dx);
    }

    @Override
    public float softmaxCrossEntropy(Tensor logits, Tensor target, Tensor dLogits, float gradScale) {
        return losses.softmaxCrossEntropy(logits, target, dLogits, gradScale);
    }

    @Override
    public float binaryCrossEntropyWithLogits(Tensor logits, Tensor target, Tensor dLogits, float gradScale) {
        return losses.binaryCrossEntropyWithLogits(logits, target, dLogits, gradScale);
    }

    @Override
    public float meanSquaredError(Tensor pred, Tensor target, Tensor dPred, float gradScale) {
        return losses.meanSquaredError(pred, target, dPred, gradScale);
    }

    /** A synchronous copy on the legacy stream (ordered with ours, a blocking stream). */
    private void memcpy(Pointer dst, Pointer src, long bytes, int kind, String what) {
        if (!dry) {
            Cuda.runtime(JCuda.cudaMemcpy(dst, src, bytes, kind), "cudaMemcpy(" + what + ")");
        }
    }

    /** The sum, on the host after one download, of the first n floats (or doubles) of device buffer t. */
    double hostSum(Tensor t, int n, boolean doubles) {
        double s = 0;
        if (doubles) {
            double[] a = new double[n];
            memcpy(Pointer.to(a), ptr(t), 8L * n, D2H, "partial sums");
            for (double v : a) {
                s += v;
            }
        } else {
            float[] a = new float[n];
            memcpy(Pointer.to(a), ptr(t), 4L * n, D2H, "losses");
            for (float v : a) {
                s += v;
            }
        }
        deviceToHost++;
        return s;
    }

    @Override
    public void dropoutForward(Tensor x, Tensor mask, Tensor y, float p, long seed) {
        same(x, y);
        k.launch("dropoutForward", x.size(), x.size(), p, seed, ptr(x), ptr(mask), ptr(y));
    }

    @Override
    public void sgdStep(Tensor w, Tensor g, Tensor velocity, OptimizerParams p) {
        losses.sgdStep(w, g, velocity, p);
    }

    @Override
    public void adamStep(Tensor w, Tensor g, Tensor m, Tensor v, OptimizerParams p) {
        losses.adamStep(w, g, m, v, p);
    }

    @Override
    public void rmspropStep(Tensor w, Tensor g, Tensor sq, OptimizerParams p) {
        losses.rmspropStep(w, g, sq, p);
    }

    /** A reusable device buffer of at least {@code n} floats (grown, never shrunk). */
    Tensor scratch(long n) {
        if (scratch == null || scratch.size() < n) {
            if (scratch != null) {
                scratch.close();
            }
            scratch = allocate(Shape.of((int) Math.max(n, 1024)), MemoryCategory.WORKSPACE);
        }
        return scratch;
    }

    static void same(Tensor a, Tensor b) {
        if (a.size() != b.size()) {
            throw new IllegalArgumentException("sizes differ: " + a.shape() + " vs " + b.shape());
        }
    }

    @Override
    public void synchronize() {
        Cuda.runtime(JCuda.cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    }

    @Override
    public void close() {
        if (scratch != null) {
            scratch.close();
        }
        if (cudnn != null) {
            cudnn.close();
        }
        JCublas2.cublasDestroy(cublas);
        cublasWorkspace.close();
        JCuda.cudaStreamDestroy(stream);
        pool.close();
    }
}
