package io.jtrain.nn;

import io.jtrain.backend.Backend;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import io.jtrain.util.CounterRng;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A stack of layers built from a {@link ModelSpec}. {@link #build} infers every output shape without
 * touching memory, so shape errors name the layer before any data flows. {@link #bind} allocates and
 * initialises parameters; {@link #reserve} allocates activations and one workspace shared by all layers.
 */
public final class Sequential implements AutoCloseable {
    private final ModelSpec spec;
    private final List<Layer> layers;
    private Backend be;
    private Tensor workspace;
    private int reservedBatch;

    private Sequential(ModelSpec spec, List<Layer> layers) {
        this.spec = spec;
        this.layers = layers;
    }

    /** Builds the layers and infers shapes; throws {@link ShapeException} or {@link SpecException}. */
    public static Sequential build(ModelSpec spec) {
        List<Layer> layers = new ArrayList<>();
        Shape shape = spec.input();
        for (int i = 0; i < spec.layers().size(); i++) {
            Layer l = LayerFactory.create(i, spec.layers().get(i), shape);
            layers.add(l);
            shape = l.outputShape();
        }
        if (layers.isEmpty()) {
            throw new SpecException("the model has no layers");
        }
        for (int i = 1; i < layers.size(); i++) {
            if (layers.get(i) instanceof Pool2d p && layers.get(i - 1) instanceof ActivationLayer a && a.fusable()) {
                p.foldReluBackward(a.activation());
            }
        }
        return new Sequential(spec, Collections.unmodifiableList(layers));
    }

    /** Allocates parameters on {@code backend}, initialised from {@code seed} (layer i uses a derived seed). */
    public void bind(Backend backend, long seed) {
        this.be = backend;
        try {
            for (Layer l : layers) {
                l.bind(backend, CounterRng.derive(seed, l.index()));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Allocates activation buffers and the shared workspace for batches up to {@code maxBatch}. A layer computes
     * the gradient of its input only when some layer before it has parameters: the first weighted layer's input
     * gradient (after a flatten, say) would be computed and thrown away — for dlfs and mlp the largest product of
     * the step.
     */
    public void reserve(int maxBatch) {
        if (maxBatch == reservedBatch) {
            return;
        }
        releaseWorkspace();
        long ws = 0;
        boolean paramsBefore = false;
        for (Layer l : layers) {
            l.reserve(maxBatch, paramsBefore);
            paramsBefore |= !l.parameters().isEmpty();
            ws = Math.max(ws, l.workspaceElements(maxBatch));
        }
        if (ws > 0) {
            // more than 2^31 floats cannot be one dimension: rows of 1024 then (never fewer floats than asked)
            Shape shape = ws <= Integer.MAX_VALUE ? Shape.of((int) ws) : Shape.of((int) ((ws + 1023) / 1024), 1024);
            workspace = be.allocate(shape, MemoryCategory.WORKSPACE);
        }
        for (Layer l : layers) {
            l.setWorkspace(workspace);
        }
        reservedBatch = maxBatch;
    }

    public int reservedBatch() {
        return reservedBatch;
    }

    /**
     * Runs layers [0, end) forward. A ReLU right after a convolution is fused into it: the backend applies it as the
     * convolution's post-op where it can (one pass over the activation fewer, the same values), and the ReLU layer
     * passes the result on. Each layer's own {@link Layer#forward} stays unfused (the doctor reads a convolution's
     * pre-activation output that way).
     */
    public Tensor forward(Tensor x, boolean training, int end) {
        Tensor h = x;
        for (int i = 0; i < end; i++) {
            Layer l = layers.get(i);
            if (i + 1 < end && l instanceof Conv2d c && layers.get(i + 1) instanceof ActivationLayer a && a.fusable()) {
                h = a.passOn(c.forward(h, a.activation()));
                i++;
            } else {
                h = l.forward(h, training);
            }
        }
        return h;
    }

    /** Runs the whole model forward. */
    public Tensor forward(Tensor x, boolean training) {
        return forward(x, training, layers.size());
    }

    /**
     * Runs layers [0, end) backward from {@code dy}, the gradient of layer end-1's output. A max pooling right after
     * a ReLU takes the ReLU's backward into its own ({@link Pool2d#backwardThroughRelu}: on the pooled gradient, a
     * quarter of the values for 2×2 windows, the same bits), and the ReLU layer is stepped over.
     */
    public void backward(Tensor dy, int end) {
        Tensor g = dy;
        for (int i = end - 1; i >= 0 && g != null; i--) {
            if (i > 0 && layers.get(i) instanceof Pool2d p && p.foldsReluBackward()) {
                g = p.backwardThroughRelu(g);
                i--;
            } else {
                g = layers.get(i).backward(g);
            }
        }
    }

    /** Number of layers that produce the logits when a trailing softmax is fused into the loss. */
    public int logitsEnd() {
        Layer last = layers.get(layers.size() - 1);
        return last instanceof Softmax ? layers.size() - 1 : layers.size();
    }

    public List<Layer> layers() {
        return layers;
    }

    public ModelSpec spec() {
        return spec;
    }

    public Shape inputShape() {
        return spec.input();
    }

    public Shape outputShape() {
        return layers.get(layers.size() - 1).outputShape();
    }

    public Backend backend() {
        return be;
    }

    public List<Parameter> parameters() {
        List<Parameter> ps = new ArrayList<>();
        for (Layer l : layers) {
            ps.addAll(l.parameters());
        }
        return ps;
    }

    /** Parameters and buffers by PyTorch name, in order: weights, biases, running statistics. */
    public List<Layer.NamedTensor> stateTensors() {
        List<Layer.NamedTensor> ts = new ArrayList<>();
        for (Layer l : layers) {
            for (Parameter p : l.parameters()) {
                ts.add(new Layer.NamedTensor(p.name(), p.value()));
            }
            ts.addAll(l.buffers());
        }
        return ts;
    }

    /** Zeroes every parameter gradient. */
    public void zeroGrad() {
        for (Parameter p : parameters()) {
            be.fill(p.grad(), 0f);
        }
    }

    public Summary summary() {
        return Summary.of(this);
    }

    private void releaseWorkspace() {
        if (workspace != null) {
            workspace.close();
            workspace = null;
        }
    }

    @Override
    public void close() {
        for (Layer l : layers) {
            l.close();
        }
        releaseWorkspace();
        reservedBatch = 0;
    }
}
