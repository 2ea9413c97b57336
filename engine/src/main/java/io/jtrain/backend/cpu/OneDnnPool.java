package io.jtrain.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WORKSPACE;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_get_size;
import static org.bytedeco.dnnl.global.dnnl.dnnl_pooling_backward_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_pooling_forward_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_pooling_max;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_workspace_md;

import io.jtrain.backend.ConvSpec;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.MemoryPool;
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
 * Max pooling through oneDNN's pooling primitives (2–4× faster than the Java loops on NCHW, twice that again on the
 * blocked layout a convolution leaves its output in; docs/performance.md), for windows that do not overlap
 * (stride ≥ kernel). An input in a channel-blocked layout ({@link Layouts}) is pooled in it, and so is the gradient. oneDNN picks the first maximum of a
 * window, as jtrain does (−0 and +0 tie), but skips NaN and turns a window of −∞ into −3.4e38 where jtrain's
 * maximum is NaN and −∞; so it is used only on inputs marked as holding neither
 * ({@link Tensor#NO_NAN_OR_NEGATIVE_INFINITY}: what the ReLU and, mostly, the batch norm write), where the two
 * agree bit for bit. The forward pass leaves the argmax workspace (a byte per output) attached to y, pool-accounted;
 * the backward pass routes dy through it, or returns false (the Java path then runs) when the forward did not run
 * here. Calls are serialised.
 */
final class OneDnnPool {
    private final OneDnn dnn;
    private final MemoryPool pool;
    private final Layouts layouts;
    private final Map<List<Object>, Plan> plans = new HashMap<>();
    private long forwardCalls;

    OneDnnPool(OneDnn dnn, MemoryPool pool, Layouts layouts) {
        this.dnn = dnn;
        this.pool = pool;
        this.layouts = layouts;
    }

    /** Whether this path runs max pooling of these windows at all (non-overlapping ones). */
    static boolean supports(ConvSpec s) {
        return s.sh() >= s.kh() && s.sw() >= s.kw() && s.ph() < s.kh() && s.pw() < s.kw();
    }

    /** y = max over each window of x; false (nothing written) when this path does not apply to x. */
    synchronized boolean forward(Tensor x, Tensor y, ConvSpec s) {
        Workspace ws = (Workspace) y.attachment(this);
        if (ws != null) {
            ws.valid = false;
        }
        if (!supports(s) || !x.hasValues(Tensor.NO_NAN_OR_NEGATIVE_INFINITY)) {
            return false;
        }
        int tag = layouts.blockedTag(x);
        Shape ys = Shape.of(x.dim(0), x.dim(1), s.outH(x.dim(2)), s.outW(x.dim(3)));
        Plan p = plans.computeIfAbsent(List.of(x.shape(), s, tag), k -> new Plan(x.shape(), ys, s, tag));
        if (ws == null || ws.buffer.size() < p.workspaceFloats) {
            ws = new Workspace(Tensor.allocate(pool, Shape.of((int) p.workspaceFloats), MemoryCategory.WORKSPACE, true));
            y.attach(this, ws);
        }
        OneDnn.point(p.src, layouts.in(x, p.srcMd));
        OneDnn.point(p.dst, layouts.out(y, p.dstMd));
        OneDnn.point(p.fwdWs, ws.buffer.mem().address());
        dnn.execute(p.forward, "pooling forward", DNNL_ARG_SRC, p.src, DNNL_ARG_DST, p.dst, DNNL_ARG_WORKSPACE, p.fwdWs);
        layouts.written(y, p.dstMd);
        forwardCalls++;
        ws.valid = true;
        ws.x = x.shape();
        ws.plan = p;
        return true;
    }

    /** How many forward passes ran here (for tests). */
    synchronized long forwardCalls() {
        return forwardCalls;
    }

    /** dx = dy routed to each window's first maximum (overwritten); false when the forward did not run here. */
    synchronized boolean backward(Tensor x, Tensor y, Tensor dy, Tensor dx, ConvSpec s) {
        Workspace ws = (Workspace) y.attachment(this);
        if (ws == null || !ws.valid || !ws.x.equals(x.shape())) {
            return false;
        }
        Plan p = ws.plan;
        OneDnn.point(p.diffDst, layouts.in(dy, p.dstMd));
        OneDnn.point(p.diffSrc, layouts.out(dx, p.srcMd));
        OneDnn.point(p.bwdWs, ws.buffer.mem().address());
        dnn.execute(p.backward, "pooling backward", DNNL_ARG_DIFF_DST, p.diffDst, DNNL_ARG_DIFF_SRC, p.diffSrc,
            DNNL_ARG_WORKSPACE, p.bwdWs);
        layouts.written(dx, p.srcMd);
        return true;
    }

    /** The argmax workspace of one pooling output, and the forward call it belongs to. */
    private static final class Workspace implements AutoCloseable {
        final Tensor buffer;
        boolean valid;
        Shape x;
        Plan plan;

        Workspace(Tensor buffer) {
            this.buffer = buffer;
        }

        @Override
        public void close() {
            buffer.close();
        }
    }

    /** Forward (training: with the workspace) and backward primitives of one shape, in one layout (NCHW or blocked). */
    private final class Plan {
        final dnnl_primitive forward;
        final dnnl_primitive backward;
        final dnnl_memory_desc srcMd;
        final dnnl_memory_desc dstMd;
        final dnnl_memory src;
        final dnnl_memory dst;
        final dnnl_memory fwdWs;
        final dnnl_memory diffDst;
        final dnnl_memory diffSrc;
        final dnnl_memory bwdWs;
        final long workspaceFloats;

        Plan(Shape x, Shape y, ConvSpec s, int tag) {
            srcMd = tag == 0 ? layouts.plain(x) : layouts.tagged(x, tag);
            dstMd = tag == 0 ? layouts.plain(y) : layouts.tagged(y, tag);
            LongPointer kernel = new LongPointer((long) s.kh(), (long) s.kw());
            LongPointer strides = new LongPointer((long) s.sh(), (long) s.sw());
            LongPointer dilation = new LongPointer(0L, 0L);
            LongPointer padL = new LongPointer((long) s.ph(), (long) s.pw());
            LongPointer padR = new LongPointer(padRight(x.dim(2), y.dim(2), s.kh(), s.sh(), s.ph()),
                padRight(x.dim(3), y.dim(3), s.kw(), s.sw(), s.pw()));
            PointerPointer<?> f = new PointerPointer<>(1);
            OneDnn.check(dnnl_pooling_forward_primitive_desc_create(f, dnn.engine, dnnl_forward_training,
                dnnl_pooling_max, srcMd, dstMd, strides, kernel, dilation, padL, padR, null),
                "pooling_forward_primitive_desc_create");
            dnnl_primitive_desc fpd = new dnnl_primitive_desc(f.get(0));
            forward = dnn.primitive(fpd, "pooling forward");
            PointerPointer<?> b = new PointerPointer<>(1);
            OneDnn.check(dnnl_pooling_backward_primitive_desc_create(b, dnn.engine, dnnl_pooling_max, srcMd, dstMd,
                strides, kernel, dilation, padL, padR, fpd, null), "pooling_backward_primitive_desc_create");
            backward = dnn.primitive(new dnnl_primitive_desc(b.get(0)), "pooling backward");
            src = dnn.userMemory(srcMd);
            dst = dnn.userMemory(dstMd);
            diffSrc = dnn.userMemory(srcMd);
            diffDst = dnn.userMemory(dstMd);
            fwdWs = dnn.userMemory(OneDnn.query(fpd, dnnl_query_workspace_md, 0));
            bwdWs = dnn.userMemory(OneDnn.query(fpd, dnnl_query_workspace_md, 0));
            workspaceFloats = (dnnl_memory_desc_get_size(OneDnn.query(fpd, dnnl_query_workspace_md, 0)) + 3) / 4;
        }

        /**
         * oneDNN's right padding for jtrain's output size {@code out = (in + 2p - k) / s + 1}: what the last window
         * reaches past the input (the rows it never reaches are outside every window, as in jtrain).
         */
        private static long padRight(long in, long out, int k, int s, int p) {
            return Math.max(0, (out - 1) * s + k - in - p);
        }
    }
}
