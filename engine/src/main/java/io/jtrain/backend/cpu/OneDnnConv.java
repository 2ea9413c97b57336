package io.jtrain.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_backward_data_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_backward_weights_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_direct;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_forward_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_get_size;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nhwc;
import static org.bytedeco.dnnl.global.dnnl.dnnl_oihw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_dst_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_src_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_weights_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_dst_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_src_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_weights_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_x;

import io.jtrain.backend.ConvSpec;
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
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Convolution forward, backward-data and backward-weights through oneDNN primitives, created once per shape
 * and cached. Each primitive works in the layouts oneDNN picks ({@code format_tag any}: blocked, e.g. nChw16c on
 * AVX-512); inputs and outputs go through {@link Layouts}, so an activation already in the wanted layout (the
 * output of the op before) is taken as it is, and an output stays in its blocked layout for the op after.
 * Semantics are jtrain's: zero padding on both sides, output size {@code (H + 2p - k) / s + 1}; filter and bias
 * gradients are accumulated ({@code +=}) through plain temporaries in the op's workspace, which
 * {@link #workspaceElements} sizes. Calls are serialised (the cached memories are shared).
 */
final class OneDnnConv {
    private final OneDnn dnn;
    private final Layouts layouts;
    private final Map<List<Object>, Plan> plans = new HashMap<>();
    private Boolean reluExact;

    OneDnnConv(OneDnn dnn, Layouts layouts) {
        this.dnn = dnn;
        this.layouts = layouts;
    }

    /** Workspace floats the oneDNN path needs for these shapes (0 when it cannot run them). */
    synchronized long workspaceElements(Shape x, Shape w, ConvSpec s) {
        Plan p = plan(x, w, s, true);
        return p == null ? 0 : p.backwardWeights().need;
    }

    /** y = conv(x, w) + b; false (nothing written) when oneDNN cannot run this shape. */
    synchronized boolean forward(Tensor x, Tensor w, Tensor b, Tensor y, ConvSpec s, Tensor ws) {
        Plan p = plan(x.shape(), w.shape(), s, b != null);
        return p != null && run(p.forward(), x, w, b, y);
    }

    /**
     * y = relu(conv(x, w) + b), the ReLU a post-op of the convolution; false (nothing written) when oneDNN cannot
     * run this shape, or its ReLU post-op is not jtrain's ReLU bit for bit ({@link #reluPostOpIsExact}).
     */
    synchronized boolean forwardRelu(Tensor x, Tensor w, Tensor b, Tensor y, ConvSpec s) {
        return reluPostOpIsExact() && forwardReluUnchecked(x, w, b, y, s);
    }

    /** {@link #forwardRelu} without the check of the post-op (which runs this). */
    synchronized boolean forwardReluUnchecked(Tensor x, Tensor w, Tensor b, Tensor y, ConvSpec s) {
        Plan p = plan(x.shape(), w.shape(), s, b != null);
        return p != null && run(p.forwardRelu(), x, w, b, y);
    }

    private boolean run(Plan.Fwd f, Tensor x, Tensor w, Tensor b, Tensor y) {
        OneDnn.point(f.src, layouts.in(x, f.srcMd));
        OneDnn.point(f.w, layouts.in(w, f.wMd));
        OneDnn.point(f.dst, layouts.out(y, f.dstMd));
        if (b != null) {
            OneDnn.point(f.bias, addr(b));
            dnn.execute(f.prim, "convolution forward", DNNL_ARG_SRC, f.src, DNNL_ARG_WEIGHTS, f.w, DNNL_ARG_BIAS,
                f.bias, DNNL_ARG_DST, f.dst);
        } else {
            dnn.execute(f.prim, "convolution forward", DNNL_ARG_SRC, f.src, DNNL_ARG_WEIGHTS, f.w, DNNL_ARG_DST,
                f.dst);
        }
        layouts.written(y, f.dstMd);
        return true;
    }

    /**
     * Whether oneDNN's ReLU post-op maps every float as jtrain's ReLU does (NaN, −∞, −0 and negatives to +0):
     * checked once, on a 1×1 convolution with weight 1 and no bias over the special values.
     */
    private boolean reluPostOpIsExact() {
        if (reluExact == null) {
            reluExact = ReluPostOpCheck.run(this);
        }
        return reluExact;
    }

    /** dx = gradient w.r.t. the input (overwritten); false when oneDNN cannot run it. */
    synchronized boolean backwardData(Tensor dy, Tensor w, Tensor dx, ConvSpec s, Tensor ws) {
        Plan p = plan(dx.shape(), w.shape(), s, false);
        Plan.Data d = p == null ? null : p.backwardData();
        if (d == null) {
            return false;
        }
        OneDnn.point(d.diffDst, layouts.in(dy, d.diffDstMd));
        OneDnn.point(d.w, layouts.in(w, d.wMd));
        OneDnn.point(d.diffSrc, layouts.out(dx, d.diffSrcMd));
        dnn.execute(d.prim, "convolution backward data", DNNL_ARG_DIFF_DST, d.diffDst, DNNL_ARG_WEIGHTS, d.w,
            DNNL_ARG_DIFF_SRC, d.diffSrc);
        layouts.written(dx, d.diffSrcMd);
        return true;
    }

    /** dw += gradient w.r.t. the filters, db += per-channel sum of dy; false when oneDNN cannot run it. */
    synchronized boolean backwardWeights(Tensor x, Tensor dy, Tensor dw, Tensor db, ConvSpec s, Tensor ws) {
        Plan p = plan(x.shape(), dw.shape(), s, db != null);
        Plan.Weights g = p == null ? null : p.backwardWeights();
        if (g == null || g.need > ws.size()) {
            return false;
        }
        long wFloats = dw.size();
        long base = ws.mem().address();
        long tmpW = base;
        long tmpB = base + 4 * align(wFloats);
        long inner = tmpB + 4 * align(p.k);
        OneDnn.point(g.src, layouts.in(x, g.srcMd));
        OneDnn.point(g.diffDst, layouts.in(dy, g.diffDstMd));
        OneDnn.point(g.diffW, g.blockedW ? inner : tmpW);
        if (db != null) {
            OneDnn.point(g.bias, tmpB);
            dnn.execute(g.prim, "convolution backward weights", DNNL_ARG_SRC, g.src, DNNL_ARG_DIFF_DST, g.diffDst,
                DNNL_ARG_DIFF_WEIGHTS, g.diffW, DNNL_ARG_DIFF_BIAS, g.bias);
        } else {
            dnn.execute(g.prim, "convolution backward weights", DNNL_ARG_SRC, g.src, DNNL_ARG_DIFF_DST, g.diffDst,
                DNNL_ARG_DIFF_WEIGHTS, g.diffW);
        }
        if (g.blockedW) {
            layouts.reorder(g.diffWMd, inner, layouts.plain(dw.shape()), tmpW);
        }
        accumulate(dw.mem(), HostMemory.at(tmpW, wFloats), (int) wFloats);
        if (db != null) {
            accumulate(db.mem(), HostMemory.at(tmpB, p.k), p.k);
        }
        return true;
    }

    private static void accumulate(HostMemory into, HostMemory add, int n) {
        for (int i = 0; i < n; i++) {
            into.put(i, into.get(i) + add.get(i));
        }
    }

    private static long align(long floats) {
        return (floats + 15) / 16 * 16;
    }

    private static long addr(Tensor t) {
        return t.mem().address();
    }

    /** The cached plan for these shapes; null when oneDNN refuses them (the Java path runs them then). */
    private Plan plan(Shape x, Shape w, ConvSpec s, boolean bias) {
        List<Object> key = List.of(x, w, s, bias);
        if (plans.containsKey(key)) {
            return plans.get(key);
        }
        Plan p;
        try {
            p = new Plan(x, w, s, bias);
        } catch (IllegalStateException e) {
            p = null;
        }
        plans.put(key, p);
        return p;
    }

    /** The primitives of one convolution shape; each direction is created on first use. */
    private final class Plan {
        final long[] xd;
        final long[] wd;
        final long[] yd;
        final int k;
        final boolean bias;
        final LongPointer strides;
        final LongPointer dilates = new LongPointer(0L, 0L);
        final LongPointer padL;
        final LongPointer padR;
        private Fwd fwd;
        private Fwd fwdRelu;
        private Data data;
        private Weights weights;

        Plan(Shape x, Shape w, ConvSpec s, boolean bias) {
            int n = (int) x.dim(0);
            k = (int) w.dim(0);
            xd = new long[] {n, x.dim(1), x.dim(2), x.dim(3)};
            wd = new long[] {k, w.dim(1), w.dim(2), w.dim(3)};
            yd = new long[] {n, k, s.outH((int) x.dim(2)), s.outW((int) x.dim(3))};
            this.bias = bias;
            strides = new LongPointer((long) s.sh(), (long) s.sw());
            padL = new LongPointer((long) s.ph(), (long) s.pw());
            padR = new LongPointer((long) s.ph(), (long) s.pw());
            forward();
        }

        dnnl_memory_desc any(long[] d) {
            return OneDnn.md(dnnl_format_tag_any, d);
        }

        /**
         * The layout asked for x, y and their gradients: nhwc from 16 input channels, where oneDNN's brgemm
         * convolutions run 25–35 % faster than its direct ones on nChw16c (cnn-bn's 32→32 and 32→64, both thread
         * counts; 64→64 even on 2 threads); else oneDNN's choice (nChw16c; plain NCHW for 1 or 6 input channels,
         * where nhwc is slower). docs/performance.md has the measurements.
         */
        dnnl_memory_desc act(long[] d) {
            return wd[1] >= 16 ? OneDnn.md(dnnl_nhwc, d) : any(d);
        }

        Fwd forward() {
            if (fwd == null) {
                fwd = new Fwd(false);
            }
            return fwd;
        }

        Fwd forwardRelu() {
            if (fwdRelu == null) {
                fwdRelu = new Fwd(true);
            }
            return fwdRelu;
        }

        Data backwardData() {
            if (data == null) {
                data = new Data();
            }
            return data;
        }

        Weights backwardWeights() {
            if (weights == null) {
                weights = new Weights();
            }
            return weights;
        }

        /** Forward: src, weights, bias (plain x), dst, in the layouts the primitive chose; ReLU as a post-op or not. */
        final class Fwd {
            final dnnl_primitive_desc pd;
            final dnnl_primitive prim;
            final dnnl_memory_desc srcMd;
            final dnnl_memory_desc wMd;
            final dnnl_memory_desc dstMd;
            final dnnl_memory src;
            final dnnl_memory w;
            final dnnl_memory dst;
            final dnnl_memory bias;

            Fwd(boolean relu) {
                PointerPointer<?> p = new PointerPointer<>(1);
                dnnl_memory_desc bmd = Plan.this.bias ? OneDnn.md(dnnl_x, k) : null;
                OneDnn.check(dnnl_convolution_forward_primitive_desc_create(p, dnn.engine, dnnl_forward_training,
                    dnnl_convolution_direct, act(xd), any(wd), bmd, act(yd), strides, dilates, padL, padR,
                    relu ? OneDnn.reluPostOp() : null), "convolution_forward_primitive_desc_create");
                pd = new dnnl_primitive_desc(p.get(0));
                prim = dnn.primitive(pd, "convolution forward");
                srcMd = OneDnn.query(pd, dnnl_query_src_md, 0);
                wMd = OneDnn.query(pd, dnnl_query_weights_md, 0);
                dstMd = OneDnn.query(pd, dnnl_query_dst_md, 0);
                src = dnn.userMemory(srcMd);
                w = dnn.userMemory(wMd);
                dst = dnn.userMemory(dstMd);
                this.bias = bmd == null ? null : dnn.userMemory(OneDnn.query(pd, dnnl_query_weights_md, 1));
            }
        }

        /** Backward data: diff dst and weights in, diff src out. */
        final class Data {
            final dnnl_primitive prim;
            final dnnl_memory_desc diffDstMd;
            final dnnl_memory_desc wMd;
            final dnnl_memory_desc diffSrcMd;
            final dnnl_memory diffDst;
            final dnnl_memory w;
            final dnnl_memory diffSrc;

            Data() {
                PointerPointer<?> p = new PointerPointer<>(1);
                OneDnn.check(dnnl_convolution_backward_data_primitive_desc_create(p, dnn.engine,
                    dnnl_convolution_direct, act(xd), any(wd), act(yd), strides, dilates, padL, padR, forward().pd,
                    null), "convolution_backward_data_primitive_desc_create");
                dnnl_primitive_desc pd = new dnnl_primitive_desc(p.get(0));
                prim = dnn.primitive(pd, "convolution backward data");
                diffDstMd = OneDnn.query(pd, dnnl_query_diff_dst_md, 0);
                wMd = OneDnn.query(pd, dnnl_query_weights_md, 0);
                diffSrcMd = OneDnn.query(pd, dnnl_query_diff_src_md, 0);
                diffDst = dnn.userMemory(diffDstMd);
                w = dnn.userMemory(wMd);
                diffSrc = dnn.userMemory(diffSrcMd);
            }
        }

        /**
         * Backward weights: src and diff dst in; diff weights (through a blocked temporary when the primitive
         * wants one, reordered) and diff bias into plain temporaries that are added to dw and db.
         */
        final class Weights {
            final dnnl_primitive prim;
            final dnnl_memory_desc srcMd;
            final dnnl_memory_desc diffDstMd;
            final dnnl_memory_desc diffWMd;
            final boolean blockedW;
            final dnnl_memory src;
            final dnnl_memory diffDst;
            final dnnl_memory diffW;
            final dnnl_memory bias;
            final long need;

            Weights() {
                PointerPointer<?> p = new PointerPointer<>(1);
                OneDnn.check(dnnl_convolution_backward_weights_primitive_desc_create(p, dnn.engine,
                    dnnl_convolution_direct, act(xd), any(wd), Plan.this.bias ? OneDnn.md(dnnl_x, k) : null,
                    act(yd), strides, dilates, padL, padR, forward().pd, null),
                    "convolution_backward_weights_primitive_desc_create");
                dnnl_primitive_desc pd = new dnnl_primitive_desc(p.get(0));
                prim = dnn.primitive(pd, "convolution backward weights");
                srcMd = OneDnn.query(pd, dnnl_query_src_md, 0);
                diffDstMd = OneDnn.query(pd, dnnl_query_diff_dst_md, 0);
                diffWMd = OneDnn.query(pd, dnnl_query_diff_weights_md, 0);
                long wFloats = wd[0] * wd[1] * wd[2] * wd[3];
                blockedW = !Layouts.same(diffWMd, OneDnn.md(dnnl_oihw, wd));
                src = dnn.userMemory(srcMd);
                diffDst = dnn.userMemory(diffDstMd);
                diffW = dnn.userMemory(diffWMd);
                bias = Plan.this.bias ? dnn.userMemory(OneDnn.query(pd, dnnl_query_diff_weights_md, 1)) : null;
                need = align(wFloats) + align(k) + (blockedW ? (dnnl_memory_desc_get_size(diffWMd) + 3) / 4 : 0);
            }
        }
    }
}
