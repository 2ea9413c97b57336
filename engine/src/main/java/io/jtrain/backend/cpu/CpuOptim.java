package io.jtrain.backend.cpu;

import io.jtrain.backend.OptimizerParams;
import io.jtrain.tensor.Tensor;
import io.jtrain.tensor.HostMemory;

/** Optimizer updates, following PyTorch's formulas (torch.optim.SGD, Adam, AdamW, RMSprop). */
final class CpuOptim {
    private CpuOptim() { }

    static void sgd(Tensor w, Tensor g, Tensor velocity, OptimizerParams p) {
        CpuBackend.checkSameSize(w, g, "sgd");
        if (p.beta1() != 0f) {
            CpuBackend.checkSameSize(w, velocity, "sgd");
        }
        HostMemory wb = w.mem();
        HostMemory gb = g.mem();
        HostMemory vb = velocity == null ? null : velocity.mem();
        int n = (int) w.size();
        float lr = p.lr();
        float wd = p.weightDecay();
        if (p.beta1() == 0f) {
            for (int i = 0; i < n; i++) { // plain SGD: one multiply-add per weight, no per-element branches
                float wi = wb.get(i);
                wb.put(i, wi - lr * (gb.get(i) + wd * wi));
            }
            return;
        }
        for (int i = 0; i < n; i++) {
            float wi = wb.get(i);
            float gi = gb.get(i) + p.weightDecay() * wi;
            if (p.beta1() != 0f) {
                float v = p.step() == 1 ? gi : p.beta1() * vb.get(i) + gi;
                vb.put(i, v);
                gi = p.nesterov() ? gi + p.beta1() * v : v;
            }
            wb.put(i, wi - p.lr() * gi);
        }
    }

    static void adam(Tensor w, Tensor g, Tensor m, Tensor v, OptimizerParams p) {
        CpuBackend.checkSameSize(w, g, "adam");
        CpuBackend.checkSameSize(w, m, "adam");
        CpuBackend.checkSameSize(w, v, "adam");
        HostMemory wb = w.mem();
        HostMemory gb = g.mem();
        HostMemory mb = m.mem();
        HostMemory vb = v.mem();
        int n = (int) w.size();
        float b1 = p.beta1();
        float b2 = p.beta2();
        double bc1 = 1 - Math.pow(b1, p.step());
        double bc2 = 1 - Math.pow(b2, p.step());
        float stepSize = (float) (p.lr() / bc1);
        float bc2Sqrt = (float) Math.sqrt(bc2);
        float decay = p.decoupled() ? 1f - p.lr() * p.weightDecay() : 1f;
        float l2 = p.decoupled() ? 0f : p.weightDecay();
        for (int i = 0; i < n; i++) {
            float wi = wb.get(i) * decay;
            float gi = gb.get(i) + l2 * wb.get(i);
            float mi = b1 * mb.get(i) + (1 - b1) * gi;
            float vi = b2 * vb.get(i) + (1 - b2) * gi * gi;
            mb.put(i, mi);
            vb.put(i, vi);
            float denom = (float) Math.sqrt(vi) / bc2Sqrt + p.eps();
            wb.put(i, wi - stepSize * mi / denom);
        }
    }

    static void rmsprop(Tensor w, Tensor g, Tensor sq, OptimizerParams p) {
        CpuBackend.checkSameSize(w, g, "rmsprop");
        CpuBackend.checkSameSize(w, sq, "rmsprop");
        HostMemory wb = w.mem();
        HostMemory gb = g.mem();
        HostMemory sb = sq.mem();
        int n = (int) w.size();
        float rho = p.beta2();
        for (int i = 0; i < n; i++) {
            float wi = wb.get(i);
            float gi = gb.get(i) + p.weightDecay() * wi;
            float s = rho * sb.get(i) + (1 - rho) * gi * gi;
            sb.put(i, s);
            wb.put(i, wi - p.lr() * gi / ((float) Math.sqrt(s) + p.eps()));
        }
    }
}
