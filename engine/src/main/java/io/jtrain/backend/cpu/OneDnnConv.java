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
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nchw;
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
 * and cached. jtrain's tensors stay in plain NCHW / OIHW; each primitive works in the layout oneDNN picks
 * ({@code format_tag any}: blocked, e.g. nChw16c on AVX-512) with reorders at its edges through buffers
 * carved from the op's workspace, which {@link #workspaceElements} sizes (so the pool accounts for them).
 * Semantics are jtrain's: zero padding on both sides, output size {@code (H + 2p - k) / s + 1}; filter and
 * bias gradients are accumulated ({@code +=}). Calls are serialised (the cached memories are shared).
 */
final class OneDnnConv {
    private final OneDnn dnn;
    private final Map<List<Object>, Plan> plans = new HashMap<>();

    OneDnnConv(OneDnn dnn) {
        this.dnn = dnn;
    }

    /** Workspace floats the oneDNN path needs for these shapes (0 when it cannot run them). */
    synchronized long workspaceElements(Shape x, Shape w, ConvSpec s) {
        Plan p = plan(x, w, s, true);
        return p == null ? 0 : Math.max(p.forward().need, Math.max(p.backwardData().need, p.backwardWeights().need));
    }

    /** y = conv(x, w) + b; false (nothing written) when oneDNN cannot run this shape in this workspace. */
    synchronized boolean forward(Tensor x, Tensor w, Tensor b, Tensor y, ConvSpec s, Tensor ws) {
        Plan p = plan(x.shape(), w.shape(), s, b != null);
        Plan.Fwd f = p == null ? null : p.forward();
        if (f == null || f.need > ws.size()) {
            return false;
        }
        long base = ws.mem().address();
        dnnl_memory src = f.src.bind(addr(x), base);
        dnnl_memory wt = f.w.bind(addr(w), base + 4 * f.src.innerFloats);
        dnnl_memory dst = f.dst.bind(addr(y), base + 4 * (f.src.innerFloats + f.w.innerFloats));
        if (b != null) {
            OneDnn.point(f.bias, addr(b));
            dnn.execute(f.prim, "convolution forward", DNNL_ARG_SRC, src, DNNL_ARG_WEIGHTS, wt, DNNL_ARG_BIAS, f.bias,
                DNNL_ARG_DST, dst);
        } else {
            dnn.execute(f.prim, "convolution forward", DNNL_ARG_SRC, src, DNNL_ARG_WEIGHTS, wt, DNNL_ARG_DST, dst);
        }
        f.dst.finish();
        return true;
    }

    /** dx = gradient w.r.t. the input (overwritten); false when oneDNN cannot run it. */
    synchronized boolean backwardData(Tensor dy, Tensor w, Tensor dx, ConvSpec s, Tensor ws) {
        Plan p = plan(dx.shape(), w.shape(), s, false);
        Plan.Bwd d = p == null ? null : p.backwardData();
        if (d == null || d.need > ws.size()) {
            return false;
        }
        long base = ws.mem().address();
        dnnl_memory ddst = d.diffDst.bind(addr(dy), base);
        dnnl_memory wt = d.w.bind(addr(w), base + 4 * d.diffDst.innerFloats);
        dnnl_memory dsrc = d.out.bind(addr(dx), base + 4 * (d.diffDst.innerFloats + d.w.innerFloats));
        dnn.execute(d.prim, "convolution backward data", DNNL_ARG_DIFF_DST, ddst, DNNL_ARG_WEIGHTS, wt,
            DNNL_ARG_DIFF_SRC, dsrc);
        d.out.finish();
        return true;
    }

    /** dw += gradient w.r.t. the filters, db += per-channel sum of dy; false when oneDNN cannot run it. */
    synchronized boolean backwardWeights(Tensor x, Tensor dy, Tensor dw, Tensor db, ConvSpec s, Tensor ws) {
        Plan p = plan(x.shape(), dw.shape(), s, db != null);
        Plan.Bwd g = p == null ? null : p.backwardWeights();
        if (g == null || g.need > ws.size()) {
            return false;
        }
        long base = ws.mem().address();
        long wFloats = dw.size();
        long tmpW = base;
        long tmpB = base + 4 * align(wFloats);
        long inner = tmpB + 4 * align(p.k);
        dnnl_memory src = g.w.bind(addr(x), inner);
        dnnl_memory ddst = g.diffDst.bind(addr(dy), inner + 4 * g.w.innerFloats);
        dnnl_memory dwt = g.out.bind(tmpW, inner + 4 * (g.w.innerFloats + g.diffDst.innerFloats));
        if (db != null) {
            OneDnn.point(g.bias, tmpB);
            dnn.execute(g.prim, "convolution backward weights", DNNL_ARG_SRC, src, DNNL_ARG_DIFF_DST, ddst,
                DNNL_ARG_DIFF_WEIGHTS, dwt, DNNL_ARG_DIFF_BIAS, g.bias);
        } else {
            dnn.execute(g.prim, "convolution backward weights", DNNL_ARG_SRC, src, DNNL_ARG_DIFF_DST, ddst,
                DNNL_ARG_DIFF_WEIGHTS, dwt);
        }
        g.out.finish();
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
        private Bwd data;
        private Bwd weights;

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

        Fwd forward() {
            if (fwd == null) {
                fwd = new Fwd();
            }
            return fwd;
        }

        Bwd backwardData() {
            if (data == null) {
                data = new Bwd(true);
            }
            return data;
        }

        Bwd backwardWeights() {
            if (weights == null) {
                weights = new Bwd(false);
            }
            return weights;
        }

        /** Forward: src, weights, bias (plain x), dst. */
        final class Fwd {
            final dnnl_primitive_desc pd;
            final dnnl_primitive prim;
            final OneDnn.Edge src;
            final OneDnn.Edge w;
            final OneDnn.Edge dst;
            final dnnl_memory bias;
            final long need;

            Fwd() {
                PointerPointer<?> p = new PointerPointer<>(1);
                dnnl_memory_desc bmd = Plan.this.bias ? OneDnn.md(dnnl_x, k) : null;
                OneDnn.check(dnnl_convolution_forward_primitive_desc_create(p, dnn.engine, dnnl_forward_training,
                    dnnl_convolution_direct, any(xd), any(wd), bmd, any(yd), strides, dilates, padL, padR, null),
                    "convolution_forward_primitive_desc_create");
                pd = new dnnl_primitive_desc(p.get(0));
                prim = dnn.primitive(pd, "convolution forward");
                src = dnn.new Edge(OneDnn.md(dnnl_nchw, xd), OneDnn.query(pd, dnnl_query_src_md, 0), true, "src");
                w = dnn.new Edge(OneDnn.md(dnnl_oihw, wd), OneDnn.query(pd, dnnl_query_weights_md, 0), true, "weights");
                dst = dnn.new Edge(OneDnn.md(dnnl_nchw, yd), OneDnn.query(pd, dnnl_query_dst_md, 0), false, "dst");
                this.bias = bmd == null ? null : dnn.userMemory(OneDnn.query(pd, dnnl_query_weights_md, 1));
                need = src.innerFloats + w.innerFloats + dst.innerFloats;
            }
        }

        /**
         * Backward data (w: weights, diffDst, out: diff src) or backward weights (w: src, diffDst, out: diff
         * weights into a plain temporary that is added to dw, bias: diff bias temporary).
         */
        final class Bwd {
            final dnnl_primitive prim;
            final OneDnn.Edge w;
            final OneDnn.Edge diffDst;
            final OneDnn.Edge out;
            final dnnl_memory bias;
            final long need;

            Bwd(boolean isData) {
                PointerPointer<?> p = new PointerPointer<>(1);
                dnnl_primitive_desc hint = forward().pd;
                if (isData) {
                    OneDnn.check(dnnl_convolution_backward_data_primitive_desc_create(p, dnn.engine,
                        dnnl_convolution_direct, any(xd), any(wd), any(yd), strides, dilates, padL, padR, hint, null),
                        "convolution_backward_data_primitive_desc_create");
                } else {
                    OneDnn.check(dnnl_convolution_backward_weights_primitive_desc_create(p, dnn.engine,
                        dnnl_convolution_direct, any(xd), any(wd), Plan.this.bias ? OneDnn.md(dnnl_x, k) : null,
                        any(yd), strides, dilates, padL, padR, hint, null),
                        "convolution_backward_weights_primitive_desc_create");
                }
                dnnl_primitive_desc pd = new dnnl_primitive_desc(p.get(0));
                prim = dnn.primitive(pd, isData ? "convolution backward data" : "convolution backward weights");
                diffDst = dnn.new Edge(OneDnn.md(dnnl_nchw, yd), OneDnn.query(pd, dnnl_query_diff_dst_md, 0), true,
                    "diff dst");
                if (isData) {
                    w = dnn.new Edge(OneDnn.md(dnnl_oihw, wd), OneDnn.query(pd, dnnl_query_weights_md, 0), true,
                        "weights");
                    out = dnn.new Edge(OneDnn.md(dnnl_nchw, xd), OneDnn.query(pd, dnnl_query_diff_src_md, 0), false,
                        "diff src");
                    bias = null;
                    need = w.innerFloats + diffDst.innerFloats + out.innerFloats;
                } else {
                    w = dnn.new Edge(OneDnn.md(dnnl_nchw, xd), OneDnn.query(pd, dnnl_query_src_md, 0), true, "src");
                    out = dnn.new Edge(OneDnn.md(dnnl_oihw, wd), OneDnn.query(pd, dnnl_query_diff_weights_md, 0),
                        false, "diff weights");
                    bias = Plan.this.bias ? dnn.userMemory(OneDnn.query(pd, dnnl_query_diff_weights_md, 1)) : null;
                    long wFloats = wd[0] * wd[1] * wd[2] * wd[3];
                    need = align(wFloats) + align(k) + w.innerFloats + diffDst.innerFloats + out.innerFloats;
                }
            }
        }
    }
}
