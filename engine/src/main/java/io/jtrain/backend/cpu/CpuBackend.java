package io.jtrain.backend.cpu;

import io.jtrain.backend.Activation;
import io.jtrain.backend.Backend;
import io.jtrain.backend.BatchNormTensors;
import io.jtrain.backend.ConvSpec;
import io.jtrain.backend.HostBuffer;
import io.jtrain.backend.OpChecks;
import io.jtrain.backend.OptimizerParams;
import io.jtrain.backend.TensorStats;
import io.jtrain.tensor.CpuMemoryPool;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.MemoryPool;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import io.jtrain.tensor.HostMemory;

/**
 * The CPU backend: tensors in off-heap host memory; convolutions, max pooling, batch norm on oneDNN's layouts and
 * large ReLUs through oneDNN, its layouts handed from op to op ({@link Layouts}; or jtrain's own im2col + GEMM and
 * loops, {@link #oneDnn}), matrix products through OpenBLAS (oneDNN's matmul for large ones on one thread), the rest
 * in Java loops (activations: {@link CpuActivations}; statistics: {@link CpuReductions}). Ops run one after another
 * on {@code threads} threads (OpenBLAS, the loops; oneDNN on OMP_NUM_THREADS), never together.
 */
public final class CpuBackend implements Backend {
    private final MemoryPool pool;
    private final Gemm gemm;
    private final CpuConv conv;
    private final Parallel par;
    private final String blasNote;

    /** oneDNN's convolutions and ReLU, or the plain path ({@code --onednn off}, or it could not load). */
    private OneDnnPath dnn = OneDnnPath.OFF;

    private CpuBackend(MemoryPool pool, Gemm gemm, String blasNote, int threads) {
        this.pool = pool;
        this.gemm = gemm;
        this.par = new Parallel(threads);
        this.conv = new CpuConv(gemm, par);
        if (gemm instanceof OpenBlasGemm o) {
            o.use(par);
        }
        this.blasNote = blasNote;
    }

    /**
     * Turns oneDNN's convolutions (and large ReLUs) on or off (on by default where it loads; {@code --onednn off}).
     * Returns this backend.
     */
    public CpuBackend oneDnn(boolean on) {
        dnn = OneDnnPath.of(on, pool);
        return this;
    }

    /** Whether convolutions run through oneDNN. */
    public boolean usesOneDnn() {
        return dnn.used();
    }

    /**
     * When oneDNN's OpenMP threads differ from OpenBLAS's, the line that says so; else null. {@code bin/jtrain}
     * sets OMP_NUM_THREADS from JTRAIN_THREADS.
     */
    public String oneDnnThreadsNote() {
        return dnn.threadsNote(par.threads());
    }

    /** How many max-pooling forward passes ran on oneDNN (0 on the plain path; for tests). */
    long oneDnnPoolCalls() {
        return dnn.used() ? dnn.pool().forwardCalls() : 0;
    }

    /** How many reorders between layouts oneDNN ran (0 on the plain path; for tests). */
    long oneDnnReorders() {
        return dnn.used() ? dnn.layouts().reorders() : 0;
    }

    /** oneDNN's version when it is used, else null. */
    public String oneDnnVersion() {
        return dnn.version();
    }

    /** Why oneDNN was asked for but is not in use, or null. */
    public String oneDnnWarning() {
        return dnn.note();
    }

    /**
     * A CPU backend with OpenBLAS on {@code threads} threads. When OpenBLAS cannot load, matrix products
     * run in pure Java and {@link #blasWarning()} says why (callers print it once).
     */
    public static CpuBackend create(MemoryPool pool, int threads) {
        try {
            return new CpuBackend(pool, OpenBlasGemm.load(Math.max(1, threads)), null, threads).oneDnn(
                OneDnnPath.byDefault());
        } catch (LinkageError | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst()
                .orElse("");
            return new CpuBackend(pool, new JavaGemm(), "OpenBLAS could not be loaded (" + why
                + "); matrix products run in pure Java, several times slower", threads).oneDnn(
                OneDnnPath.byDefault());
        }
    }

    /** A CPU backend with the default pool capacity and one OpenBLAS thread per available processor. */
    public static CpuBackend createDefault() {
        return create(CpuMemoryPool.withDefaultCapacity(), Runtime.getRuntime().availableProcessors());
    }

    /** A backend that always uses the pure-Java GEMM (for tests and for platforms without OpenBLAS). */
    public static CpuBackend createPureJava(MemoryPool pool) {
        return new CpuBackend(pool, new JavaGemm(), null, 1);
    }

    /** Why OpenBLAS is not in use, or null when it is. */
    public String blasWarning() {
        return blasNote;
    }

    @Override
    public String device() {
        return "cpu";
    }

    @Override
    public String description() {
        return "CPU, " + gemm.description() + (dnn.used() ? ", oneDNN " + dnn.version()
            + " convolutions, pooling, batch norm" : "") + ", memory capacity "
            + io.jtrain.util.Sizes.format(pool.capacityBytes());
    }

    @Override
    public MemoryPool pool() {
        return pool;
    }

    @Override
    public Tensor allocate(Shape shape, MemoryCategory category) {
        return Tensor.allocate(pool, shape, category, true);
    }

    @Override
    public void upload(float[] src, int srcOffset, Tensor dst) {
        OpChecks.copyRange("upload", srcOffset, dst.size(), src.length);
        dst.mem().put(0, src, srcOffset, (int) dst.size());
    }

    @Override
    public void download(Tensor src, float[] dst, int dstOffset) {
        OpChecks.copyRange("download", dstOffset, src.size(), dst.length);
        src.mem().get(0, dst, dstOffset, (int) src.size());
    }

    @Override
    public HostBuffer allocateHost(long floats) {
        return new CpuHostBuffer(floats);
    }

    @Override
    public HostBuffer mapped(Tensor t) {
        return CpuHostBuffer.of(t);
    }

    @Override
    public void upload(HostBuffer src, long srcOffset, Tensor dst) {
        OpChecks.copyRange("upload", srcOffset, dst.size(), src.size());
        CpuHostBuffer b = (CpuHostBuffer) src;
        java.util.Objects.checkFromIndexSize(srcOffset, dst.size(), b.size());
        dst.mem().copyFrom(0, b.mem(), (int) srcOffset, (int) dst.size());
    }

    @Override
    public void downloadAsync(Tensor src, HostBuffer dst, long dstOffset) {
        OpChecks.copyRange("downloadAsync", dstOffset, src.size(), dst.size());
        CpuHostBuffer b = (CpuHostBuffer) dst;
        java.util.Objects.checkFromIndexSize(dstOffset, src.size(), b.size());
        b.mem().copyFrom((int) dstOffset, src.mem(), 0, (int) src.size());
    }

    @Override
    public void awaitCopies(HostBuffer buffer) {
        // copies on the CPU are synchronous
    }

    @Override
    public void fill(Tensor t, float value) {
        HostMemory b = t.mem();
        int n = (int) t.size();
        if (Float.floatToRawIntBits(value) == 0) {
            b.zero(0, n); // +0.0f is all zero bytes: one memset (zeroing gradients each step)
            return;
        }
        for (int i = 0; i < n; i++) {
            b.put(i, value);
        }
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        OpChecks.same("copy", src, dst);
        dst.mem().copyFrom(0, src.mem(), 0, (int) src.size());
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        OpChecks.same("axpy", x, y);
        CpuMath.axpy(alpha, x.mem(), y.mem(), (int) x.size());
    }

    @Override
    public void scale(Tensor x, float alpha) {
        HostMemory b = x.mem();
        int n = (int) x.size();
        for (int i = 0; i < n; i++) {
            b.put(i, b.get(i) * alpha);
        }
    }

    @Override
    public void multiply(Tensor a, Tensor b, Tensor out) {
        OpChecks.same("multiply", a, b, out);
        HostMemory ab = a.mem();
        HostMemory bb = b.mem();
        HostMemory ob = out.mem();
        par.range((int) a.size(), 2, (from, to) -> CpuMath.multiply(ab, bb, ob, from, to));
    }

    @Override
    public void clamp(Tensor x, float lo, float hi) {
        HostMemory b = x.mem();
        int n = (int) x.size();
        for (int i = 0; i < n; i++) {
            b.put(i, Math.max(lo, Math.min(hi, b.get(i))));
        }
    }

    @Override
    public double sumSquares(Tensor x) {
        return CpuReductions.sumSquares(x);
    }

    @Override
    public TensorStats stats(Tensor x) {
        return CpuMath.stats(x.mem(), (int) x.size(), par);
    }

    @Override
    public void reduceStats(Tensor x, Tensor out) {
        OpChecks.atLeast("reduceStats", out, 6);
        CpuReductions.reduceStats(stats(x), out);
    }

    @Override
    public void reduceSquares(Tensor x, Tensor out) {
        OpChecks.atLeast("reduceSquares", out, 6);
        if (!CpuReductions.reduceSquares(x, out, gemm)) {
            reduceStats(x, out);
        }
    }

    @Override
    public void unitStats(Tensor y, float hi, float lo, Tensor out) {
        OpChecks.unitStats(y, out);
        CpuMath.unitStats(y, hi, lo, out);
    }

    @Override
    public void clipByGlobalNorm(java.util.List<Tensor> grads, float maxNorm, Tensor out) {
        OpChecks.atLeast("clipByGlobalNorm", out, 2);
        double sq = 0;
        for (Tensor g : grads) {
            sq += sumSquares(g);
        }
        double norm = Math.sqrt(sq);
        float factor = norm > maxNorm ? (float) (maxNorm / (norm + 1e-6)) : 1f;
        if (factor != 1f) {
            for (Tensor g : grads) {
                scale(g, factor);
            }
        }
        out.mem().put(0, (float) norm);
        out.mem().put(1, factor);
    }

    @Override
    public void matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, float beta) {
        OpChecks.matmul(a, transA, b, transB, c);
        int m = transA ? a.dim(1) : a.dim(0);
        int k = transA ? a.dim(0) : a.dim(1);
        int n = transB ? b.dim(0) : b.dim(1);
        Gemm.Dims d = new Gemm.Dims(m, n, k, transA, transB);
        Gemm.Mat ma = new Gemm.Mat(a, 0, a.dim(1));
        Gemm.Mat mb = new Gemm.Mat(b, 0, b.dim(1));
        Gemm.Mat mc = new Gemm.Mat(c, 0, n);
        if (dnn.used() && par.threads() == 1 && (long) m * n * k >= OneDnnMatmul.MIN_MACS) {
            dnn.matmul().run(d, ma, mb, beta, mc);
            return;
        }
        gemm.sgemm(d, 1f, ma, mb, beta, mc);
    }

    @Override
    public void addRowBias(Tensor y, Tensor b) {
        OpChecks.rows("addRowBias", y, b);
        int f = (int) b.size();
        CpuChecks.checkDivides(y, f, "addRowBias");
        CpuMath.addRowBias(y.mem(), b.mem(), (int) (y.size() / f), f);
    }

    @Override
    public void rowBiasGrad(Tensor dy, Tensor db) {
        OpChecks.rows("rowBiasGrad", dy, db);
        int f = (int) db.size();
        CpuChecks.checkDivides(dy, f, "rowBiasGrad");
        CpuMath.rowBiasGrad(dy.mem(), db.mem(), (int) (dy.size() / f), f);
    }

    @Override
    public long conv2dWorkspaceElements(Shape x, Shape w, ConvSpec spec) {
        long own = CpuConv.workspaceElements(x, w, spec);
        return !dnn.used() ? own : Math.max(own, dnn.conv().workspaceElements(x, w, spec));
    }

    @Override
    public void conv2dForward(Tensor x, Tensor w, Tensor b, Tensor y, ConvSpec spec, Tensor workspace) {
        OpChecks.conv("conv2d forward", x, w, b, y, spec, workspace,
            () -> conv2dWorkspaceElements(x.shape(), w.shape(), spec));
        if (!dnn.used() || !dnn.conv().forward(x, w, b, y, spec, workspace)) {
            conv.forward(x, w, b, y, spec, workspace);
        }
    }

    @Override
    public void conv2dForward(Tensor x, Tensor w, Tensor b, Tensor y, ConvSpec spec, Tensor workspace,
                              Activation act) {
        OpChecks.conv("conv2d forward", x, w, b, y, spec, workspace,
            () -> conv2dWorkspaceElements(x.shape(), w.shape(), spec));
        if (act.kind() == Activation.Kind.RELU && dnn.used() && dnn.conv().forwardRelu(x, w, b, y, spec)) {
            y.markValues(Tensor.NON_NEGATIVE);
            return;
        }
        conv2dForward(x, w, b, y, spec, workspace);
        activationForward(act, y, y);
    }

    @Override
    public void conv2dBackwardData(Tensor dy, Tensor w, Tensor dx, ConvSpec spec, Tensor workspace) {
        OpChecks.conv("conv2d backward data", dx, w, null, dy, spec, workspace,
            () -> conv2dWorkspaceElements(dx.shape(), w.shape(), spec));
        if (!dnn.used() || !dnn.conv().backwardData(dy, w, dx, spec, workspace)) {
            conv.backwardData(dy, w, dx, spec, workspace);
        }
    }

    @Override
    public void conv2dBackwardFilter(Tensor x, Tensor dy, Tensor dw, Tensor db, ConvSpec spec, Tensor workspace) {
        OpChecks.conv("conv2d backward filter", x, dw, db, dy, spec, workspace,
            () -> conv2dWorkspaceElements(x.shape(), dw.shape(), spec));
        if (!dnn.used() || !dnn.conv().backwardWeights(x, dy, dw, db, spec, workspace)) {
            conv.backwardFilter(x, dy, dw, db, spec, workspace);
        }
    }

    @Override
    public void maxPoolForward(Tensor x, Tensor y, ConvSpec spec) {
        OpChecks.pool("max pool", x, y, spec);
        if (!dnn.used() || !dnn.pool().forward(x, y, spec)) {
            CpuPooling.maxForward(x, y, spec, par);
        }
    }

    @Override
    public void maxPoolBackward(Tensor x, Tensor y, Tensor dy, Tensor dx, ConvSpec spec) {
        OpChecks.pool("max pool backward", x, y, spec);
        OpChecks.same("max pool backward", x, dx);
        OpChecks.same("max pool backward", y, dy);
        if (!dnn.used() || !dnn.pool().backward(x, y, dy, dx, spec)) {
            CpuPooling.maxBackward(x, y, dy, dx, spec, par);
        }
    }

    @Override
    public void avgPoolForward(Tensor x, Tensor y, ConvSpec spec) {
        OpChecks.pool("average pool", x, y, spec);
        CpuPooling.avgForward(x, y, spec);
    }

    @Override
    public void avgPoolBackward(Tensor dy, Tensor dx, ConvSpec spec) {
        OpChecks.pool("average pool backward", dx, dy, spec);
        CpuPooling.avgBackward(dy, dx, spec);
    }

    @Override
    public void batchNormForwardTraining(Tensor x, Tensor y, BatchNormTensors bn, float momentum, float eps) {
        OpChecks.batchNorm("batch norm", x, bn, y);
        if (!dnn.used() || !dnn.batchNorm().forwardTraining(x, y, bn, momentum, eps)) {
            CpuBatchNorm.forwardTraining(x, y, bn, momentum, eps, par);
        }
        if (CpuBatchNorm.noNaNOrNegInfOut(bn, x.size() / x.dim(1))) {
            y.markValues(Tensor.NO_NAN_OR_NEGATIVE_INFINITY);
        }
    }

    @Override
    public void batchNormForwardInference(Tensor x, Tensor y, BatchNormTensors bn, float eps) {
        OpChecks.batchNorm("batch norm inference", x, bn, y);
        boolean nonNegative = x.hasValues(Tensor.NON_NEGATIVE);
        if (!dnn.used() || !dnn.batchNorm().forwardInference(x, y, bn, eps)) {
            CpuBatchNorm.forwardInference(x, y, bn, eps, par);
        }
        if (nonNegative && CpuBatchNorm.noNaNOrNegInfInference(bn, eps)) {
            y.markValues(Tensor.NO_NAN_OR_NEGATIVE_INFINITY);
        }
    }

    @Override
    public void batchNormBackward(Tensor x, Tensor dy, Tensor dx, BatchNormTensors bn) {
        OpChecks.batchNorm("batch norm backward", x, bn, dy, dx);
        if (!dnn.used() || !dnn.batchNorm().backward(x, dy, dx, bn)) {
            CpuBatchNorm.backward(x, dy, dx, bn, par);
        }
    }

    @Override
    public void activationForward(Activation act, Tensor x, Tensor y) {
        OpChecks.same("activation", x, y);
        CpuActivations.forward(act, x, y, dnn, par);
    }

    @Override
    public void activationBackward(Activation act, Tensor x, Tensor y, Tensor dy, Tensor dx) {
        OpChecks.same("activation backward", x, y, dy, dx);
        CpuActivations.backward(act, x, y, dy, dx, dnn, par);
    }

    @Override
    public void softmaxRows(Tensor x, Tensor y) {
        OpChecks.same("softmax", x, y);
        CpuMath.softmaxRows(x.mem(), y.mem(), x.dim(0), (int) (x.size() / x.dim(0)));
    }

    @Override
    public void softmaxRowsBackward(Tensor y, Tensor dy, Tensor dx) {
        OpChecks.same("softmax backward", y, dy, dx);
        CpuMath.softmaxRowsBackward(y.mem(), dy.mem(), dx.mem(), y.dim(0), (int) (y.size() / y.dim(0)));
    }

    @Override
    public void softmaxCrossEntropy(Tensor logits, Tensor target, Tensor dLogits, float gradScale, Tensor acc) {
        OpChecks.crossEntropy(logits, target, dLogits, acc);
        CpuLosses.softmaxCrossEntropy(logits, target, dLogits, gradScale, acc);
    }

    @Override
    public void binaryCrossEntropyWithLogits(Tensor logits, Tensor target, Tensor dLogits, float gradScale,
                                             Tensor acc) {
        OpChecks.elementLoss("binary cross-entropy", logits, target, dLogits, acc);
        CpuLosses.bceWithLogits(logits, target, dLogits, gradScale, acc);
    }

    @Override
    public void meanSquaredError(Tensor pred, Tensor target, Tensor dPred, float gradScale, Tensor acc) {
        OpChecks.elementLoss("mean squared error", pred, target, dPred, acc);
        CpuLosses.meanSquaredError(pred, target, dPred, gradScale, acc);
    }

    @Override
    public void dropoutForward(Tensor x, Tensor mask, Tensor y, float p, long seed) {
        OpChecks.same("dropout", x, mask, y);
        HostMemory xs = x.mem();
        HostMemory ms = mask.mem();
        HostMemory ys = y.mem();
        par.range((int) x.size(), 8, (a, z) -> CpuMath.dropoutForward(xs, ms, ys, a, z, p, seed));
    }

    @Override
    public void sgdStep(Tensor w, Tensor g, Tensor velocity, OptimizerParams p) {
        OpChecks.sgd(w, g, velocity, p);
        CpuOptim.sgd(w, g, velocity, p, par);
    }

    @Override
    public void adamStep(Tensor w, Tensor g, Tensor m, Tensor v, OptimizerParams p) {
        OpChecks.same("adam", w, g, m, v);
        CpuOptim.adam(w, g, m, v, p, par);
    }

    @Override
    public void rmspropStep(Tensor w, Tensor g, Tensor sq, OptimizerParams p) {
        OpChecks.same("rmsprop", w, g, sq);
        CpuOptim.rmsprop(w, g, sq, p, par);
    }

    @Override
    public void close() {
        conv.close();
        par.close();
    }
}
