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
import static org.bytedeco.dnnl.global.dnnl.dnnl_nchw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_use_global_stats;
import static org.bytedeco.dnnl.global.dnnl.dnnl_use_scale;
import static org.bytedeco.dnnl.global.dnnl.dnnl_use_shift;
import static org.bytedeco.dnnl.global.dnnl.dnnl_x;

import io.jtrain.backend.BatchNormTensors;
import io.jtrain.tensor.HostMemory;
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
 * Batch normalisation through oneDNN primitives in jtrain's plain layout: x viewed as [N, C, S, 1] (S = H·W,
 * or 1 for dense features), statistics per channel. jtrain's conventions are kept around the primitive: the
 * training forward saves the batch mean and 1/sqrt(var + eps) and updates the running statistics with the
 * unbiased variance; the backward accumulates dGamma and dBeta. Per-channel temporaries (the batch variance,
 * the parameter gradients: 3·C floats) are owned by the cached plan. Calls are serialised.
 */
final class OneDnnBatchNorm {
    private final OneDnn dnn;
    private final Map<List<Object>, Plan> plans = new HashMap<>();

    OneDnnBatchNorm(OneDnn dnn) {
        this.dnn = dnn;
    }

    /** False (nothing written) when oneDNN cannot run this shape. */
    synchronized boolean forwardTraining(Tensor x, Tensor y, BatchNormTensors bn, float momentum, float eps) {
        Plan p = plan(x, eps);
        if (p == null) {
            return false;
        }
        forward(p, p.training, "batch normalization forward", x, y, bn, addr(bn.savedMean()), p.var.address());
        HostMemory var = HostMemory.at(p.var.address(), p.c);
        HostMemory mean = bn.savedMean().mem();
        HostMemory rm = bn.runningMean().mem();
        HostMemory rv = bn.runningVar().mem();
        HostMemory inv = bn.savedInvStd().mem();
        for (int c = 0; c < p.c; c++) {
            double v = var.get(c);
            inv.put(c, (float) (1.0 / Math.sqrt(v + eps)));
            double unbiased = p.m > 1 ? v * p.m / (p.m - 1) : v;
            rm.put(c, (float) ((1 - momentum) * rm.get(c) + momentum * mean.get(c)));
            rv.put(c, (float) ((1 - momentum) * rv.get(c) + momentum * unbiased));
        }
        return true;
    }

    synchronized boolean forwardInference(Tensor x, Tensor y, BatchNormTensors bn, float eps) {
        Plan p = plan(x, eps);
        if (p == null) {
            return false;
        }
        forward(p, p.inference, "batch normalization inference", x, y, bn, addr(bn.runningMean()),
            addr(bn.runningVar()));
        return true;
    }

    /**
     * dx overwritten; dGamma, dBeta accumulated. The primitive gets var + eps as its variance with an epsilon
     * of 0 (recovered from the saved 1/sqrt(var + eps), so the backward needs no epsilon of its own).
     */
    synchronized boolean backward(Tensor x, Tensor dy, Tensor dx, BatchNormTensors bn) {
        Plan p = plan(x, 0f);
        if (p == null) {
            return false;
        }
        HostMemory var = HostMemory.at(p.var.address(), p.c);
        HostMemory inv = bn.savedInvStd().mem();
        for (int c = 0; c < p.c; c++) {
            double s = inv.get(c);
            var.put(c, (float) (1.0 / (s * s)));
        }
        OneDnn.point(p.src, addr(x));
        OneDnn.point(p.diffDst, addr(dy));
        OneDnn.point(p.diffSrc, addr(dx));
        OneDnn.point(p.scale, addr(bn.gamma()));
        OneDnn.point(p.mean, addr(bn.savedMean()));
        OneDnn.point(p.variance, p.var.address());
        OneDnn.point(p.diffScale, p.grads.address());
        OneDnn.point(p.diffShift, p.grads.address() + 4L * p.c);
        dnn.execute(p.backward, "batch normalization backward", DNNL_ARG_SRC, p.src, DNNL_ARG_DIFF_DST, p.diffDst,
            DNNL_ARG_SCALE, p.scale, DNNL_ARG_MEAN, p.mean, DNNL_ARG_VARIANCE, p.variance, DNNL_ARG_DIFF_SRC,
            p.diffSrc, DNNL_ARG_DIFF_SCALE, p.diffScale, DNNL_ARG_DIFF_SHIFT, p.diffShift);
        HostMemory g = HostMemory.at(p.grads.address(), 2L * p.c);
        HostMemory dg = bn.dGamma().mem();
        HostMemory db = bn.dBeta().mem();
        for (int c = 0; c < p.c; c++) {
            dg.put(c, dg.get(c) + g.get(c));
            db.put(c, db.get(c) + g.get(p.c + c));
        }
        return true;
    }

    /** Runs a forward primitive on x, y, gamma, beta and the statistics at {@code mean} and {@code variance}. */
    private void forward(Plan p, dnnl_primitive prim, String what, Tensor x, Tensor y, BatchNormTensors bn, long mean,
                         long variance) {
        OneDnn.point(p.src, addr(x));
        OneDnn.point(p.dst, addr(y));
        OneDnn.point(p.scale, addr(bn.gamma()));
        OneDnn.point(p.shift, addr(bn.beta()));
        OneDnn.point(p.mean, mean);
        OneDnn.point(p.variance, variance);
        dnn.execute(prim, what, DNNL_ARG_SRC, p.src, DNNL_ARG_DST, p.dst, DNNL_ARG_SCALE, p.scale, DNNL_ARG_SHIFT,
            p.shift, DNNL_ARG_MEAN, p.mean, DNNL_ARG_VARIANCE, p.variance);
    }

    private static long addr(Tensor t) {
        return t.mem().address();
    }

    private Plan plan(Tensor x, float eps) {
        int n = x.dim(0);
        int c = x.dim(1);
        long s = x.size() / ((long) n * c);
        List<Object> key = List.of(n, c, s, eps);
        if (!plans.containsKey(key)) {
            Plan p;
            try {
                p = new Plan(n, c, s, eps);
            } catch (IllegalStateException e) {
                p = null;
            }
            plans.put(key, p);
        }
        return plans.get(key);
    }

    /** The three primitives of one shape and epsilon, and the memories they are executed on. */
    private final class Plan {
        final int c;
        final long m;
        final dnnl_primitive training;
        final dnnl_primitive inference;
        final dnnl_primitive backward;
        final dnnl_memory src;
        final dnnl_memory dst;
        final dnnl_memory diffSrc;
        final dnnl_memory diffDst;
        final dnnl_memory scale;
        final dnnl_memory shift;
        final dnnl_memory mean;
        final dnnl_memory variance;
        final dnnl_memory diffScale;
        final dnnl_memory diffShift;
        final FloatPointer var;
        final FloatPointer grads;

        Plan(int n, int c, long s, float eps) {
            this.c = c;
            this.m = n * s;
            dnnl_memory_desc data = OneDnn.md(dnnl_nchw, n, c, s, 1);
            dnnl_memory_desc channel = OneDnn.md(dnnl_x, c);
            int flags = dnnl_use_scale | dnnl_use_shift;
            dnnl_primitive_desc fwd = forward(dnnl_forward_training, data, eps, flags);
            training = dnn.primitive(fwd, "batch normalization forward");
            inference = dnn.primitive(forward(dnnl_forward_inference, data, eps, flags | dnnl_use_global_stats),
                "batch normalization inference");
            PointerPointer<?> p = new PointerPointer<>(1);
            OneDnn.check(dnnl_batch_normalization_backward_primitive_desc_create(p, dnn.engine, dnnl_backward, data,
                data, data, eps, flags, fwd, null), "batch_normalization_backward_primitive_desc_create");
            backward = dnn.primitive(new dnnl_primitive_desc(p.get(0)), "batch normalization backward");
            src = dnn.userMemory(data);
            dst = dnn.userMemory(data);
            diffSrc = dnn.userMemory(data);
            diffDst = dnn.userMemory(data);
            scale = dnn.userMemory(channel);
            shift = dnn.userMemory(channel);
            mean = dnn.userMemory(channel);
            variance = dnn.userMemory(channel);
            diffScale = dnn.userMemory(channel);
            diffShift = dnn.userMemory(channel);
            var = new FloatPointer(c);
            grads = new FloatPointer(2L * c);
        }

        private dnnl_primitive_desc forward(int prop, dnnl_memory_desc data, float eps, int flags) {
            PointerPointer<?> p = new PointerPointer<>(1);
            OneDnn.check(dnnl_batch_normalization_forward_primitive_desc_create(p, dnn.engine, prop, data, data, eps,
                flags, null), "batch_normalization_forward_primitive_desc_create");
            return new dnnl_primitive_desc(p.get(0));
        }
    }
}
