package io.jtrain.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SCALE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_MEAN;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SCALE;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SHIFT;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_VARIANCE;
import static org.bytedeco.dnnl.global.dnnl.dnnl_backward;
import static org.bytedeco.dnnl.global.dnnl.dnnl_batch_normalization_backward_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_batch_normalization_forward_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_inference;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_use_global_stats;
import static org.bytedeco.dnnl.global.dnnl.dnnl_use_scale;
import static org.bytedeco.dnnl.global.dnnl.dnnl_use_shift;
import static org.bytedeco.dnnl.global.dnnl.dnnl_x;

import io.jtrain.backend.BatchNormTensors;
import io.jtrain.tensor.HostMemory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Batch norm of [N, C, H, W] activations through oneDNN's JIT kernels, for activations that are in a channel-blocked
 * layout already (the output of a convolution or of a ReLU after one, {@link Layouts}): 3–4× faster than the Java
 * loops there (docs/performance.md), where oneDNN's kernel for NCHW is slower than them. The arithmetic is jtrain's:
 * batch statistics with the biased variance for normalising, running statistics updated with the unbiased one,
 * {@code savedMean} and {@code savedInvStd = 1 / sqrt(var + eps)} kept for the backward pass (which hands oneDNN
 * {@code 1 / savedInvStd²} as the variance, with epsilon 0), and dGamma, dBeta accumulated. oneDNN sums in float and in
 * another order than the Java loops' double sums: the results agree to float rounding, not bit for bit. Calls are
 * serialised.
 */
final class OneDnnBatchNorm {
    private final OneDnn dnn;
    private final Layouts layouts;
    private final Map<List<Object>, Plan> plans = new HashMap<>();

    OneDnnBatchNorm(OneDnn dnn, Layouts layouts) {
        this.dnn = dnn;
        this.layouts = layouts;
    }

    /** Training forward when x is in a blocked layout; false (nothing written) otherwise. */
    synchronized boolean forwardTraining(Tensor x, Tensor y, BatchNormTensors bn, float momentum, float eps) {
        Plan p = forward(x, y, bn, eps, true);
        if (p != null) {
            saveStatistics(p, bn, x.size() / x.dim(1), momentum, eps);
        }
        return p != null;
    }

    /** Inference forward with the running statistics when x is in a blocked layout; false otherwise. */
    synchronized boolean forwardInference(Tensor x, Tensor y, BatchNormTensors bn, float eps) {
        return forward(x, y, bn, eps, false) != null;
    }

    /** y = the normalised x: batch statistics into the plan's buffers, or the running ones; null when x is plain. */
    private Plan forward(Tensor x, Tensor y, BatchNormTensors bn, float eps, boolean training) {
        int tag = layouts.blockedTag(x);
        if (tag == 0) {
            return null;
        }
        Plan p = plan(x.shape(), tag, eps);
        OneDnn.point(p.src, layouts.in(x, p.md));
        OneDnn.point(p.dst, layouts.out(y, p.md));
        OneDnn.point(p.scale, bn.gamma().mem().address());
        OneDnn.point(p.shift, bn.beta().mem().address());
        OneDnn.point(p.mean, training ? p.meanBuf.address() : bn.runningMean().mem().address());
        OneDnn.point(p.var, training ? p.varBuf.address() : bn.runningVar().mem().address());
        dnn.execute(training ? p.training : p.inference, "batch normalization " + (training ? "forward" : "inference"),
            DNNL_ARG_SRC, p.src, DNNL_ARG_DST, p.dst, DNNL_ARG_SCALE, p.scale, DNNL_ARG_SHIFT, p.shift, DNNL_ARG_MEAN,
            p.mean, DNNL_ARG_VARIANCE, p.var);
        layouts.written(y, p.md);
        return p;
    }

    /**
     * Backward from the statistics the training forward saved, when x or dy is in a blocked layout (the other is
     * reordered to it); false otherwise. dx overwritten, dGamma and dBeta accumulated.
     */
    synchronized boolean backward(Tensor x, Tensor dy, Tensor dx, BatchNormTensors bn) {
        int tag = layouts.blockedTag(x);
        tag = tag != 0 ? tag : layouts.blockedTag(dy);
        if (tag == 0) {
            return false;
        }
        Plan p = plan(x.shape(), tag, 0f); // epsilon 0 and variance 1 / savedInvStd²: oneDNN's 1 / sqrt(var + eps)
        int c = x.dim(1);
        HostMemory invStd = bn.savedInvStd().mem();
        HostMemory var = p.varBuf;
        for (int i = 0; i < c; i++) {
            double s = invStd.get(i);
            var.put(i, (float) (1.0 / (s * s)));
        }
        OneDnn.point(p.src, layouts.in(x, p.md));
        OneDnn.point(p.diffDst, layouts.in(dy, p.md));
        OneDnn.point(p.diffSrc, layouts.out(dx, p.md));
        OneDnn.point(p.scale, bn.gamma().mem().address());
        OneDnn.point(p.mean, bn.savedMean().mem().address());
        OneDnn.point(p.var, var.address());
        OneDnn.point(p.diffScale, p.diffScaleBuf.address());
        OneDnn.point(p.diffShift, p.diffShiftBuf.address());
        dnn.execute(p.backward, "batch normalization backward", DNNL_ARG_SRC, p.src, DNNL_ARG_DIFF_DST, p.diffDst,
            DNNL_ARG_SCALE, p.scale, DNNL_ARG_MEAN, p.mean, DNNL_ARG_VARIANCE, p.var, DNNL_ARG_DIFF_SRC, p.diffSrc,
            DNNL_ARG_DIFF_SCALE, p.diffScale, DNNL_ARG_DIFF_SHIFT, p.diffShift);
        layouts.written(dx, p.md);
        accumulate(bn.dGamma().mem(), p.diffScaleBuf, c);
        accumulate(bn.dBeta().mem(), p.diffShiftBuf, c);
        return true;
    }

    /** savedMean, savedInvStd and the running statistics (unbiased variance) from oneDNN's batch statistics. */
    private static void saveStatistics(Plan p, BatchNormTensors bn, long m, float momentum, float eps) {
        HostMemory mean = p.meanBuf;
        HostMemory var = p.varBuf;
        HostMemory sm = bn.savedMean().mem();
        HostMemory si = bn.savedInvStd().mem();
        HostMemory rm = bn.runningMean().mem();
        HostMemory rv = bn.runningVar().mem();
        for (int c = 0; c < bn.savedMean().size(); c++) {
            double mu = mean.get(c);
            double v = var.get(c);
            sm.put(c, (float) mu);
            si.put(c, (float) (1.0 / Math.sqrt(v + eps)));
            double unbiased = m > 1 ? v * m / (m - 1) : v;
            rm.put(c, (float) ((1 - momentum) * rm.get(c) + momentum * mu));
            rv.put(c, (float) ((1 - momentum) * rv.get(c) + momentum * unbiased));
        }
    }

    private static void accumulate(HostMemory into, HostMemory add, int n) {
        for (int i = 0; i < n; i++) {
            into.put(i, into.get(i) + add.get(i));
        }
    }

    private Plan plan(Shape x, int tag, float eps) {
        return plans.computeIfAbsent(List.of(x, tag, eps), k -> new Plan(x, tag, eps));
    }

    /** The training, inference and backward primitives of one shape, layout and epsilon, and their buffers. */
    private final class Plan {
        final dnnl_memory_desc md;
        final dnnl_primitive training;
        final dnnl_primitive inference;
        final dnnl_primitive backward;
        final dnnl_memory src;
        final dnnl_memory dst;
        final dnnl_memory diffDst;
        final dnnl_memory diffSrc;
        final dnnl_memory scale;
        final dnnl_memory shift;
        final dnnl_memory mean;
        final dnnl_memory var;
        final dnnl_memory diffScale;
        final dnnl_memory diffShift;
        final List<FloatPointer> buffers = new java.util.ArrayList<>();
        final HostMemory meanBuf;
        final HostMemory varBuf;
        final HostMemory diffScaleBuf;
        final HostMemory diffShiftBuf;

        Plan(Shape x, int tag, float eps) {
            md = layouts.tagged(x, tag);
            int flags = dnnl_use_scale | dnnl_use_shift;
            PointerPointer<?> t = new PointerPointer<>(1);
            OneDnn.check(dnnl_batch_normalization_forward_primitive_desc_create(t, dnn.engine, dnnl_forward_training,
                md, md, eps, flags, null), "batch_normalization_forward_primitive_desc_create(training)");
            dnnl_primitive_desc tpd = new dnnl_primitive_desc(t.get(0));
            training = dnn.primitive(tpd, "batch normalization forward");
            PointerPointer<?> i = new PointerPointer<>(1);
            OneDnn.check(dnnl_batch_normalization_forward_primitive_desc_create(i, dnn.engine, dnnl_forward_inference,
                md, md, eps, flags | dnnl_use_global_stats, null),
                "batch_normalization_forward_primitive_desc_create(inference)");
            inference = dnn.primitive(new dnnl_primitive_desc(i.get(0)), "batch normalization inference");
            PointerPointer<?> b = new PointerPointer<>(1);
            OneDnn.check(dnnl_batch_normalization_backward_primitive_desc_create(b, dnn.engine, dnnl_backward, md, md,
                md, eps, flags, tpd, null), "batch_normalization_backward_primitive_desc_create");
            backward = dnn.primitive(new dnnl_primitive_desc(b.get(0)), "batch normalization backward");
            src = dnn.userMemory(md);
            dst = dnn.userMemory(md);
            diffDst = dnn.userMemory(md);
            diffSrc = dnn.userMemory(md);
            dnnl_memory_desc c = OneDnn.md(dnnl_x, x.dim(1));
            scale = dnn.userMemory(c);
            shift = dnn.userMemory(c);
            mean = dnn.userMemory(c);
            var = dnn.userMemory(c);
            diffScale = dnn.userMemory(c);
            diffShift = dnn.userMemory(c);
            meanBuf = channels(x);
            varBuf = channels(x);
            diffScaleBuf = channels(x);
            diffShiftBuf = channels(x);
        }

        /** C floats of native memory outside the pool (a few per layer, kept with the cached plan, as oneDNN's own). */
        private HostMemory channels(Shape x) {
            FloatPointer p = new FloatPointer(x.dim(1));
            buffers.add(p);
            return HostMemory.at(p.address(), x.dim(1));
        }
    }
}
