package io.jtrain.nn;

import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;

/**
 * Softmax over the features of [N, F], for prediction output. When the model is trained with the fused
 * softmax cross-entropy loss, a trailing softmax is skipped during training (the loss applies it).
 */
public final class Softmax extends AbstractLayer {

    public Softmax(int index, Shape in) {
        super(index, in, in);
        if (in.rank() != 1) {
            throw new ShapeException(index, "softmax", in, "[features] (rank 1)", "add a flatten layer before it");
        }
    }

    @Override
    public String type() {
        return "softmax";
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        setBatch(x.dim(0));
        be.softmaxRows(x, y);
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        if (dx == null) {
            return null;
        }
        be.softmaxRowsBackward(y, dy, dx);
        return dx;
    }
}
