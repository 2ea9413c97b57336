package io.jtrain.train;

import io.jtrain.backend.Backend;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;

/**
 * The {@link AccuracyRule#ARGMAX} count on the device, with no op of its own: softmax cross-entropy of the
 * outputs against the one-hot targets (probability targets), whose correct count is the rows where the
 * output's argmax is the target's argmax. Its sums go to {@code acc[4..8)} of an 8-float accumulator (so the
 * count is {@code acc[5]}), its gradient to a scratch buffer that is never read.
 */
final class ArgmaxCount implements AutoCloseable {
    /** The accumulator slot holding the count. */
    static final int SLOT = 5;
    private final Backend be;
    private final Tensor scratch;

    /** @param output the model output's per-sample shape */
    ArgmaxCount(Backend be, Shape output, int maxBatch) {
        this.be = be;
        this.scratch = be.allocate(output.withBatch(maxBatch), MemoryCategory.WORKSPACE);
    }

    /** Adds the batch's argmax matches ({@code out} [N, C], {@code target} [N, C]) to acc[5]. */
    void add(Tensor out, Tensor target, Tensor acc) {
        be.softmaxCrossEntropy(out, target, scratch.narrow(out.dim(0)), 0f, acc.slice(4, 4));
    }

    @Override
    public void close() {
        scratch.close();
    }
}
