package io.jtrain.nn;

import io.jtrain.backend.Activation;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;

/** An element-wise activation: ReLU, LeakyReLU(alpha), ELU(alpha), tanh, sigmoid or linear. */
public final class ActivationLayer extends AbstractLayer {
    private final Activation act;
    private Tensor x;

    public ActivationLayer(int index, Shape in, Activation act) {
        super(index, in, in);
        this.act = act;
    }

    public Activation activation() {
        return act;
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
        return y;
    }

    /** The last output (for diagnosis: dead and saturated units). */
    public Tensor lastOutput() {
        return y;
    }

    /** The last input (pre-activation). */
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
