package io.jtrain.nn;

import io.jtrain.backend.Activation;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;

/**
 * An element-wise activation: ReLU, LeakyReLU(alpha), ELU(alpha), tanh, sigmoid or linear. A ReLU right after a
 * convolution is fused into it ({@link #fuseIntoConvolution}): the convolution writes relu(conv) and this layer
 * passes that tensor on, taking its own output for its input in the backward pass (for ReLU, y &gt; 0 exactly where
 * x &gt; 0, so the gradient is the same bit for bit).
 */
public final class ActivationLayer extends AbstractLayer {
    private final Activation act;
    private Tensor x;
    private boolean fused;

    public ActivationLayer(int index, Shape in, Activation act) {
        super(index, in, in);
        this.act = act;
    }

    public Activation activation() {
        return act;
    }

    /** Whether this activation can be fused into the convolution before it (ReLU can). */
    public boolean fusable() {
        return act.kind() == Activation.Kind.RELU;
    }

    /** The convolution before this layer applies the activation: this layer passes its input on. */
    void fuseIntoConvolution() {
        if (!fusable()) {
            throw new IllegalStateException(act.kind().id() + " cannot be fused into a convolution");
        }
        fused = true;
    }

    @Override
    protected boolean ownsOutput() {
        return !fused;
    }

    @Override
    public String type() {
        return act.kind().id();
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        setBatch(x.dim(0));
        this.x = x;
        if (fused) {
            y = x;
            return y;
        }
        be.activationForward(act, x, y);
        return y;
    }

    /** The last output (for diagnosis: dead and saturated units). */
    public Tensor lastOutput() {
        return y;
    }

    /** The last input (pre-activation; the output itself when fused into the convolution before). */
    public Tensor lastInput() {
        return x;
    }

    @Override
    public Tensor backward(Tensor dy) {
        if (dx == null) {
            return null;
        }
        be.activationBackward(act, x, y, dy, dx);
        return dx;
    }

    @Override
    public String config() {
        return switch (act.kind()) {
            case LEAKY_RELU, ELU -> "alpha " + act.alpha();
            default -> "";
        };
    }
}
