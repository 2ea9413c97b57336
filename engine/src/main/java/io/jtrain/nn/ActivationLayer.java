package io.jtrain.nn;

import io.jtrain.backend.Activation;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;

/**
 * An element-wise activation: ReLU, LeakyReLU(alpha), ELU(alpha), tanh, sigmoid or linear. In a model's forward
 * pass a ReLU right after a convolution is fused into it ({@link Sequential}): the convolution writes relu(conv)
 * and this layer passes that tensor on ({@link #passOn}), taking its own output for its input in the backward
 * pass (for ReLU, y &gt; 0 exactly where x &gt; 0, so the gradient is the same bit for bit).
 */
public final class ActivationLayer extends AbstractLayer {
    private final Activation act;
    private Tensor x;
    private Tensor out;

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

    /**
     * The forward pass when the convolution before this layer has applied the activation already: {@code y} is
     * this layer's output, passed on.
     */
    Tensor passOn(Tensor y) {
        if (!fusable()) {
            throw new IllegalStateException(act.kind().id() + " cannot be fused into a convolution");
        }
        setBatch(y.dim(0));
        x = y;
        out = y;
        return y;
    }

    @Override
    public String type() {
        return act.kind().id();
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        setBatch(x.dim(0));
        this.x = x;
        be.activationForward(act, x, y);
        out = y;
        return y;
    }

    /** The last output (for diagnosis: dead and saturated units). */
    public Tensor lastOutput() {
        return out;
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
        be.activationBackward(act, x, out, dy, dx);
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
