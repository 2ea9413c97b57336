package io.jtrain.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.dnnl_cpu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_engine_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_f32;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_create_with_tag;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_set_data_handle;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_relu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_append_eltwise;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_set_post_ops;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_execute;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_default_flags;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_wait;

import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * oneDNN (the library PyTorch's CPU path uses) for the CPU backend: one engine and one stream, memory
 * descriptors, memories over jtrain's own buffers or over aligned buffers owned here, reorders, and checked
 * calls — every status code is checked and named in the error. Primitives and memories live as long as the
 * backend (they are cached per shape and few), so nothing is freed per step.
 */
final class OneDnn {
    private static OneDnn instance;
    private static String unavailable;

    final dnnl_engine engine;
    final dnnl_stream stream;
    final String version;

    private OneDnn(dnnl_engine engine, dnnl_stream stream, String version) {
        this.engine = engine;
        this.stream = stream;
        this.version = version;
    }

    /** The process's oneDNN engine, or null when its natives cannot load ({@link #unavailableReason()}). */
    static synchronized OneDnn get() {
        if (instance == null && unavailable == null) {
            try {
                org.bytedeco.javacpp.Loader.load(org.bytedeco.dnnl.global.dnnl.class);
                PointerPointer<?> e = new PointerPointer<>(1);
                check(dnnl_engine_create(e, dnnl_cpu, 0), "engine_create(cpu, 0)");
                dnnl_engine eng = new dnnl_engine(e.get(0));
                PointerPointer<?> s = new PointerPointer<>(1);
                check(dnnl_stream_create(s, eng, dnnl_stream_default_flags), "stream_create");
                org.bytedeco.dnnl.dnnl_version_t v = org.bytedeco.dnnl.global.dnnl.dnnl_version();
                instance = new OneDnn(eng, new dnnl_stream(s.get(0)), v.major() + "." + v.minor() + "." + v.patch());
            } catch (RuntimeException | LinkageError e) {
                unavailable = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
        }
        return instance;
    }

    /** Why {@link #get()} returned null (null when it did not). */
    static synchronized String unavailableReason() {
        return unavailable;
    }

    private dnnl_primitive_attr reluPostOp;

    /** Primitive attributes with one post-op, ReLU (y = max(y, 0)), for a convolution followed by a ReLU. */
    static synchronized dnnl_primitive_attr reluPostOp() {
        OneDnn d = get();
        if (d.reluPostOp == null) {
            PointerPointer<?> po = new PointerPointer<>(1);
            check(dnnl_post_ops_create(po), "post_ops_create");
            dnnl_post_ops ops = new dnnl_post_ops(po.get(0));
            check(dnnl_post_ops_append_eltwise(ops, dnnl_eltwise_relu, 0f, 0f), "post_ops_append_eltwise(relu)");
            PointerPointer<?> pa = new PointerPointer<>(1);
            check(dnnl_primitive_attr_create(pa), "primitive_attr_create");
            dnnl_primitive_attr attr = new dnnl_primitive_attr(pa.get(0));
            check(dnnl_primitive_attr_set_post_ops(attr, ops), "primitive_attr_set_post_ops");
            d.reluPostOp = attr;
        }
        return d.reluPostOp;
    }

    /** Throws naming the call and the status when {@code status} is not dnnl_success. */
    static void check(int status, String call) {
        if (status != 0) {
            throw new IllegalStateException("oneDNN dnnl_" + call + " failed: " + statusName(status) + " (status "
                + status + ")");
        }
    }

    /** dnnl_status_t's names (oneapi/dnnl/dnnl_common_types.h). */
    static String statusName(int status) {
        return switch (status) {
            case 0 -> "dnnl_success";
            case 1 -> "dnnl_out_of_memory";
            case 2 -> "dnnl_invalid_arguments";
            case 3 -> "dnnl_unimplemented";
            case 4 -> "dnnl_last_impl_reached";
            case 5 -> "dnnl_runtime_error";
            case 6 -> "dnnl_not_required";
            case 7 -> "dnnl_invalid_graph";
            case 8 -> "dnnl_invalid_graph_op";
            case 9 -> "dnnl_invalid_shape";
            case 10 -> "dnnl_invalid_data_type";
            default -> "unknown dnnl_status_t";
        };
    }

    /** A float32 memory descriptor of {@code dims} in layout {@code tag} (dnnl_format_tag_any lets oneDNN pick). */
    static dnnl_memory_desc md(int tag, long... dims) {
        PointerPointer<?> p = new PointerPointer<>(1);
        check(dnnl_memory_desc_create_with_tag(p, dims.length, new LongPointer(dims), dnnl_f32, tag),
            "memory_desc_create_with_tag");
        return new dnnl_memory_desc(p.get(0));
    }

    /** The memory descriptor {@code pd} wants for {@code query} (dnnl_query_src_md, ...). */
    static dnnl_memory_desc query(dnnl_primitive_desc pd, int query, int index) {
        dnnl_memory_desc md = dnnl_primitive_desc_query_md(pd, query, index);
        if (md == null || md.isNull()) {
            throw new IllegalStateException("oneDNN dnnl_primitive_desc_query_md(" + query + ", " + index
                + ") returned no descriptor");
        }
        return md;
    }

    dnnl_primitive primitive(dnnl_primitive_desc pd, String what) {
        PointerPointer<?> p = new PointerPointer<>(1);
        check(dnnl_primitive_create(p, pd), "primitive_create(" + what + ")");
        return new dnnl_primitive(p.get(0));
    }

    /**
     * Executes {@code prim} with (argument id, memory) pairs and waits for it. Serialised: the one stream is
     * shared by every CPU backend of the process, and a oneDNN stream is not safe to use from two threads.
     */
    synchronized void execute(dnnl_primitive prim, String what, Object... args) {
        int n = args.length / 2;
        dnnl_exec_arg_t a = new dnnl_exec_arg_t(n);
        for (int i = 0; i < n; i++) {
            a.position(i).arg((Integer) args[2 * i]).memory((dnnl_memory) args[2 * i + 1]);
        }
        a.position(0);
        Worker.yieldCores();
        check(dnnl_primitive_execute(prim, stream, n, a), "primitive_execute(" + what + ")");
        check(dnnl_stream_wait(stream), "stream_wait(" + what + ")");
        a.close();
    }

    /** A memory of layout {@code md} whose data handle is set per call ({@link #point}). */
    dnnl_memory userMemory(dnnl_memory_desc md) {
        PointerPointer<?> p = new PointerPointer<>(1);
        check(dnnl_memory_create(p, md, engine, new Raw(0)), "memory_create(user)");
        return new dnnl_memory(p.get(0));
    }

    /** Points {@code mem} at {@code address}. */
    static void point(dnnl_memory mem, long address) {
        check(dnnl_memory_set_data_handle(mem, new Raw(address)), "memory_set_data_handle");
    }

    /** A pointer at a raw address (jtrain's tensors are native memory that JavaCPP does not own). */
    static final class Raw extends Pointer {
        Raw(long address) {
            this.address = address;
        }
    }
}
