package io.jtrain.backend.cpu;

import io.jtrain.tensor.HostMemory;
import io.jtrain.tensor.Tensor;

/**
 * Loss values and their gradients on host buffers, accumulated into acc[4] = {loss sum, correct, invalid
 * targets, rows} with the semantics of {@link io.jtrain.backend.Backend#softmaxCrossEntropy(Tensor, Tensor,
 * Tensor, float, Tensor)} and its siblings (the CUDA kernels in losses.cu compute the same).
 */
final class CpuLosses {
    private CpuLosses() { }

    /** Whether a cross-entropy target of this size holds class indices (else probabilities). */
    static boolean classIndices(Tensor logits, Tensor target) {
        int rows = logits.dim(0);
        int cols = (int) (logits.size() / rows);
        boolean indices = target.size() == rows && cols != 1;
        if (!indices && target.size() != logits.size()) {
            throw new IllegalArgumentException("cross-entropy target " + target.shape() + " fits neither [N] "
                + "class indices nor [N, C] probabilities for logits " + logits.shape());
        }
        return indices;
    }

    static void softmaxCrossEntropy(Tensor logits, Tensor target, Tensor dLogits, float gradScale, Tensor acc) {
        boolean indices = classIndices(logits, target);
        CpuChecks.checkSameSize(logits, dLogits, "cross-entropy");
        int rows = logits.dim(0);
        int cols = (int) (logits.size() / rows);
        HostMemory z = logits.mem();
        HostMemory t = target.mem();
        HostMemory dz = dLogits.mem();
        double total = 0;
        double correct = 0;
        int invalid = 0;
        float g = gradScale / rows;
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            int label = indices ? label(t.get(r), cols) : -1;
            if (indices && label < 0) {
                invalid++;
                for (int j = 0; j < cols; j++) {
                    dz.put(o + j, 0f);
                }
                continue;
            }
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, z.get(o + j));
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += Math.exp(z.get(o + j) - max);
            }
            double logSum = Math.log(sum) + max;
            for (int j = 0; j < cols; j++) {
                double logP = z.get(o + j) - logSum;
                double tj = indices ? (j == label ? 1 : 0) : t.get(o + j);
                if (tj != 0) {
                    total -= tj * logP;
                }
                dz.put(o + j, (float) ((Math.exp(logP) - tj) * g));
            }
            int want = indices ? label : argmax(t, o, cols);
            correct += argmax(z, o, cols) == want ? 1 : 0;
        }
        add(acc, total, correct, invalid, rows);
    }

    /** The class of a label value, or -1 when it is not an integer in [0, classes). */
    static int label(float v, int classes) {
        int label = (int) v;
        return label == v && label >= 0 && label < classes ? label : -1;
    }

    /** First maximum of a row (NaN never wins, as in the CUDA kernels and the evaluator). */
    static int argmax(HostMemory v, int off, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) {
            if (v.get(off + j) > v.get(off + best)) {
                best = j;
            }
        }
        return best;
    }

    private static void add(Tensor acc, double loss, double correct, int invalid, int rows) {
        HostMemory a = acc.mem();
        a.put(0, (float) (a.get(0) + loss));
        a.put(1, (float) (a.get(1) + correct));
        a.put(2, a.get(2) + invalid);
        a.put(3, a.get(3) + rows);
    }

    /** Mean of max(z,0) - z t + log(1 + exp(-|z|)); targets outside [0, 1] are invalid. */
    static void bceWithLogits(Tensor logits, Tensor target, Tensor dLogits, float gradScale, Tensor acc) {
        CpuChecks.checkSameSize(logits, dLogits, "binary cross-entropy");
        int n = (int) logits.size();
        int rows = logits.dim(0);
        int cols = n / rows;
        HostMemory z = logits.mem();
        HostMemory t = target.mem();
        HostMemory dz = dLogits.mem();
        double total = 0;
        double match = 0;
        int invalid = 0;
        float g = gradScale / n;
        for (int i = 0; i < n; i++) {
            float zi = z.get(i);
            float ti = t.get(i);
            if (!(ti >= 0f && ti <= 1f)) {
                invalid++;
                dz.put(i, 0f);
                continue;
            }
            total += Math.max(zi, 0) - zi * ti + Math.log1p(Math.exp(-Math.abs(zi)));
            match += (zi > 0) == (ti > 0.5f) ? 1 : 0;
            dz.put(i, (CpuMath.sigmoid(zi) - ti) * g);
        }
        add(acc, total / cols, match / cols, invalid, rows);
    }

    /** Mean of (p - t)^2; non-finite targets are invalid. */
    static void meanSquaredError(Tensor pred, Tensor target, Tensor dPred, float gradScale, Tensor acc) {
        CpuChecks.checkSameSize(pred, dPred, "mean squared error");
        int n = (int) pred.size();
        int rows = pred.dim(0);
        HostMemory p = pred.mem();
        HostMemory t = target.mem();
        HostMemory dp = dPred.mem();
        double total = 0;
        double absolute = 0;
        int invalid = 0;
        float g = 2f * gradScale / n;
        for (int i = 0; i < n; i++) {
            float ti = t.get(i);
            if (!Float.isFinite(ti)) {
                invalid++;
                dp.put(i, 0f);
                continue;
            }
            float d = p.get(i) - ti;
            total += (double) d * d;
            absolute += Math.abs(d);
            dp.put(i, d * g);
        }
        add(acc, total / (n / rows), absolute / (n / rows), invalid, rows);
    }
}
