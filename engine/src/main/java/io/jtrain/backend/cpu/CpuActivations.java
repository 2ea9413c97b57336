package io.jtrain.backend.cpu;

import io.jtrain.backend.Activation;
import io.jtrain.tensor.HostMemory;
import io.jtrain.tensor.Tensor;

/**
 * The CPU backend's activations, forward and backward (shapes checked by the caller: x, y, dy, dx alike). A ReLU
 * on a tensor held in a oneDNN layout ({@link Layouts}) runs on that layout's copy and leaves its output there (the
 * backward in the layout that needs the fewest reorders, {@link Layouts#elementwiseCopy}); a large ReLU forward on
 * NCHW runs through oneDNN's eltwise primitive ({@link OneDnnEltwise}); everything else in Java loops split over
 * the threads ({@link CpuMath}).
 */
final class CpuActivations {
    private CpuActivations() { }

    /** y = act(x). */
    static void forward(Activation act, Tensor x, Tensor y, OneDnnPath dnn, Parallel par) {
        boolean relu = act.kind() == Activation.Kind.RELU;
        Layouts.Copy b = relu && dnn.used() ? dnn.layouts().currentCopy(x) : null;
        if (b != null) {
            reluBlocked(x, y, b, dnn, par);
        } else if (!relu || !dnn.used() || x.size() < OneDnnEltwise.minElements(par.threads())
            || !dnn.eltwise().reluForward(x, y)) {
            par.range((int) x.size(), 2, (a, z) -> CpuMath.activationForward(act, x.mem(), y.mem(), a, z));
        }
        if (relu) {
            y.markValues(Tensor.NON_NEGATIVE); // jtrain's ReLU maps NaN, −∞ and negatives to +0 (on both paths)
        }
    }

    /** ReLU of x in its oneDNN-layout copy b into y's, in the same layout: padding stays 0, y stays in it. */
    private static void reluBlocked(Tensor x, Tensor y, Layouts.Copy b, OneDnnPath dnn, Parallel par) {
        Layouts l = dnn.layouts();
        long xa = l.in(x, b.md);
        long ya = l.out(y, b.md);
        int n = (int) b.floats;
        if (n < OneDnnEltwise.minElements(par.threads()) || !dnn.eltwise().reluForward(xa, ya, n)) {
            HostMemory xs = HostMemory.at(xa, n);
            HostMemory ys = HostMemory.at(ya, n);
            par.range(n, 2, (a, z) -> CpuMath.reluForward(xs, ys, a, z));
        }
        l.written(y, b.md);
    }

    /** dx = dy · act'(x) (y = act(x), for the activations whose derivative reads it). */
    static void backward(Activation act, Tensor x, Tensor y, Tensor dy, Tensor dx, OneDnnPath dnn, Parallel par) {
        Layouts.Copy b = act.kind() == Activation.Kind.RELU && dnn.used() ? dnn.layouts().elementwiseCopy(x, dy) : null;
        if (b != null) {
            Layouts l = dnn.layouts();
            int n = (int) b.floats;
            HostMemory xs = HostMemory.at(l.in(x, b.md), n);
            HostMemory gs = HostMemory.at(l.in(dy, b.md), n);
            HostMemory ds = HostMemory.at(l.out(dx, b.md), n);
            par.range(n, 2, (a, z) -> CpuMath.reluBackward(xs, gs, ds, a, z));
            l.written(dx, b.md);
            return;
        }
        par.range((int) x.size(), 2, (a, z) -> CpuMath.activationBackward(act, x.mem(), y.mem(), dy.mem(), dx.mem(),
            a, z));
    }
}
