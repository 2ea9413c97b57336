package io.jtrain.backend.cuda;

import io.jtrain.backend.OptimizerParams;
import io.jtrain.tensor.Tensor;

/**
 * The CUDA backend's optimizer updates (optimizers.cu, PyTorch's formulas as on the CPU). Step-dependent
 * scalars (Adam's bias corrections) are computed on the host, so both backends use the same float values.
 */
final class CudaOptimizerOps {
    private final CudaBackend be;

    CudaOptimizerOps(CudaBackend be) {
        this.be = be;
    }

    void sgdStep(Tensor w, Tensor g, Tensor velocity, OptimizerParams p) {
        CudaBackend.same(w, g);
        if (p.beta1() != 0f) {
            CudaBackend.same(w, velocity);
        }
        be.kernels().launch("sgdStep", w.size(), w.size(), p.lr(), p.beta1(), p.weightDecay(), p.nesterov() ? 1 : 0,
            p.step() == 1 ? 1 : 0, be.dp(w), be.dp(g), be.dp(velocity));
    }

    /** Bias corrections folded into the step size and the denominator on the host, as on the CPU. */
    void adamStep(Tensor w, Tensor g, Tensor m, Tensor v, OptimizerParams p) {
        CudaBackend.same(w, g);
        CudaBackend.same(w, m);
        CudaBackend.same(w, v);
        double bc1 = 1 - Math.pow(p.beta1(), p.step());
        double bc2 = 1 - Math.pow(p.beta2(), p.step());
        float decay = p.decoupled() ? 1f - p.lr() * p.weightDecay() : 1f;
        float l2 = p.decoupled() ? 0f : p.weightDecay();
        be.kernels().launch("adamStep", w.size(), w.size(), p.beta1(), p.beta2(), p.eps(), (float) (p.lr() / bc1),
            (float) Math.sqrt(bc2), decay, l2, be.dp(w), be.dp(g), be.dp(m), be.dp(v));
    }

    void rmspropStep(Tensor w, Tensor g, Tensor sq, OptimizerParams p) {
        CudaBackend.same(w, g);
        CudaBackend.same(w, sq);
        be.kernels().launch("rmspropStep", w.size(), w.size(), p.lr(), p.beta2(), p.eps(), p.weightDecay(), be.dp(w),
            be.dp(g), be.dp(sq));
    }
}
