package io.jtrain.backend.cpu;

import io.jtrain.tensor.Tensor;
import io.jtrain.tensor.HostMemory;

/** Loss values and their gradients on host buffers. */
final class CpuLosses {
    private CpuLosses() { }

    /** Mean over rows of -sum_c t_c log softmax(z)_c; target [N] indices or [N, C] distributions. */
    static float softmaxCrossEntropy(Tensor logits, Tensor target, Tensor dLogits, float gradScale) {
        int rows = logits.dim(0);
        int cols = (int) (logits.size() / rows);
        boolean indices = target.size() == rows && !(cols == 1);
        if (!indices && target.size() != logits.size()) {
            throw new IllegalArgumentException("cross-entropy target " + target.shape() + " fits neither [N] "
                + "class indices nor [N, C] one-hot for logits " + logits.shape());
        }
        CpuBackend.checkSameSize(logits, dLogits, "cross-entropy");
        HostMemory z = logits.mem();
        HostMemory t = target.mem();
        HostMemory dz = dLogits.mem();
        double total = 0;
        float g = gradScale / rows;
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, z.get(o + j));
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += Math.exp(z.get(o + j) - max);
            }
            double logSum = Math.log(sum) + max;
            int label = indices ? label(t.get(r), cols, r) : -1;
            for (int j = 0; j < cols; j++) {
                double logP = z.get(o + j) - logSum;
                double tj = indices ? (j == label ? 1 : 0) : t.get(o + j);
                if (tj != 0) {
                    total -= tj * logP;
                }
                dz.put(o + j, (float) ((Math.exp(logP) - tj) * g));
            }
        }
        return (float) (total / rows);
    }

    private static int label(float v, int classes, int row) {
        int label = (int) v;
        if (label != v || label < 0 || label >= classes) {
            throw new IllegalArgumentException("label " + v + " of sample " + row + " is outside the class range [0, "
                + (classes - 1) + "]");
        }
        return label;
    }

    /** Mean of max(z,0) - z t + log(1 + exp(-|z|)). */
    static float bceWithLogits(Tensor logits, Tensor target, Tensor dLogits, float gradScale) {
        CpuBackend.checkSameSize(logits, dLogits, "binary cross-entropy");
        int n = (int) logits.size();
        HostMemory z = logits.mem();
        HostMemory t = target.mem();
        HostMemory dz = dLogits.mem();
        double total = 0;
        float g = gradScale / n;
        for (int i = 0; i < n; i++) {
            float zi = z.get(i);
            float ti = t.get(i);
            total += Math.max(zi, 0) - zi * ti + Math.log1p(Math.exp(-Math.abs(zi)));
            dz.put(i, (CpuMath.sigmoid(zi) - ti) * g);
        }
        return (float) (total / n);
    }

    /** Mean of (p - t)^2. */
    static float meanSquaredError(Tensor pred, Tensor target, Tensor dPred, float gradScale) {
        CpuBackend.checkSameSize(pred, dPred, "mean squared error");
        int n = (int) pred.size();
        HostMemory p = pred.mem();
        HostMemory t = target.mem();
        HostMemory dp = dPred.mem();
        double total = 0;
        float g = 2f * gradScale / n;
        for (int i = 0; i < n; i++) {
            float d = p.get(i) - t.get(i);
            total += (double) d * d;
            dp.put(i, d * g);
        }
        return (float) (total / n);
    }
}
