package io.jtrain.nn;

import io.jtrain.backend.Backend;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Tensor;
import io.jtrain.tensor.Shape;
import io.jtrain.util.CounterRng;

/**
 * Dropout in one of two modes. {@code inverted} (the default, PyTorch's and Keras's): during training each
 * element is kept with probability 1 - rate and scaled by 1 / (1 - rate); at inference the layer is the
 * identity. {@code scale_at_inference} (the original formulation, and some textbooks'): kept elements are
 * not scaled during training, and at inference every output is multiplied by 1 - rate — the same expected
 * value, but other gradient magnitudes under SGD. Masks come from a counter-based generator seeded from the
 * run seed, the layer index and the step, so runs are reproducible and resumable.
 */
public final class Dropout extends AbstractLayer {
    private final float rate;
    private final boolean scaleAtInference;
    private long seed;
    private long step;
    private Tensor maskFull;
    private Tensor mask;
    private boolean lastTraining;

    public Dropout(int index, Shape in, float rate) {
        this(index, in, rate, false);
    }

    /** @param scaleAtInference the {@code scale_at_inference} mode instead of inverted dropout */
    public Dropout(int index, Shape in, float rate, boolean scaleAtInference) {
        super(index, in, in);
        if (!(rate >= 0f && rate < 1f)) {
            throw new io.jtrain.util.UsageException("dropout rate must be in [0, 1), got " + rate);
        }
        this.rate = rate;
        this.scaleAtInference = scaleAtInference;
    }

    public float rate() {
        return rate;
    }

    /** Whether this is the {@code scale_at_inference} mode (outputs times 1 - rate at inference). */
    public boolean scaleAtInference() {
        return scaleAtInference;
    }

    @Override
    public String type() {
        return "dropout";
    }

    @Override
    public void bind(Backend backend, long seed) {
        super.bind(backend, seed);
        this.seed = seed;
    }

    /** The number of training forward passes so far (saved in checkpoints so that resumed runs match). */
    @Override
    public long rngCounter() {
        return step;
    }

    @Override
    public void setRngCounter(long counter) {
        this.step = counter;
    }

    @Override
    public boolean random() {
        return true;
    }

    @Override
    protected long extraFloatsPerSample() {
        return in.size();
    }

    @Override
    protected void reserveExtra(int maxBatch) {
        maskFull = own(in.withBatch(maxBatch), MemoryCategory.ACTIVATIONS);
    }

    @Override
    protected void releaseExtra() {
        release(maskFull);
        maskFull = null;
    }

    @Override
    protected void onBatch(int n) {
        mask = maskFull.narrow(n);
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        lastTraining = training;
        if (rate == 0f || !training && !scaleAtInference) {
            return x;
        }
        setBatch(x.dim(0));
        if (!training) {
            be.copy(x, y);
            be.scale(y, 1f - rate);
            return y;
        }
        be.dropoutForward(x, mask, y, rate, CounterRng.derive(seed, step++));
        if (scaleAtInference) {
            be.scale(mask, 1f - rate);
            be.scale(y, 1f - rate);
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        if (dx == null) {
            return null;
        }
        if (!lastTraining || rate == 0f) {
            return dy;
        }
        be.multiply(dy, mask, dx);
        return dx;
    }

    @Override
    public long activationBytesPerSample() {
        return super.activationBytesPerSample() + in.size() * Float.BYTES;
    }

    @Override
    public String config() {
        return "rate " + rate + (scaleAtInference ? ", scale_at_inference" : "");
    }
}
