package io.jtrain.backend.cuda;

import io.jtrain.backend.Activation;
import io.jtrain.backend.Backend;
import io.jtrain.backend.BatchNormTensors;
import io.jtrain.backend.ConvSpec;
import io.jtrain.backend.GpuOptions;
import io.jtrain.backend.HostBuffer;
import io.jtrain.backend.OpChecks;
import io.jtrain.backend.OptimizerParams;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.MemoryPool;
import io.jtrain.tensor.OutOfMemoryException;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import io.jtrain.util.Sizes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The CUDA backend: tensors in device memory from {@link CudaMemoryPool}, matrix products on cuBLAS
 * (TF32 off, workspace from the pool), convolution, pooling and batch norm on cuDNN 8 when its start-up
 * probe passed ({@link CudnnDecision}) or else on our kernels ({@link KernelSpatialOps}), everything else on
 * our kernels (cuda-kernels). Every native call goes through {@link CudaApi} and {@link CudnnApi}, so the
 * same code runs on a GPU, on the recording fake device of the step budget and on the CPU emulation of the
 * tests. The choices are made once, when the backend opens; no op switches implementation later. One
 * thread owns all GPU calls (the one that opened it); the device's primary context is used; all work goes
 * to one stream of ours (a blocking stream, so the synchronous copies from Java arrays order with it);
 * batches come from page-locked memory asynchronously. Opening releases what it made when a step fails,
 * without masking the first error; {@link #close} is best effort and never throws (after a sticky device
 * error every call fails). A training step needs one blocking transfer (its loss accumulator).
 */
public final class CudaBackend implements Backend {
    /** Scratch buffers, each grown on demand and kept (so steady-state steps allocate nothing). */
    enum Slot { PARTIALS, CHANNEL_SUMS, LOSS_ITEMS, CLIP_PARTIALS }

    /** Head-room left free on the device when the pool's capacity is the device's free memory. */
    static long headroomBytes(long totalBytes) {
        return Math.max(256L << 20, totalBytes / 20);
    }

    private final CudaApi api;
    private final int ordinal;
    private final CudaApi.DeviceInfo info;
    private final Thread owner = Thread.currentThread();
    private final Deque<Cleanup> cleanup = new ArrayDeque<>();
    private final List<String> closeProblems = new ArrayList<>();
    private final Map<Slot, Tensor> scratch = new EnumMap<>(Slot.class);
    private final CudaMemoryPool pool;
    private final long stream;
    private final long cublas;
    private final Kernels k;
    private final CudaReductions red;
    private final KernelSpatialOps ours;
    private final CudnnSpatialOps cudnn;
    private final SpatialOps spatial;
    private final CudaLossOps losses;
    private final CudaOptimizerOps optim;
    private final CudnnDecision cudnnDecision;
    private long hostToDevice;
    private long deviceToHost;
    private boolean closed;

    /** A release step of the open sequence (run in reverse on failure and on close). */
    @FunctionalInterface
    private interface Cleanup {
        void run() throws Exception;
    }

    /** What to do about cuDNN once the device is open: its decision and, when enabled, its API. */
    public record CudnnChoice(CudnnDecision decision, CudnnApi api) {
        public static CudnnChoice off(CudnnDecision why) {
            return new CudnnChoice(why, null);
        }
    }

    /** Chooses cuDNN for an opened device (the real probe, a mock, or none). */
    @FunctionalInterface
    public interface CudnnSource {
        CudnnChoice choose(CudaApi.DeviceInfo device, GpuOptions options);
    }

    /**
     * Opens GPU {@code ordinal} through JCuda: {@code capacity} bytes of pool (0 = the device's free memory at
     * start, less head-room); {@code options} decide cuDNN (probed in a child process, see {@link CudnnProbe})
     * and determinism. Fails (with the reason) on a compute capability below 7.5 or a library that does not load.
     */
    public static CudaBackend open(int ordinal, long capacity, GpuOptions options) {
        JCudaApi api = new JCudaApi();
        return new CudaBackend(api, ordinal, capacity, options, (dev, o) -> CudnnProbe.choose(api, ordinal, dev, o));
    }

    /** Opens a device through any {@link CudaApi} (the recording fake device, the emulation of the tests). */
    public static CudaBackend open(CudaApi api, int ordinal, long capacity, GpuOptions options, CudnnSource cudnn) {
        return new CudaBackend(api, ordinal, capacity, options, cudnn);
    }

    private CudaBackend(CudaApi api, int ordinal, long capacity, GpuOptions options, CudnnSource cudnnSource) {
        this.api = api;
        this.ordinal = ordinal;
        try {
            CudaApi.DeviceInfo[] dev = new CudaApi.DeviceInfo[1];
            Cuda.runtime(api, api.deviceInfo(ordinal, dev), "cudaGetDeviceProperties(" + ordinal + ")");
            this.info = dev[0];
            if (info.ccMajor() * 10 + info.ccMinor() < 75) {
                throw new IllegalStateException("GPU " + ordinal + " (" + info.name() + ") has compute capability "
                    + info.ccMajor() + "." + info.ccMinor() + "; jtrain's kernels need 7.5 (Turing) or newer");
            }
            Cuda.driver(api, api.openContext(ordinal), "opening the primary context of GPU " + ordinal, null);
            cleanup.push(() -> api.closeContext(ordinal));
            this.pool = new CudaMemoryPool("cuda:" + ordinal, Long.MAX_VALUE, api);
            cleanup.push(pool::close);
            long[] h = {0};
            Cuda.runtime(api, api.streamCreate(h), "cudaStreamCreate", pool);
            this.stream = h[0];
            cleanup.push(() -> api.streamDestroy(stream));
            this.k = new Kernels(api, stream, Kernels.syncRequested(), pool);
            cleanup.push(k::close);
            Cuda.cublas(api, api.cublasCreate(h), "cublasCreate", pool);
            this.cublas = h[0];
            cleanup.push(() -> api.cublasDestroy(cublas));
            Cuda.cublas(api, api.cublasSetStream(cublas, stream), "cublasSetStream", pool);
            Cuda.cublas(api, api.cublasSetMathMode(cublas, 0), "cublasSetMathMode(CUBLAS_DEFAULT_MATH)", pool);
            // cuBLAS asks for 4 MiB of workspace before Hopper and 32 MiB on Hopper; the pool owns it
            long wsBytes = info.ccMajor() >= 9 ? 32L << 20 : 4L << 20;
            Tensor ws = allocate(Shape.of((int) (wsBytes / 4)), MemoryCategory.WORKSPACE);
            Cuda.cublas(api, api.cublasSetWorkspace(cublas, ws.address(), wsBytes), "cublasSetWorkspace", pool);
            this.red = new CudaReductions(this);
            this.ours = new KernelSpatialOps(this, red);
            this.losses = new CudaLossOps(this);
            this.optim = new CudaOptimizerOps(this);
            CudnnChoice choice = options.cudnnAllowed() ? cudnnSource.choose(info, options)
                : CudnnChoice.off(CudnnDecision.off());
            CudnnSpatialOps c = null;
            CudnnDecision decision = choice.decision();
            if (decision.enabled()) {
                try {
                    c = new CudnnSpatialOps(this, choice.api(), pool, stream, options.deterministic());
                    CudnnSpatialOps made = c;
                    cleanup.push(made::close);
                } catch (OutOfMemoryException e) {
                    throw e;
                } catch (RuntimeException | LinkageError e) {
                    decision = CudnnDecision.failedToStart(decision, firstLine(e));
                }
            }
            this.cudnn = c;
            this.cudnnDecision = decision;
            this.spatial = cudnn != null ? cudnn : ours;
            long[] free = {0};
            long[] total = {0};
            Cuda.runtime(api, api.memGetInfo(free, total), "cudaMemGetInfo");
            long auto = Math.max(0, free[0] - headroomBytes(total[0])) + pool.reservedBytes();
            pool.setCapacityBytes(capacity > 0 ? capacity : auto);
        } catch (RuntimeException | LinkageError e) {
            releaseAll(e);
            throw e;
        }
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }

    /** Runs the cleanup stack; failures are kept (and added to {@code cause} when opening failed). */
    private void releaseAll(Throwable cause) {
        while (!cleanup.isEmpty()) {
            try {
                cleanup.pop().run();
            } catch (Exception | LinkageError e) {
                closeProblems.add(e.toString());
                if (cause != null) {
                    cause.addSuppressed(e);
                }
            }
        }
    }

    /** Whether cuDNN is used, and the start-up line that says so. */
    public CudnnDecision cudnnDecision() {
        return cudnnDecision;
    }

    /** The device's properties. */
    public CudaApi.DeviceInfo deviceInfo() {
        return info;
    }

    /** Problems met while releasing native resources (after a sticky device error); empty normally. */
    public List<String> closeProblems() {
        List<String> all = new ArrayList<>(closeProblems);
        all.addAll(pool.cleanupProblems());
        return all;
    }

    Kernels kernels() {
        return k;
    }

    CudaApi api() {
        return api;
    }

    /** Device address of a tensor (view offsets included); every op passes here, so it checks the thread. */
    long addr(Tensor t) {
        checkThread();
        if (t == null) {
            return 0;
        }
        if (t.isHost()) {
            throw new IllegalArgumentException("tensor " + t.shape() + " is in host memory, not on " + device());
        }
        return t.address();
    }

    /** A tensor as a kernel pointer argument (null stays null). */
    CudaApi.DevPtr dp(Tensor t) {
        return t == null ? null : new CudaApi.DevPtr(addr(t));
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
        return "CUDA device " + ordinal + " (" + info.name() + ", compute capability " + info.ccMajor() + "."
            + info.ccMinor() + "), cuBLAS, " + cudnnDecision.line() + ", memory capacity "
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
        OpChecks.copyRange("upload", srcOffset, dst.size(), src.length);
        Cuda.runtime(api, api.copyToDevice(addr(dst), src, srcOffset, dst.size()), "cudaMemcpy(host to device)", pool);
        hostToDevice++;
    }

    @Override
    public void download(Tensor src, float[] dst, int dstOffset) {
        OpChecks.copyRange("download", dstOffset, src.size(), dst.length);
        Cuda.runtime(api, api.copyToHost(dst, dstOffset, addr(src), src.size()), "cudaMemcpy(device to host)");
        deviceToHost++;
    }

    @Override
    public HostBuffer allocateHost(long floats) {
        checkThread();
        return new PinnedBuffer(this, floats);
    }

    @Override
    public void upload(HostBuffer src, long srcOffset, Tensor dst) {
        OpChecks.copyRange("upload", srcOffset, dst.size(), src.size());
        PinnedBuffer b = pinned(src);
        java.util.Objects.checkFromIndexSize(srcOffset, dst.size(), b.size());
        Cuda.runtime(api, api.copyToDeviceAsync(addr(dst), b.bytes(), 4 * srcOffset, 4 * dst.size(), stream),
            "cudaMemcpyAsync(page-locked host to device)", pool);
        b.recorded(stream);
        hostToDevice++;
    }

    @Override
    public void downloadAsync(Tensor src, HostBuffer dst, long dstOffset) {
        OpChecks.copyRange("downloadAsync", dstOffset, src.size(), dst.size());
        PinnedBuffer b = pinned(dst);
        java.util.Objects.checkFromIndexSize(dstOffset, src.size(), b.size());
        Cuda.runtime(api, api.copyToHostAsync(b.bytes(), 4 * dstOffset, addr(src), 4 * src.size(), stream),
            "cudaMemcpyAsync(device to page-locked host)");
        b.recorded(stream);
        deviceToHost++;
    }

    @Override
    public void awaitCopies(HostBuffer buffer) {
        checkThread();
        pinned(buffer).await();
    }

    private PinnedBuffer pinned(HostBuffer b) {
        if (b instanceof PinnedBuffer p && p.owner() == this) {
            return p;
        }
        throw new IllegalArgumentException("host buffer was not allocated by " + device());
    }

    @Override
    public void fill(Tensor t, float value) {
        k.launch("fillValues", t.size(), t.size(), value, dp(t));
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        OpChecks.same("copy", src, dst);
        Cuda.runtime(api, api.copyDeviceAsync(addr(dst), addr(src), 4 * src.size(), stream),
            "cudaMemcpyAsync(device to device)");
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        OpChecks.same("axpy", x, y);
        k.launch("axpy", x.size(), x.size(), alpha, dp(x), dp(y));
    }

    @Override
    public void scale(Tensor x, float alpha) {
        k.launch("scaleValues", x.size(), x.size(), alpha, dp(x));
    }

    @Override
    public void multiply(Tensor a, Tensor b, Tensor out) {
        OpChecks.same("multiply", a, b, out);
        k.launch("multiplyValues", a.size(), a.size(), dp(a), dp(b), dp(out));
    }

    @Override
    public void clamp(Tensor x, float lo, float hi) {
        k.launch("clampValues", x.size(), x.size(), lo, hi, dp(x));
    }

    @Override
    public double sumSquares(Tensor x) {
        return red.sumSquares(x);
    }

    @Override
    public void reduceStats(Tensor x, Tensor out) {
        OpChecks.atLeast("reduceStats", out, 6);
        red.stats(x, out);
    }

    @Override
    public void unitStats(Tensor y, float hi, float lo, Tensor out) {
        OpChecks.unitStats(y, out);
        red.unitStats(y, hi, lo, out);
    }

    @Override
    public void clipByGlobalNorm(List<Tensor> grads, float maxNorm, Tensor out) {
        OpChecks.atLeast("clipByGlobalNorm", out, 2);
        red.clip(grads, maxNorm, out);
    }

    /** c = op(a) op(b) + beta c through cublasSgemm with the row-major mapping of {@link CublasMapping}. */
    void gemm(long a, boolean ta, long b, boolean tb, long c, int[] mnk, float beta) {
        checkThread();
        CublasMapping g = CublasMapping.rowMajor(ta, tb, mnk[0], mnk[1], mnk[2]);
        Cuda.cublas(api, api.sgemm(cublas, g.transFirst() ? 1 : 0, g.transSecond() ? 1 : 0, g.m(), g.n(), g.k(), 1f,
            b, g.ldFirst(), a, g.ldSecond(), beta, c, g.ldc()), "cublasSgemm", pool);
        k.afterCall("cublasSgemm");
    }

    /**
     * {@code batch} products c_i = op(a_i) op(b_i) + beta c_i, row-major [M, K] x [K, N] (mnk), a_i at
     * a + i * strideA floats (stride 0: the same matrix for all), likewise b and c: one cuBLAS call.
     */
    void gemmBatched(long a, long strideA, boolean ta, long b, long strideB, boolean tb, long c, long strideC,
                     int[] mnk, float beta, int batch) {
        checkThread();
        CublasMapping g = CublasMapping.rowMajor(ta, tb, mnk[0], mnk[1], mnk[2]);
        Cuda.cublas(api, api.sgemmStridedBatched(cublas, g.transFirst() ? 1 : 0, g.transSecond() ? 1 : 0, g.m(), g.n(),
            g.k(), 1f, b, g.ldFirst(), strideB, a, g.ldSecond(), strideA, beta, c, g.ldc(), strideC, batch),
            "cublasSgemmStridedBatched", pool);
        k.afterCall("cublasSgemmStridedBatched");
    }

    @Override
    public void matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, float beta) {
        OpChecks.matmul(a, transA, b, transB, c);
        int m = transA ? a.dim(1) : a.dim(0);
        int kk = transA ? a.dim(0) : a.dim(1);
        int n = transB ? b.dim(0) : b.dim(1);
        gemm(addr(a), transA, addr(b), transB, addr(c), new int[] {m, n, kk}, beta);
    }

    @Override
    public void addRowBias(Tensor y, Tensor b) {
        OpChecks.rows("addRowBias", y, b);
        k.launch("addRowBias", y.size(), y.size() / b.size(), (int) b.size(), dp(b), dp(y));
    }

    @Override
    public void rowBiasGrad(Tensor dy, Tensor db) {
        OpChecks.rows("rowBiasGrad", dy, db);
        red.channelSum((int) (dy.size() / db.size()), (int) db.size(), 1, dy, db);
    }

    @Override
    public long conv2dWorkspaceElements(Shape x, Shape w, ConvSpec spec) {
        return spatial.workspaceElements(x, w, spec);
    }

    @Override
    public void conv2dForward(Tensor x, Tensor w, Tensor b, Tensor y, ConvSpec spec, Tensor workspace) {
        OpChecks.conv("conv2d forward", x, w, b, y, spec, workspace,
            () -> conv2dWorkspaceElements(x.shape(), w.shape(), spec));
        spatial.convForward(x, w, b, y, spec, workspace);
    }

    @Override
    public void conv2dBackwardData(Tensor dy, Tensor w, Tensor dx, ConvSpec spec, Tensor workspace) {
        OpChecks.conv("conv2d backward data", dx, w, null, dy, spec, workspace,
            () -> conv2dWorkspaceElements(dx.shape(), w.shape(), spec));
        spatial.convBackwardData(dy, w, dx, spec, workspace);
    }

    @Override
    public void conv2dBackwardFilter(Tensor x, Tensor dy, Tensor dw, Tensor db, ConvSpec spec, Tensor workspace) {
        OpChecks.conv("conv2d backward filter", x, dw, db, dy, spec, workspace,
            () -> conv2dWorkspaceElements(x.shape(), dw.shape(), spec));
        spatial.convBackwardFilter(x, dy, dw, db, spec, workspace);
    }

    @Override
    public void maxPoolForward(Tensor x, Tensor y, ConvSpec spec) {
        OpChecks.pool("max pool", x, y, spec);
        spatial.maxPoolForward(x, y, spec);
    }

    @Override
    public void maxPoolBackward(Tensor x, Tensor y, Tensor dy, Tensor dx, ConvSpec spec) {
        OpChecks.pool("max pool backward", x, y, spec);
        OpChecks.same("max pool backward", x, dx);
        OpChecks.same("max pool backward", y, dy);
        spatial.maxPoolBackward(x, y, dy, dx, spec);
    }

    @Override
    public void avgPoolForward(Tensor x, Tensor y, ConvSpec spec) {
        OpChecks.pool("average pool", x, y, spec);
        spatial.avgPoolForward(x, y, spec);
    }

    /** Always our kernel: cuDNN's pooling backward needs x and y, which this op does not receive. */
    @Override
    public void avgPoolBackward(Tensor dy, Tensor dx, ConvSpec spec) {
        OpChecks.pool("average pool backward", dx, dy, spec);
        ours.pool("avgPoolBackward", null, dy, dx, spec);
    }

    @Override
    public void batchNormForwardTraining(Tensor x, Tensor y, BatchNormTensors bn, float momentum, float eps) {
        OpChecks.batchNorm("batch norm", x, bn, y);
        spatial.batchNormTraining(x, y, bn, momentum, eps);
    }

    @Override
    public void batchNormForwardInference(Tensor x, Tensor y, BatchNormTensors bn, float eps) {
        OpChecks.batchNorm("batch norm inference", x, bn, y);
        spatial.batchNormInference(x, y, bn, eps);
    }

    @Override
    public void batchNormBackward(Tensor x, Tensor dy, Tensor dx, BatchNormTensors bn) {
        OpChecks.batchNorm("batch norm backward", x, bn, dy, dx);
        spatial.batchNormBackward(x, dy, dx, bn);
    }

    @Override
    public void activationForward(Activation act, Tensor x, Tensor y) {
        OpChecks.same("activation", x, y);
        k.launch("activationForward", x.size(), x.size(), act.kind().ordinal(), act.alpha(), dp(x), dp(y));
    }

    @Override
    public void activationBackward(Activation act, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        OpChecks.same("activation backward", x, y, dy, dx);
        k.launch("activationBackward", x.size(), x.size(), act.kind().ordinal(), act.alpha(), dp(x), dp(y), dp(dy),
            dp(dx));
    }

    @Override
    public void softmaxRows(Tensor x, Tensor y) {
        OpChecks.same("softmax", x, y);
        k.launch("softmaxRows", x.dim(0), (long) x.dim(0), (int) (x.size() / x.dim(0)), dp(x), dp(y));
    }

    @Override
    public void softmaxRowsBackward(Tensor y, Tensor dy, Tensor dx) {
        OpChecks.same("softmax backward", y, dy, dx);
        k.launch("softmaxRowsBackward", y.dim(0), (long) y.dim(0), (int) (y.size() / y.dim(0)), dp(y), dp(dy), dp(dx));
    }

    @Override
    public void softmaxCrossEntropy(Tensor logits, Tensor target, Tensor dLogits, float gradScale, Tensor acc) {
        OpChecks.crossEntropy(logits, target, dLogits, acc);
        losses.softmaxCrossEntropy(logits, target, dLogits, gradScale, acc);
    }

    @Override
    public void binaryCrossEntropyWithLogits(Tensor logits, Tensor target, Tensor dLogits, float gradScale,
                                             Tensor acc) {
        OpChecks.elementLoss("binary cross-entropy", logits, target, dLogits, acc);
        losses.binaryCrossEntropyWithLogits(logits, target, dLogits, gradScale, acc);
    }

    @Override
    public void meanSquaredError(Tensor pred, Tensor target, Tensor dPred, float gradScale, Tensor acc) {
        OpChecks.elementLoss("mean squared error", pred, target, dPred, acc);
        losses.meanSquaredError(pred, target, dPred, gradScale, acc);
    }

    @Override
    public void dropoutForward(Tensor x, Tensor mask, Tensor y, float p, long seed) {
        OpChecks.same("dropout", x, mask, y);
        k.launch("dropoutForward", x.size(), x.size(), p, seed, dp(x), dp(mask), dp(y));
    }

    @Override
    public void sgdStep(Tensor w, Tensor g, Tensor velocity, OptimizerParams p) {
        OpChecks.sgd(w, g, velocity, p);
        optim.sgdStep(w, g, velocity, p);
    }

    @Override
    public void adamStep(Tensor w, Tensor g, Tensor m, Tensor v, OptimizerParams p) {
        OpChecks.same("adam", w, g, m, v);
        optim.adamStep(w, g, m, v, p);
    }

    @Override
    public void rmspropStep(Tensor w, Tensor g, Tensor sq, OptimizerParams p) {
        OpChecks.same("rmsprop", w, g, sq);
        optim.rmspropStep(w, g, sq, p);
    }

    /** A reusable device buffer of at least {@code n} floats for one purpose (grown, never shrunk). */
    Tensor scratch(Slot slot, long n) {
        Tensor t = scratch.get(slot);
        if (t == null || t.size() < n) {
            if (t != null) {
                t.close();
            }
            long size = Math.max(n, 1024);
            t = allocate(size > Integer.MAX_VALUE ? Shape.of((int) ((size + 1023) / 1024), 1024) : Shape.of((int) size),
                MemoryCategory.WORKSPACE);
            scratch.put(slot, t);
        }
        return t;
    }

    static void same(Tensor a, Tensor b) {
        if (a.size() != b.size()) {
            throw new IllegalArgumentException("sizes differ: " + a.shape() + " vs " + b.shape());
        }
    }

    @Override
    public void synchronize() {
        Cuda.runtime(api, api.streamSynchronize(stream), "cudaStreamSynchronize");
    }

    /** Releases everything; best effort and idempotent, never throws (see {@link #closeProblems}). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        scratch.clear();
        releaseAll(null);
    }
}
