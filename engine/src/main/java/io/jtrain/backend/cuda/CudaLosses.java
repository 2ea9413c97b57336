package io.jtrain.backend.cuda;

import io.jtrain.backend.OptimizerParams;
import io.jtrain.tensor.Tensor;

/**
 * The CUDA backend's fused losses (per-element losses into a scratch buffer, summed on the host after one
 * download), its optimizer updates, and the host fallback of the row-softmax backward used without cuDNN.
 * All on our kernels; called only through {@link CudaBackend}, on its GPU thread.
 */
final class CudaLosses {
    private final CudaBackend be;
    private final Kernels k;

    CudaLosses(CudaBackend be) {
        this.be = be;
        this.k = be.kernels();
    }

    /** Class-index targets [N]; logits and dLogits [N, C]. */
    float softmaxCrossEntropy(Tensor logits, Tensor target, Tensor dLogits, float gradScale) {
        int rows = logits.dim(0);
        if (target.size() != rows) {
            throw new UnsupportedOperationException("the CUDA backend takes class-index targets for "
                + "softmax_cross_entropy; one-hot or probability targets run on --device cpu");
        }
        Tensor loss = be.scratch(rows);
        k.launch("softmaxCrossEntropy", rows, (long) rows, (int) (logits.size() / rows), be.ptr(logits),
            be.ptr(target), be.ptr(dLogits), gradScale, be.ptr(loss));
        return (float) (be.hostSum(loss, rows, false) / rows);
    }

    float binaryCrossEntropyWithLogits(Tensor logits, Tensor target, Tensor dLogits, float gradScale) {
        return elementLoss("bceWithLogits", logits, target, dLogits, gradScale);
    }

    float meanSquaredError(Tensor pred, Tensor target, Tensor dPred, float gradScale) {
        return elementLoss("meanSquaredError", pred, target, dPred, gradScale);
    }

    /** A loss kernel of signature (n, pred, target, dPred, gradScale, loss); returns the mean loss. */
    private float elementLoss(String kernel, Tensor pred, Tensor target, Tensor dPred, float gradScale) {
        Tensor loss = be.scratch(pred.size());
        k.launch(kernel, pred.size(), pred.size(), be.ptr(pred), be.ptr(target), be.ptr(dPred), gradScale,
            be.ptr(loss));
        return (float) (be.hostSum(loss, (int) pred.size(), false) / pred.size());
    }

    void sgdStep(Tensor w, Tensor g, Tensor velocity, OptimizerParams p) {
        k.launch("sgdStep", w.size(), w.size(), p.lr(), p.beta1(), p.weightDecay(), p.nesterov() ? 1 : 0,
            p.step() == 1 ? 1 : 0, be.ptr(w), be.ptr(g), be.ptr(velocity));
    }

    /** Bias corrections folded into the step size and the denominator on the host, as on the CPU. */
    void adamStep(Tensor w, Tensor g, Tensor m, Tensor v, OptimizerParams p) {
        double bc1 = 1 - Math.pow(p.beta1(), p.step());
        double bc2 = 1 - Math.pow(p.beta2(), p.step());
        float decay = p.decoupled() ? 1f - p.lr() * p.weightDecay() : 1f;
        float l2 = p.decoupled() ? 0f : p.weightDecay();
        k.launch("adamStep", w.size(), w.size(), p.beta1(), p.beta2(), p.eps(), (float) (p.lr() / bc1),
            (float) Math.sqrt(bc2), decay, l2, be.ptr(w), be.ptr(g), be.ptr(m), be.ptr(v));
    }

    void rmspropStep(Tensor w, Tensor g, Tensor sq, OptimizerParams p) {
        k.launch("rmspropStep", w.size(), w.size(), p.lr(), p.beta2(), p.eps(), p.weightDecay(), be.ptr(w),
            be.ptr(g), be.ptr(sq));
    }

    /**
     * dx = y ⊙ (dy − rowsum(dy ⊙ y)) for y, dy, dx of [N, C], on the host (two downloads and an upload): only
     * without cuDNN, and only when softmax is not fused into the loss.
     */
    void softmaxRowsBackwardOnHost(Tensor y, Tensor dy, Tensor dx) {
        float[] yh = new float[(int) y.size()];
        float[] g = new float[(int) dy.size()];
        be.download(y, yh, 0);
        be.download(dy, g, 0);
        int rows = y.dim(0);
        int cols = (int) (y.size() / rows);
        float[] out = new float[yh.length];
        for (int r = 0; r < rows; r++) {
            double dot = 0;
            for (int j = 0; j < cols; j++) {
                dot += (double) yh[r * cols + j] * g[r * cols + j];
            }
            for (int j = 0; j < cols; j++) {
                out[r * cols + j] = (float) (yh[r * cols + j] * (g[r * cols + j] - dot));
            }
        }
        be.upload(out, 0, dx);
    }
}
