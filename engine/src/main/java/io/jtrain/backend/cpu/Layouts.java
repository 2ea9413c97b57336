package io.jtrain.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.dnnl_aBcd16b;
import static org.bytedeco.dnnl.global.dnnl.dnnl_aBcd8b;
import static org.bytedeco.dnnl.global.dnnl.dnnl_acdb;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_equal;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_get_size;
import static org.bytedeco.dnnl.global.dnnl.dnnl_reorder_primitive_desc_create;

import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.MemoryPool;
import io.jtrain.tensor.Shadow;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.PointerPointer;

/**
 * jtrain's tensors in oneDNN's layouts. A oneDNN op reads its inputs through {@link #in} and writes its outputs
 * through {@link #out}: a tensor whose {@link Shadow} already holds its values in the layout the primitive wants is
 * handed over as it is; otherwise its values are reordered from NCHW into the shadow, which keeps them for the next
 * op that wants that layout. An output in a blocked layout stays in the output's shadow ({@link #written}), and
 * reaches NCHW only when something reads the tensor from the host ({@link Tensor#mem()} writes it back). So a
 * convolution, ReLU, batch norm and max pooling in a row hand oneDNN's blocked layout (nChw16c on AVX-512) to each
 * other, and the reorders happen at the edges: before a dense layer, a dropout, a download. Shadows are memory
 * from the backend's pool (as much again as each activation they shadow, more where channels are padded to the
 * block), kept with the tensor and released with it. Calls are serialised.
 */
final class Layouts {
    private final OneDnn dnn;
    private final MemoryPool memory;
    private final Map<Shape, dnnl_memory_desc> plain = new HashMap<>();
    private final Map<List<Object>, dnnl_memory_desc> tagged = new HashMap<>();
    private final List<Reorder> reorders = new ArrayList<>();
    private long reorderCalls;

    Layouts(OneDnn dnn, MemoryPool memory) {
        this.dnn = dnn;
        this.memory = memory;
    }

    /** jtrain's own layout of a tensor of shape {@code s}: row-major (NCHW for images). */
    synchronized dnnl_memory_desc plain(Shape s) {
        return plain.computeIfAbsent(s, k -> OneDnn.md(plainTag(k.rank()), dims(k)));
    }

    /** The layout {@code tag} (such as dnnl_aBcd16b) of a 4-D shape. */
    synchronized dnnl_memory_desc tagged(Shape s, int tag) {
        return tagged.computeIfAbsent(List.of(s, tag), k -> OneDnn.md(tag, dims(s)));
    }

    /** Whether {@code a} and {@code b} describe the same layout of the same dimensions. */
    static boolean same(dnnl_memory_desc a, dnnl_memory_desc b) {
        return a == b || dnnl_memory_desc_equal(a, b) != 0;
    }

    /**
     * The layout, of those the element-wise, batch-norm and pooling ops take (dnnl_aBcd16b, dnnl_aBcd8b, dnnl_acdb),
     * that {@code t}'s current values are in, or 0 when they are in jtrain's NCHW or another layout.
     */
    synchronized int blockedTag(Tensor t) {
        Copy c = currentCopy(t);
        return c == null ? 0 : c.tag;
    }

    /** A copy in a oneDNN layout that holds {@code t}'s current values for t's shape (a known layout first), or null. */
    synchronized Copy currentCopy(Tensor t) {
        Blocked b = current(t);
        if (b == null) {
            return null;
        }
        Copy any = null;
        for (Copy c : b.copies) {
            if (c.current && c.tag != 0) {
                return c;
            }
            any = c.current ? c : any;
        }
        return any;
    }

    /**
     * The layout for an element-wise op on {@code x} and {@code dy} whose result goes to the op that wrote x (the
     * ReLU's backward: to the backward of the convolution or pooling before it): any layout will do for the loop, so
     * the one with the fewest reorders — of x, of dy, and of the result into the layout x's writer works in (x's first
     * copy) — NCHW included. Returns x's copy in that layout (made when missing), or null for NCHW.
     */
    synchronized Copy elementwiseCopy(Tensor x, Tensor dy) {
        Blocked bx = x.shadow() instanceof Blocked s && s.shape.equals(x.shape()) ? s : null;
        if (bx == null || bx.copies.isEmpty()) {
            return null; // x has never been in a oneDNN layout
        }
        Blocked cx = current(x);
        Blocked cd = current(dy);
        dnnl_memory_desc writer = bx.copies.get(0).md;
        dnnl_memory_desc best = null; // NCHW
        int bestCost = (x.shadowNewer() ? 1 : 0) + (dy.shadowNewer() ? 1 : 0) + 1;
        List<dnnl_memory_desc> candidates = new ArrayList<>();
        candidates.add(writer);
        for (Blocked c : new Blocked[] {cx, cd}) {
            if (c != null) {
                c.copies.stream().filter(k -> k.current).forEach(k -> candidates.add(k.md));
            }
        }
        for (dnnl_memory_desc md : candidates) {
            int cost = (holds(cx, md) ? 0 : 1) + (holds(cd, md) ? 0 : 1) + (same(md, writer) ? 0 : 1);
            if (cost < bestCost) {
                best = md;
                bestCost = cost;
            }
        }
        return best == null ? null : shadow(x).copy(best);
    }

    /** Whether b holds current values in layout md. */
    private static boolean holds(Blocked b, dnnl_memory_desc md) {
        Copy c = b == null ? null : b.find(md);
        return c != null && c.current;
    }

    /** t's shadow when it holds t's current values for t's shape, else null. */
    private static Blocked current(Tensor t) {
        return t.shadow() instanceof Blocked b && t.shadowCurrent() && b.shape.equals(t.shape()) ? b : null;
    }

    /**
     * The address of {@code t}'s values in layout {@code md}: its memory, a copy in its shadow, or a reorder into one
     * — from another current copy when there is one, else from its memory.
     */
    synchronized long in(Tensor t, dnnl_memory_desc md) {
        if (same(md, plain(t.shape()))) {
            return t.mem().address();
        }
        Blocked b = current(t);
        if (b != null) {
            Copy have = b.find(md);
            if (have != null && have.current) {
                return have.address();
            }
            Copy from = currentCopy(t);
            Copy to = b.copy(md);
            reorder(from.md, from.address(), md, to.address());
            to.current = true;
            return to.address();
        }
        long src = t.mem().address(); // writes back newer values of another view's shape first
        b = shadow(t);
        b.stale();
        Copy to = b.copy(md);
        reorder(plain(t.shape()), src, md, to.address());
        to.current = true;
        t.shadowFilled();
        return to.address();
    }

    /**
     * The address an op writes {@code t}'s new values to in layout {@code md}; after writing, call {@link #written}.
     * Newer values of another view's shape are written back first (t may be part of their storage).
     */
    synchronized long out(Tensor t, dnnl_memory_desc md) {
        if (same(md, plain(t.shape()))) {
            return t.mem().address();
        }
        if (t.shadowNewer() && current(t) == null) {
            t.mem();
        }
        Blocked b = shadow(t);
        b.stale();
        return b.copy(md).address();
    }

    /**
     * {@code t}'s new values are in layout {@code md} where {@link #out} said to write them. A layout that pads the
     * channels to its block (LeNet-5's 6 channels in a block of 16) stays in the shadow too: since the ReLU after a
     * convolution is fused into it, the pooling after it costs about what it costs on NCHW, and the two reorders
     * saved (the output to NCHW, its gradient back) were ~15 % of LeNet-5's step on 2 threads
     * (docs/performance.md). oneDNN keeps the padding zero, and jtrain's element-wise ops on a copy keep it so.
     */
    synchronized void written(Tensor t, dnnl_memory_desc md) {
        if (!same(md, plain(t.shape()))) {
            Blocked b = shadow(t);
            b.find(md).current = true;
            t.shadowWritten();
        }
    }

    /** How many reorders ran (for tests). */
    synchronized long reorders() {
        return reorderCalls;
    }

    /** t's shadow for t's shape (attached when t has none). */
    private Blocked shadow(Tensor t) {
        Blocked b = t.shadow() instanceof Blocked s ? s : null;
        if (b == null) {
            b = new Blocked();
            t.attachShadow(b);
        }
        b.shape = t.shape();
        return b;
    }

    /** Copies {@code src} in layout {@code a} to {@code dst} in layout {@code b} (same dimensions). */
    synchronized void reorder(dnnl_memory_desc a, long src, dnnl_memory_desc b, long dst) {
        Reorder r = null;
        for (Reorder c : reorders) {
            if (same(c.a, a) && same(c.b, b)) {
                r = c;
                break;
            }
        }
        if (r == null) {
            r = new Reorder(a, b);
            reorders.add(r);
        }
        OneDnn.point(r.src, src);
        OneDnn.point(r.dst, dst);
        dnn.execute(r.prim, "reorder", DNNL_ARG_FROM, r.src, DNNL_ARG_TO, r.dst);
        reorderCalls++;
    }

    private static int plainTag(int rank) {
        return switch (rank) {
            case 1 -> org.bytedeco.dnnl.global.dnnl.dnnl_a;
            case 2 -> org.bytedeco.dnnl.global.dnnl.dnnl_ab;
            case 3 -> org.bytedeco.dnnl.global.dnnl.dnnl_abc;
            case 4 -> org.bytedeco.dnnl.global.dnnl.dnnl_abcd;
            default -> throw new IllegalArgumentException("no oneDNN layout for rank " + rank);
        };
    }

    private static long[] dims(Shape s) {
        long[] d = new long[s.rank()];
        for (int i = 0; i < d.length; i++) {
            d[i] = s.dim(i);
        }
        return d;
    }

    /** A reorder primitive between two layouts and the memories it runs on. */
    private final class Reorder {
        final dnnl_memory_desc a;
        final dnnl_memory_desc b;
        final dnnl_primitive prim;
        final dnnl_memory src;
        final dnnl_memory dst;

        Reorder(dnnl_memory_desc a, dnnl_memory_desc b) {
            this.a = a;
            this.b = b;
            PointerPointer<?> p = new PointerPointer<>(1);
            OneDnn.check(dnnl_reorder_primitive_desc_create(p, a, dnn.engine, b, dnn.engine, null),
                "reorder_primitive_desc_create");
            prim = dnn.primitive(new dnnl_primitive_desc(p.get(0)), "reorder");
            src = dnn.userMemory(a);
            dst = dnn.userMemory(b);
        }
    }

    /** One copy of a tensor's values in a oneDNN layout, in pool memory kept with the tensor. */
    final class Copy {
        final dnnl_memory_desc md;
        final Tensor buffer;
        final long floats;
        /** dnnl_aBcd16b, dnnl_aBcd8b, dnnl_acdb, or 0 for another layout. */
        final int tag;
        boolean current;

        Copy(dnnl_memory_desc md, Shape shape) {
            this.md = md;
            this.floats = (dnnl_memory_desc_get_size(md) + 3) / 4;
            this.buffer = Tensor.allocate(memory, Shape.of((int) floats), MemoryCategory.ACTIVATIONS, true);
            this.tag = shape.rank() != 4 ? 0 : same(md, tagged(shape, dnnl_aBcd16b)) ? dnnl_aBcd16b
                : same(md, tagged(shape, dnnl_aBcd8b)) ? dnnl_aBcd8b : same(md, tagged(shape, dnnl_acdb)) ? dnnl_acdb : 0;
        }

        long address() {
            return buffer.mem().address();
        }
    }

    /**
     * A tensor's values in oneDNN layouts: a copy per layout an op has wanted (a convolution may want nhwc, the
     * one after it nChw16c), those marked current holding the tensor's current values.
     */
    final class Blocked implements Shadow {
        final List<Copy> copies = new ArrayList<>();
        Shape shape;

        /** The copy in layout md, or null. */
        Copy find(dnnl_memory_desc md) {
            for (Copy c : copies) {
                if (same(c.md, md)) {
                    return c;
                }
            }
            return null;
        }

        /** The copy in layout md, made when there is none. */
        Copy copy(dnnl_memory_desc md) {
            Copy c = find(md);
            if (c == null) {
                c = new Copy(md, shape);
                copies.add(c);
            }
            return c;
        }

        /** No copy holds current values (they are about to be replaced, or are being refilled from memory). */
        void stale() {
            for (Copy c : copies) {
                c.current = false;
            }
        }

        @Override
        public void writeBack(long address) {
            for (Copy c : copies) {
                if (c.current) {
                    reorder(c.md, c.address(), plain(shape), address);
                    return;
                }
            }
            throw new IllegalStateException("a shadow with newer values has no current copy");
        }

        @Override
        public void close() {
            copies.forEach(c -> c.buffer.close());
            copies.clear();
        }
    }
}
