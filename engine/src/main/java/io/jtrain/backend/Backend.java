package io.jtrain.backend;

import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.MemoryPool;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;

/**
 * The op set every layer, loss and optimizer is written against. The CPU and CUDA backends implement
 * exactly these signatures, so each layer's maths exists once.
 *
 * <p>Conventions: outputs are passed in, preallocated (no op allocates in the steady state); tensors
 * named {@code dx} are overwritten; parameter gradients ({@code dw}, {@code db}, {@code dGamma},
 * {@code dBeta}) are <em>accumulated</em> into, and zeroing them is the caller's explicit job.
 * Shapes: {@code N} batch, {@code C} channels, {@code H x W} spatial, {@code F} features,
 * {@code K} output channels/units.
 */
public interface Backend extends AutoCloseable {

    /** "cpu" or "cuda:N". */
    String device();

    /** A one-line description of the implementation choices (BLAS, threads, cuDNN). */
    String description();

    MemoryPool pool();

    /** An uninitialised tensor from this backend's pool. */
    Tensor allocate(Shape shape, MemoryCategory category);

    /** Copies {@code dst.size()} floats from {@code src[srcOffset..]} to {@code dst}. */
    void upload(float[] src, int srcOffset, Tensor dst);

    /** Copies all of {@code src} to {@code dst[dstOffset..]} (blocks until the device's queued work is done). */
    void download(Tensor src, float[] dst, int dstOffset);

    /** Host staging memory of {@code floats} floats (page-locked on a GPU); see {@link HostBuffer}. */
    HostBuffer allocateHost(long floats);

    /**
     * A host buffer over {@code t}'s own memory where this backend's tensors live in host memory (the CPU), so
     * that a caller fills t directly instead of staging and uploading; null where they do not (a GPU). Taking it
     * is a host access to t: ask for it again before each fill, and fill it before any op reads t.
     */
    default HostBuffer mapped(Tensor t) {
        return null;
    }

    /**
     * Copies {@code dst.size()} floats from {@code src[srcOffset..]} to {@code dst}. On a GPU the copy is
     * asynchronous: {@code src} must not be written until {@link #awaitCopies} returns for it.
     */
    void upload(HostBuffer src, long srcOffset, Tensor dst);

    /**
     * Copies all of {@code src} to {@code dst[dstOffset..]}. On a GPU the copy is asynchronous and does not
     * block: the values are there once {@link #awaitCopies} returns for {@code dst} (or after any later
     * blocking call such as {@link #download}).
     */
    void downloadAsync(Tensor src, HostBuffer dst, long dstOffset);

    /** Blocks until every copy queued from or into {@code buffer} has finished (returns at once on the CPU). */
    void awaitCopies(HostBuffer buffer);

    void fill(Tensor t, float value);

    /** dst = src (same size). */
    void copy(Tensor src, Tensor dst);

    /** y += alpha * x. */
    void axpy(float alpha, Tensor x, Tensor y);

    /** x *= alpha. */
    void scale(Tensor x, float alpha);

    /** out = a * b element-wise. */
    void multiply(Tensor a, Tensor b, Tensor out);

    /** Clamps every element of {@code x} to [lo, hi]. */
    void clamp(Tensor x, float lo, float hi);

    /** Sum of squares of all elements (accumulated in double on the CPU, in FP32 trees on a GPU). */
    double sumSquares(Tensor x);

    /**
     * Statistics of {@code x} left on the device: {@code out[0..6)} = sum, sum of squares, min and max of the
     * finite values, then the counts of non-finite values and of exact zeros (out has at least 6 floats).
     */
    void reduceStats(Tensor x, Tensor out);

    /**
     * The live monitor's sample of x, left on the device: {@code out[1]} = the sum of squares of x's finite values
     * and {@code out[4]} = the count of its non-finite values (out has at least 6 floats; a backend may fill the other
     * entries as {@link #reduceStats} does, which is the default). Cheaper than all of {@link #reduceStats} where a
     * backend has a fast sum of squares (the CPU: OpenBLAS's SIMD dot product, in float).
     */
    default void reduceSquares(Tensor x, Tensor out) {
        reduceStats(x, out);
    }

    /** Count, sum, sum of squares, min, max, non-finite and zero counts, on the host (blocks). */
    default TensorStats stats(Tensor x) {
        try (Tensor out = allocate(Shape.of(6), MemoryCategory.WORKSPACE)) {
            reduceStats(x, out);
            float[] r = new float[6];
            download(out, r, 0);
            return new TensorStats(x.size(), r[0], r[1], r[2], r[3], (long) r[4], (long) r[5]);
        }
    }

    /**
     * Per-unit statistics of an activation y [N, U, S...] (U = y.dim(1), S the rest; [N, F] has S = 1), left
     * on the device: {@code out[u * 4 ..]} = the largest finite value, the count of values above {@code hi},
     * the count below {@code lo}, and the count of non-finite values, over N and S (out has U * 4 floats).
     */
    void unitStats(Tensor y, float hi, float lo, Tensor out);

    /**
     * Gradient clipping by the global L2 norm of {@code grads}, without a host round trip: {@code out[0]}
     * receives the norm before clipping and {@code out[1]} the factor applied, {@code maxNorm / (norm + 1e-6)}
     * when the norm exceeds {@code maxNorm}, else 1 (out has at least 2 floats).
     */
    void clipByGlobalNorm(java.util.List<Tensor> grads, float maxNorm, Tensor out);

    /**
     * c = op(a) * op(b) + beta * c for 2-D row-major tensors, op = transpose when the flag is set.
     * Shapes: op(a) [M, K], op(b) [K, N], c [M, N].
     */
    void matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c, float beta);

    /** y[N, F] += b[F] broadcast over rows. */
    void addRowBias(Tensor y, Tensor b);

    /** db[F] += sum over rows of dy[N, F]. */
    void rowBiasGrad(Tensor dy, Tensor db);

    /** Workspace floats needed by the convolution ops for input x [N, C, H, W] and filters w [K, C, kh, kw]. */
    long conv2dWorkspaceElements(Shape x, Shape w, ConvSpec spec);

    /** y[N, K, OH, OW] = conv(x[N, C, H, W], w[K, C, kh, kw]) + b[K] (b may be null). */
    void conv2dForward(Tensor x, Tensor w, Tensor b, Tensor y, ConvSpec spec, Tensor workspace);

    /**
     * y = act(conv(x, w) + b) for an element-wise activation {@code act}: where a backend can, the activation is a
     * post-op of the convolution (one pass over y fewer; the CPU's oneDNN path does it for ReLU), with exactly the
     * values of {@link #conv2dForward} followed by {@link #activationForward}, which is what this default does.
     */
    default void conv2dForward(Tensor x, Tensor w, Tensor b, Tensor y, ConvSpec spec, Tensor workspace,
                               Activation act) {
        conv2dForward(x, w, b, y, spec, workspace);
        activationForward(act, y, y);
    }

    /** dx[N, C, H, W] = gradient of the convolution with respect to its input (overwritten). */
    void conv2dBackwardData(Tensor dy, Tensor w, Tensor dx, ConvSpec spec, Tensor workspace);

    /** dw[K, C, kh, kw] += gradient w.r.t. the filters; db[K] += sum of dy per channel (db may be null). */
    void conv2dBackwardFilter(Tensor x, Tensor dy, Tensor dw, Tensor db, ConvSpec spec, Tensor workspace);

    /** y[N, C, OH, OW] = max over each window of x[N, C, H, W]; padding never wins. */
    void maxPoolForward(Tensor x, Tensor y, ConvSpec spec);

    /** dx = dy routed to the first maximum of each window (overwritten). */
    void maxPoolBackward(Tensor x, Tensor y, Tensor dy, Tensor dx, ConvSpec spec);

    /** y = mean of each window, zero padding counted in the divisor (kh * kw). */
    void avgPoolForward(Tensor x, Tensor y, ConvSpec spec);

    /** dx = dy / (kh * kw) spread over each window (overwritten). */
    void avgPoolBackward(Tensor dy, Tensor dx, ConvSpec spec);

    /**
     * Training-mode batch norm over x viewed as [N, C, S] (S = H*W, or 1 for [N, F] inputs): batch
     * statistics, running stats updated as {@code run = (1 - momentum) * run + momentum * batch} (unbiased
     * variance), savedMean/savedInvStd kept for the backward pass.
     */
    void batchNormForwardTraining(Tensor x, Tensor y, BatchNormTensors bn, float momentum, float eps);

    /** Inference-mode batch norm with the running statistics. */
    void batchNormForwardInference(Tensor x, Tensor y, BatchNormTensors bn, float eps);

    /** dx overwritten; dGamma and dBeta accumulated. Uses the statistics saved by the training forward. */
    void batchNormBackward(Tensor x, Tensor dy, Tensor dx, BatchNormTensors bn);

    /** y = f(x). */
    void activationForward(Activation act, Tensor x, Tensor y);

    /** dx = f'(x) * dy (overwritten); y is f(x). */
    void activationBackward(Activation act, Tensor x, Tensor y, Tensor dy, Tensor dx);

    /** y[N, C] = softmax of each row of x[N, C]. */
    void softmaxRows(Tensor x, Tensor y);

    /** dx = Jacobian(softmax)^T dy per row, from y = softmax(x). */
    void softmaxRowsBackward(Tensor y, Tensor dy, Tensor dx);

    /**
     * Softmax cross-entropy fused with the softmax, for logits [N, C] and targets [N] class indices or [N, C]
     * probabilities. dLogits = gradScale * d(mean loss)/d(logits) (overwritten). Adds to the device accumulator
     * {@code acc} (at least 4 floats): [0] the sum of the rows' losses, [1] the rows whose argmax (first
     * maximum) is the label (the target's argmax for probabilities), [2] the rows whose label is not an
     * integer in [0, C) (they contribute no loss and no gradient), [3] N. Nothing is read back to the host.
     */
    void softmaxCrossEntropy(Tensor logits, Tensor target, Tensor dLogits, float gradScale, Tensor acc);

    /**
     * Binary cross-entropy with logits over all elements of [N, C] (targets in [0, 1]); dLogits =
     * gradScale * d(mean)/d(logits). Adds to {@code acc}: [0] the loss sum / C, [1] the sign matches
     * (logit > 0 vs target > 0.5) / C, [2] the targets outside [0, 1], [3] N.
     */
    void binaryCrossEntropyWithLogits(Tensor logits, Tensor target, Tensor dLogits, float gradScale, Tensor acc);

    /**
     * Mean squared error over all elements of [N, C]; dPred = gradScale * d(mean)/d(pred). Adds to {@code acc}:
     * [0] the squared-error sum / C, [1] the absolute-error sum / C (the MAE's numerator), [2] the non-finite
     * targets, [3] N.
     */
    void meanSquaredError(Tensor pred, Tensor target, Tensor dPred, float gradScale, Tensor acc);

    /** The mean loss of {@link #softmaxCrossEntropy(Tensor, Tensor, Tensor, float, Tensor)}, read back (blocks). */
    default float softmaxCrossEntropy(Tensor logits, Tensor target, Tensor dLogits, float gradScale) {
        return LossReadback.mean(this, acc -> softmaxCrossEntropy(logits, target, dLogits, gradScale, acc),
            "class labels outside the class range [0, " + (logits.size() / logits.dim(0) - 1) + "]", logits);
    }

    /** The mean loss of {@link #binaryCrossEntropyWithLogits(Tensor, Tensor, Tensor, float, Tensor)}, read back. */
    default float binaryCrossEntropyWithLogits(Tensor logits, Tensor target, Tensor dLogits, float gradScale) {
        return LossReadback.mean(this, acc -> binaryCrossEntropyWithLogits(logits, target, dLogits, gradScale, acc),
            "binary targets (outside [0, 1])", logits);
    }

    /** The mean loss of {@link #meanSquaredError(Tensor, Tensor, Tensor, float, Tensor)}, read back. */
    default float meanSquaredError(Tensor pred, Tensor target, Tensor dPred, float gradScale) {
        return LossReadback.mean(this, acc -> meanSquaredError(pred, target, dPred, gradScale, acc),
            "regression targets (not finite)", pred);
    }

    /**
     * Inverted dropout: mask = (u >= p) / (1 - p) with u from the counter-based generator
     * {@link io.jtrain.util.CounterRng} at (seed, index); y = x * mask.
     */
    void dropoutForward(Tensor x, Tensor mask, Tensor y, float p, long seed);

    /** SGD, optionally with classical or Nesterov momentum (velocity may be null when beta1 == 0). */
    void sgdStep(Tensor w, Tensor g, Tensor velocity, OptimizerParams p);

    /** Adam / AdamW with bias correction. */
    void adamStep(Tensor w, Tensor g, Tensor m, Tensor v, OptimizerParams p);

    /** RMSprop: sq = rho*sq + (1-rho)*g^2; w -= lr * g / (sqrt(sq) + eps). */
    void rmspropStep(Tensor w, Tensor g, Tensor sq, OptimizerParams p);

    /** Waits for queued work (no-op on the CPU). */
    default void synchronize() {
    }

    @Override
    void close();
}
