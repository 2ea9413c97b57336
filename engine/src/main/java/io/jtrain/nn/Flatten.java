package io.jtrain.nn;

import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;

/** [N, C, H, W] -> [N, C*H*W] as a view: no copy, no memory. */
public final class Flatten extends AbstractLayer {

    public Flatten(int index, Shape in) {
        super(index, in, Shape.of((int) in.size()));
    }

    @Override
    public String type() {
        return "flatten";
    }

    @Override
    protected boolean ownsOutput() {
        return false;
    }

    @Override
    protected boolean ownsInputGrad() {
        return false;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        return x.view(out.withBatch(x.dim(0)));
    }

    @Override
    public Tensor backward(Tensor dy) {
        return needInputGrad ? dy.view(in.withBatch(dy.dim(0))) : null;
    }
}
