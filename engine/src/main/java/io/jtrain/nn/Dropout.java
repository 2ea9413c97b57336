package io.jtrain.nn;

import io.jtrain.backend.Backend;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Tensor;
import io.jtrain.tensor.Shape;
import io.jtrain.util.CounterRng;

/**
 * Inverted dropout: during training each element is kept with probability 1 - rate and scaled by
 * 1 / (1 - rate); at inference the layer is the identity. Masks come from a counter-based generator
 * seeded from the run seed, the layer index and the step, so runs are reproducible and resumable.
 */
public final class Dropout extends AbstractLayer {
    private final float rate;
    private long seed;
    private long step;
    private Tensor maskFull;
    private Tensor mask;
    private boolean lastTraining;

    public Dropout(int index, Shape in, float rate) {
        super(index, in, in);
        if (!(rate >= 0f && rate < 1f)) {
            throw new io.jtrain.util.UsageException("dropout rate must be in [0, 1), got " + rate);
        }
        this.rate = rate;
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
        if (!training || rate == 0f) {
            return x;
        }
        setBatch(x.dim(0));
        be.dropoutForward(x, mask, y, rate, CounterRng.derive(seed, step++));
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
        return "rate " + rate;
    }
}
