package io.jtrain.backend.cpu;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.dnnl_a;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_forward_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_relu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;

import io.jtrain.tensor.Tensor;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * The ReLU forward through oneDNN's element-wise primitive (its JIT kernels run at memory speed; the Java loop
 * does not), on tensors of any shape viewed as one dimension. Only used for large tensors (a call costs a few
 * microseconds) and only where oneDNN's ReLU is jtrain's, {@code y = x > 0 ? x : 0} with NaN mapped to 0 —
 * checked bit for bit on the special values once, when the backend starts ({@link #matchesJtrain}); when it
 * differs, the Java loop stays. The backward stays in Java: oneDNN's computes {@code dy * 0} where x ≤ 0,
 * which gives NaN for a NaN gradient and -0 for a negative one, where jtrain (and PyTorch) give +0.
 * Calls are serialised.
 */
final class OneDnnEltwise {
    /**
     * Below this many elements the Java loop is as fast or faster, on one thread (a call costs a few
     * microseconds) and on more (oneDNN then wakes its OpenMP threads, ~50 µs; the Java loop is split over the
     * backend's own spinning threads). Measured at steady state (docs/performance.md): one thread, 204,800
     * elements, 23 µs through oneDNN and 34 µs in Java; two threads, 32,768 elements, 53 µs and 4 µs, 602,112
     * elements, 76 µs and 67 µs, 3.2 M, 456 µs and 500 µs.
     */
    static long minElements(int threads) {
        return threads == 1 ? MIN_ELEMENTS : 1 << 21;
    }

    /** The smallest tensor the primitive is used for at all (one thread; the self-check's size). */
    static final long MIN_ELEMENTS = 1 << 14;

    private final OneDnn dnn;
    private final Map<Long, Plan> plans = new HashMap<>();
    private final boolean usable;

    OneDnnEltwise(OneDnn dnn) {
        this.dnn = dnn;
        this.usable = matchesJtrain();
    }

    /** y = relu(x); false (nothing written) when this path does not apply. */
    synchronized boolean reluForward(Tensor x, Tensor y) {
        Plan p = plan(x.size());
        if (p == null) {
            return false;
        }
        OneDnn.point(p.src, x.mem().address());
        OneDnn.point(p.dst, y.mem().address());
        dnn.execute(p.forward, "eltwise relu forward", DNNL_ARG_SRC, p.src, DNNL_ARG_DST, p.dst);
        return true;
    }

    /** relu over the n floats at address x into those at y (a tensor's blocked shadow); false when it does not apply. */
    synchronized boolean reluForward(long x, long y, long n) {
        Plan p = plan(n);
        if (p == null) {
            return false;
        }
        OneDnn.point(p.src, x);
        OneDnn.point(p.dst, y);
        dnn.execute(p.forward, "eltwise relu forward", DNNL_ARG_SRC, p.src, DNNL_ARG_DST, p.dst);
        return true;
    }

    private Plan plan(long n) {
        if (!usable || n < MIN_ELEMENTS) {
            return null;
        }
        return plans.computeIfAbsent(n, Plan::new);
    }

    /** Runs the primitive on the values where ReLUs disagree and compares bit for bit with jtrain's definition. */
    private boolean matchesJtrain() {
        float[] special = {0f, -0f, Float.NaN, Float.intBitsToFloat(0xffc00000), Float.intBitsToFloat(0x7f800001),
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE, -Float.MIN_VALUE, 1.5f, -2.5f,
            Float.MAX_VALUE, -Float.MAX_VALUE};
        int n = (int) MIN_ELEMENTS;
        try (FloatPointer x = new FloatPointer(n); FloatPointer y = new FloatPointer(n)) {
            for (int i = 0; i < n; i++) {
                x.put(i, special[i % special.length]);
            }
            Plan p = new Plan(n);
            OneDnn.point(p.src, x.address());
            OneDnn.point(p.dst, y.address());
            dnn.execute(p.forward, "eltwise relu forward", DNNL_ARG_SRC, p.src, DNNL_ARG_DST, p.dst);
            for (int i = 0; i < n; i++) {
                int xb = Float.floatToRawIntBits(x.get(i));
                if (Float.floatToRawIntBits(y.get(i)) != (xb & CpuMath.positive(xb))) {
                    return false;
                }
            }
            plans.put((long) n, p);
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    /** Whether oneDNN's ReLU is used (it matched jtrain's on the special values). */
    boolean usable() {
        return usable;
    }

    /** The forward primitive for n elements and the memories it runs on. */
    private final class Plan {
        final dnnl_primitive forward;
        final dnnl_memory src;
        final dnnl_memory dst;

        Plan(long n) {
            dnnl_memory_desc md = OneDnn.md(dnnl_a, n);
            PointerPointer<?> f = new PointerPointer<>(1);
            OneDnn.check(dnnl_eltwise_forward_primitive_desc_create(f, dnn.engine, dnnl_forward_training,
                dnnl_eltwise_relu, md, md, 0f, 0f, null), "eltwise_forward_primitive_desc_create(relu)");
            forward = dnn.primitive(new dnnl_primitive_desc(f.get(0)), "eltwise relu forward");
            src = dnn.userMemory(md);
            dst = dnn.userMemory(md);
        }
    }
}
