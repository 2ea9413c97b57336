package io.jtrain.backend;

import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;

/**
 * The op contract of {@link Backend}, in one place: every shape and size rule of every op, checked at the
 * top of the op by the CPU and the CUDA backend alike, so both accept and refuse exactly the same calls
 * with the same message ({@code OpContractTest} runs every refused call on both). A refused call is an
 * {@link IllegalArgumentException} naming the op and the shapes: a bug in the caller, not a user error.
 */
public final class OpChecks {
    private OpChecks() { }

    private static IllegalArgumentException fail(String op, String what) {
        return new IllegalArgumentException(op + ": " + what);
    }

    /** Tensors of the same number of elements. */
    public static void same(String op, Tensor a, Tensor... others) {
        for (Tensor b : others) {
            if (b != null && a.size() != b.size()) {
                throw fail(op, "sizes differ, " + a.shape() + " vs " + b.shape());
            }
        }
    }

    public static void atLeast(String op, Tensor t, long n) {
        if (t.size() < n) {
            throw fail(op, t.shape() + " should hold at least " + n + " values");
        }
    }

    public static void copyRange(String op, long offset, long count, long capacity) {
        if (offset < 0 || count < 0 || offset + count > capacity) {
            throw fail(op, "range [" + offset + ", " + (offset + count) + ") is outside a buffer of " + capacity);
        }
    }

    /** y [rows, F] and b [F]: whole rows. */
    public static void rows(String op, Tensor y, Tensor b) {
        if (b.size() == 0 || y.size() % b.size() != 0) {
            throw fail(op, y.shape() + " is not a whole number of rows of " + b.size());
        }
    }

    /** 2-D tensors whose op(a) [M, K] x op(b) [K, N] = c [M, N]. */
    public static void matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c) {
        if (a.shape().rank() != 2 || b.shape().rank() != 2 || c.shape().rank() != 2) {
            throw fail("matmul", "needs 2-D tensors, got " + a.shape() + ", " + b.shape() + ", " + c.shape());
        }
        int m = transA ? a.dim(1) : a.dim(0);
        int k = transA ? a.dim(0) : a.dim(1);
        int kb = transB ? b.dim(1) : b.dim(0);
        int n = transB ? b.dim(0) : b.dim(1);
        if (k != kb || c.dim(0) != m || c.dim(1) != n) {
            throw fail("matmul", "shapes do not agree: " + a.shape() + (transA ? "^T" : "") + " x " + b.shape()
                + (transB ? "^T" : "") + " -> " + c.shape());
        }
    }

    /**
     * x [N, C, H, W], w [K, C, kh, kw], y [N, K, OH, OW], b [K] (optional), and a workspace of at least the
     * floats {@code workspace} says (asked only once the shapes are known to be right).
     */
    public static void conv(String op, Tensor x, Tensor w, Tensor b, Tensor y, ConvSpec s, Tensor ws,
                            java.util.function.LongSupplier workspace) {
        if (x.shape().rank() != 4 || w.shape().rank() != 4 || y.shape().rank() != 4) {
            throw fail(op, "needs NCHW tensors, got x " + x.shape() + ", w " + w.shape() + ", y " + y.shape());
        }
        if (w.dim(1) != x.dim(1) || w.dim(2) != s.kh() || w.dim(3) != s.kw()) {
            throw fail(op, "filters " + w.shape() + " do not fit input " + x.shape() + " with " + s);
        }
        Shape want = Shape.of(x.dim(0), w.dim(0), s.outH(x.dim(2)), s.outW(x.dim(3)));
        if (!y.shape().equals(want)) {
            throw fail(op, "output " + y.shape() + " should be " + want + " for input " + x.shape() + " and " + s);
        }
        if (b != null && b.size() != w.dim(0)) {
            throw fail(op, "bias " + b.shape() + " should hold " + w.dim(0) + " values");
        }
        long need = workspace.getAsLong();
        if (ws == null || ws.size() < need) {
            throw fail(op, "workspace of " + (ws == null ? 0 : ws.size()) + " floats is smaller than the " + need
                + " this convolution needs (input " + x.shape() + ", filter " + w.shape() + ")");
        }
    }

    /** x [N, C, H, W] and y [N, C, OH, OW] of the pooling geometry. */
    public static void pool(String op, Tensor x, Tensor y, ConvSpec s) {
        if (x.shape().rank() != 4 || y.shape().rank() != 4) {
            throw fail(op, "needs NCHW tensors, got " + x.shape() + " and " + y.shape());
        }
        Shape want = Shape.of(x.dim(0), x.dim(1), s.outH(x.dim(2)), s.outW(x.dim(3)));
        if (!y.shape().equals(want)) {
            throw fail(op, "output " + y.shape() + " should be " + want + " for input " + x.shape() + " and " + s);
        }
    }

    /** x [N, C, ...] and the per-channel tensors of C values; {@code same} tensors shaped like x. */
    public static void batchNorm(String op, Tensor x, BatchNormTensors bn, Tensor... same) {
        if (x.shape().rank() < 2) {
            throw fail(op, "needs [N, C, ...], got " + x.shape());
        }
        int c = x.dim(1);
        for (Tensor t : new Tensor[] {bn.gamma(), bn.beta(), bn.runningMean(), bn.runningVar(), bn.savedMean(),
            bn.savedInvStd()}) {
            if (t.size() != c) {
                throw fail(op, "per-channel tensor " + t.shape() + " should hold " + c + " values");
            }
        }
        same(op, x, same);
    }

    /** logits [N, C] with targets [N] class indices or [N, C] probabilities; a 4-float accumulator. */
    public static void crossEntropy(Tensor logits, Tensor target, Tensor dLogits, Tensor acc) {
        int rows = logits.dim(0);
        long cols = logits.size() / rows;
        if (!(target.size() == rows && cols != 1) && target.size() != logits.size()) {
            throw fail("cross-entropy", "target " + target.shape() + " fits neither [N] class indices nor [N, C] "
                + "probabilities for logits " + logits.shape());
        }
        same("cross-entropy", logits, dLogits);
        atLeast("cross-entropy accumulator", acc, 4);
    }

    /** Element-wise losses: prediction, target and gradient of one shape; a 4-float accumulator. */
    public static void elementLoss(String op, Tensor pred, Tensor target, Tensor dPred, Tensor acc) {
        same(op, pred, target, dPred);
        atLeast(op + " accumulator", acc, 4);
    }

    /** SGD: the velocity is needed (and sized like w) when momentum is used. */
    public static void sgd(Tensor w, Tensor g, Tensor velocity, OptimizerParams p) {
        same("sgd", w, g);
        if (p.beta1() != 0f) {
            if (velocity == null) {
                throw fail("sgd", "momentum " + p.beta1() + " needs a velocity tensor");
            }
            same("sgd", w, velocity);
        }
    }

    /** y [N, U, ...] and out of at least 4 U floats. */
    public static void unitStats(Tensor y, Tensor out) {
        int u = y.shape().rank() > 1 ? y.dim(1) : 1;
        atLeast("unitStats", out, 4L * u);
    }
}
