package io.jtrain.backend.cuda;

import io.jtrain.tensor.Tensor;

/**
 * The CUDA backend's fused losses: each writes per-item loss, correct and invalid-target arrays into a
 * scratch buffer and adds their sums to the caller's device accumulator with one single-block reduction
 * (losses.cu). Nothing is read back; a training step downloads its accumulator once.
 */
final class CudaLossOps {
    private final CudaBackend be;

    CudaLossOps(CudaBackend be) {
        this.be = be;
    }

    private static void checkAcc(Tensor acc, String op) {
        if (acc.size() < 4) {
            throw new IllegalArgumentException(op + " accumulator " + acc.shape() + " should hold at least 4 values");
        }
    }

    /** Class-index targets [N] or probability targets [N, C]; logits and dLogits [N, C]. */
    void softmaxCrossEntropy(Tensor logits, Tensor target, Tensor dLogits, float gradScale, Tensor acc) {
        checkAcc(acc, "cross-entropy");
        CudaBackend.same(logits, dLogits);
        int rows = logits.dim(0);
        int cols = (int) (logits.size() / rows);
        int mode;
        if (target.size() == rows && cols != 1) {
            mode = 0;
        } else if (target.size() == logits.size()) {
            mode = 1;
        } else {
            throw new IllegalArgumentException("cross-entropy target " + target.shape() + " fits neither [N] class "
                + "indices nor [N, C] probabilities for logits " + logits.shape());
        }
        Tensor items = be.scratch(CudaBackend.Slot.LOSS_ITEMS, 3L * rows);
        be.kernels().launch("softmaxCrossEntropy", rows, (long) rows, cols, mode, be.dp(logits), be.dp(target),
            be.dp(dLogits), gradScale, be.dp(items));
        accumulate(rows, 1f, 1f, rows, items, acc);
    }

    void binaryCrossEntropyWithLogits(Tensor logits, Tensor target, Tensor dLogits, float gradScale, Tensor acc) {
        checkAcc(acc, "binary cross-entropy");
        elementLoss("bceWithLogits", logits, target, dLogits, gradScale, acc, true);
    }

    void meanSquaredError(Tensor pred, Tensor target, Tensor dPred, float gradScale, Tensor acc) {
        checkAcc(acc, "mean squared error");
        elementLoss("meanSquaredError", pred, target, dPred, gradScale, acc, true);
    }

    /** A loss kernel of signature (n, pred, target, dPred, gradScale, items). */
    private void elementLoss(String kernel, Tensor pred, Tensor target, Tensor dPred, float gradScale, Tensor acc,
                             boolean counts) {
        CudaBackend.same(pred, target);
        CudaBackend.same(pred, dPred);
        long n = pred.size();
        int rows = pred.dim(0);
        float perRow = (float) (1.0 / (n / rows));
        Tensor items = be.scratch(CudaBackend.Slot.LOSS_ITEMS, 3L * n);
        be.kernels().launch(kernel, n, n, be.dp(pred), be.dp(target), be.dp(dPred), gradScale, be.dp(items));
        accumulate(n, perRow, counts ? perRow : 0f, rows, items, acc);
    }

    private void accumulate(long n, float lossScale, float correctScale, int rows, Tensor items, Tensor acc) {
        be.kernels().launchGrid("lossAccumulate", 1, 1, n, lossScale, correctScale, (float) rows, be.dp(items),
            be.dp(acc));
    }
}
