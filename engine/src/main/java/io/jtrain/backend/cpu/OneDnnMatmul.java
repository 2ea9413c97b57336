package io.jtrain.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_f32;
import static org.bytedeco.dnnl.global.dnnl.dnnl_matmul_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_create_with_strides;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_append_sum;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_set_post_ops;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Matrix products through oneDNN's matmul primitive, on a backend that runs on one thread: at the dense layers'
 * shapes it is 15–30 % faster than OpenBLAS's sgemm on one core (docs/performance.md). On more threads the products
 * stay on OpenBLAS, split over jtrain's own threads: oneDNN would wake its OpenMP threads for every product (tens of
 * microseconds each, against products of a few hundred), and a primitive cannot be told to run on one thread from
 * each of jtrain's. Only products of at least {@link #MIN_MACS} multiply-adds come here (below, a primitive's call
 * costs more than it saves). {@code C = op(A) op(B) + beta C} with beta a sum post-op; primitives are created once
 * per shape and cached (their scratchpads are oneDNN's, outside the pool, as the convolutions' are). Calls are
 * serialised.
 */
final class OneDnnMatmul {
    /** The smallest product (m·n·k) run here. */
    static final long MIN_MACS = 1L << 20;
    private final OneDnn dnn;
    private final Map<List<Object>, Plan> plans = new HashMap<>();

    OneDnnMatmul(OneDnn dnn) {
        this.dnn = dnn;
    }

    /** C = op(A) op(B) + beta C for the matrices (tensor, offset, row stride) of {@link Gemm}. */
    synchronized void run(Gemm.Dims d, Gemm.Mat a, Gemm.Mat b, float beta, Gemm.Mat c) {
        Plan p = plans.computeIfAbsent(List.of(d, a.ld(), b.ld(), c.ld(), beta), k -> new Plan(d, a, b, c, beta));
        OneDnn.point(p.a, address(a));
        OneDnn.point(p.b, address(b));
        OneDnn.point(p.c, address(c));
        dnn.execute(p.prim, "matmul", DNNL_ARG_SRC, p.a, DNNL_ARG_WEIGHTS, p.b, DNNL_ARG_DST, p.c);
    }

    private static long address(Gemm.Mat m) {
        return m.t().mem().address() + m.offset() * Float.BYTES;
    }

    /** A row-major view of [rows, cols] with the given strides. */
    private static dnnl_memory_desc strided(long rows, long cols, long rowStride, long colStride) {
        PointerPointer<?> p = new PointerPointer<>(1);
        OneDnn.check(dnnl_memory_desc_create_with_strides(p, 2, new LongPointer(rows, cols), dnnl_f32,
            new LongPointer(rowStride, colStride)), "memory_desc_create_with_strides");
        return new dnnl_memory_desc(p.get(0));
    }

    /** The primitive of one shape, transposition, strides and beta, and its memories. */
    private final class Plan {
        final dnnl_primitive prim;
        final dnnl_memory a;
        final dnnl_memory b;
        final dnnl_memory c;

        Plan(Gemm.Dims d, Gemm.Mat ma, Gemm.Mat mb, Gemm.Mat mc, float beta) {
            dnnl_memory_desc amd = d.transA() ? strided(d.m(), d.k(), 1, ma.ld()) : strided(d.m(), d.k(), ma.ld(), 1);
            dnnl_memory_desc bmd = d.transB() ? strided(d.k(), d.n(), 1, mb.ld()) : strided(d.k(), d.n(), mb.ld(), 1);
            dnnl_memory_desc cmd = strided(d.m(), d.n(), mc.ld(), 1);
            PointerPointer<?> pa = new PointerPointer<>(1);
            OneDnn.check(dnnl_primitive_attr_create(pa), "primitive_attr_create");
            dnnl_primitive_attr attr = new dnnl_primitive_attr(pa.get(0));
            if (beta != 0f) {
                PointerPointer<?> po = new PointerPointer<>(1);
                OneDnn.check(dnnl_post_ops_create(po), "post_ops_create");
                dnnl_post_ops ops = new dnnl_post_ops(po.get(0));
                OneDnn.check(dnnl_post_ops_append_sum(ops, beta, 0, dnnl_f32), "post_ops_append_sum");
                OneDnn.check(dnnl_primitive_attr_set_post_ops(attr, ops), "primitive_attr_set_post_ops");
            }
            PointerPointer<?> p = new PointerPointer<>(1);
            OneDnn.check(dnnl_matmul_primitive_desc_create(p, dnn.engine, amd, bmd, null, cmd, attr),
                "matmul_primitive_desc_create");
            dnnl_primitive_desc pd = new dnnl_primitive_desc(p.get(0));
            prim = dnn.primitive(pd, "matmul");
            a = dnn.userMemory(amd);
            b = dnn.userMemory(bmd);
            c = dnn.userMemory(cmd);
        }
    }
}
