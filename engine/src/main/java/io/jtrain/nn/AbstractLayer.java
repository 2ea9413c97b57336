package io.jtrain.nn;

import io.jtrain.backend.Backend;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Buffer management shared by layers: an output buffer and an input-gradient buffer sized for the
 * largest batch, with views for the current batch size (re-made only when the batch size changes).
 */
abstract class AbstractLayer implements Layer {
    protected final int index;
    protected final Shape in;
    protected final Shape out;
    protected Backend be;
    private final List<Tensor> owned = new ArrayList<>();
    /** Parameters created in {@link #bind}; listed by {@link #parameters()} and released by {@link #close()}. */
    protected final List<Parameter> params = new ArrayList<>();
    private Tensor yFull;
    private Tensor dxFull;
    protected Tensor y;
    protected Tensor dx;
    protected int batch = -1;
    protected boolean needInputGrad = true;

    AbstractLayer(int index, Shape in, Shape out) {
        this.index = index;
        this.in = in;
        this.out = out;
    }

    @Override
    public int index() {
        return index;
    }

    @Override
    public Shape inputShape() {
        return in;
    }

    @Override
    public Shape outputShape() {
        return out;
    }

    @Override
    public void bind(Backend backend, long seed) {
        this.be = backend;
    }

    /** Allocates a tensor that this layer owns and releases on close. */
    protected Tensor own(Shape shape, MemoryCategory category) {
        Tensor t = be.allocate(shape, category);
        owned.add(t);
        return t;
    }

    @Override
    public void reserve(int maxBatch, boolean needInputGrad) {
        releaseBuffers();
        this.needInputGrad = needInputGrad;
        if (ownsOutput()) {
            yFull = own(out.withBatch(maxBatch), MemoryCategory.ACTIVATIONS);
        }
        if (needInputGrad && ownsInputGrad()) {
            dxFull = own(in.withBatch(maxBatch), MemoryCategory.ACTIVATIONS);
        }
        reserveExtra(maxBatch);
        batch = -1;
    }

    /** Whether this layer writes its output into a buffer of its own (false for views such as Flatten). */
    protected boolean ownsOutput() {
        return true;
    }

    protected boolean ownsInputGrad() {
        return true;
    }

    /** Further per-batch buffers (masks, saved statistics). */
    protected void reserveExtra(int maxBatch) {
    }

    /** Makes y and dx views for batch size n. */
    protected void setBatch(int n) {
        if (n == batch) {
            return;
        }
        if (yFull != null) {
            if (n > yFull.dim(0)) {
                throw new IllegalStateException("batch " + n + " exceeds the reserved " + yFull.dim(0));
            }
            y = yFull.narrow(n);
        }
        dx = dxFull == null ? null : dxFull.narrow(n);
        onBatch(n);
        batch = n;
    }

    protected void onBatch(int n) {
    }

    private void releaseBuffers() {
        if (yFull != null) {
            owned.remove(yFull);
            yFull.close();
            yFull = null;
        }
        if (dxFull != null) {
            owned.remove(dxFull);
            dxFull.close();
            dxFull = null;
        }
        releaseExtra();
    }

    /** Releases what {@link #reserveExtra} allocated. */
    protected void releaseExtra() {
    }

    protected void release(Tensor t) {
        if (t != null) {
            owned.remove(t);
            t.close();
        }
    }

    @Override
    public List<Parameter> parameters() {
        return java.util.Collections.unmodifiableList(params);
    }

    /** Output (when owned) plus input gradient (from the second layer on, or always when it needs one). */
    @Override
    public long activationBytesPerSample() {
        boolean dxHeld = ownsInputGrad() && (index > 0 || alwaysHasInputGrad());
        long floats = (ownsOutput() ? out.size() : 0) + (dxHeld ? in.size() : 0) + extraFloatsPerSample();
        return floats * Float.BYTES;
    }

    /** Whether the layer allocates its input gradient even as the first layer (batch norm does). */
    protected boolean alwaysHasInputGrad() {
        return false;
    }

    /** Further floats per sample held in training (dropout's mask). */
    protected long extraFloatsPerSample() {
        return 0;
    }

    @Override
    public void close() {
        for (Tensor t : owned) {
            t.close();
        }
        owned.clear();
        for (Parameter p : params) {
            p.value().close();
            p.grad().close();
        }
        params.clear();
        yFull = null;
        dxFull = null;
    }

    protected String name(String suffix) {
        return index + "." + suffix;
    }
}
