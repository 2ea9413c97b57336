package io.jtrain.nn;

import io.jtrain.backend.Activation;
import io.jtrain.backend.ConvSpec;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;

/** Max or average pooling over NCHW input; average pooling counts zero padding in the divisor. */
public final class Pool2d extends AbstractLayer {
    private final boolean max;
    private final ConvSpec spec;
    private Tensor x;
    /** The ReLU before this layer, when this layer folds the ReLU's backward into its own (max pooling only). */
    private Activation relu;
    private Tensor maskedFull;
    private Tensor masked;

    public Pool2d(int index, Shape in, boolean max, ConvSpec spec) {
        super(index, in, outShape(index, in, max, spec));
        this.max = max;
        this.spec = spec;
    }

    private static Shape outShape(int index, Shape in, boolean max, ConvSpec s) {
        String type = max ? "max_pool2d" : "avg_pool2d";
        if (in.rank() != 3) {
            throw new ShapeException(index, type, in, "[C, H, W] (rank 3)", "pooling needs image input");
        }
        if (s.ph() * 2 > s.kh() || s.pw() * 2 > s.kw()) {
            throw new ShapeException(index, type, in, "padding at most half the window " + s.kh() + "x" + s.kw(),
                "reduce the padding");
        }
        int oh = s.outH(in.dim(1));
        int ow = s.outW(in.dim(2));
        if (oh <= 0 || ow <= 0) {
            throw new ShapeException(index, type, in, "spatial size at least the window " + s.kh() + "x" + s.kw(),
                "remove a pooling layer or use a smaller window");
        }
        return Shape.of(in.dim(0), oh, ow);
    }

    /** Max pooling (else average pooling, zero padding counted in the divisor). */
    public boolean max() {
        return max;
    }

    public ConvSpec spec() {
        return spec;
    }

    @Override
    public String type() {
        return max ? "max_pool2d" : "avg_pool2d";
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        setBatch(x.dim(0));
        this.x = x;
        if (max) {
            be.maxPoolForward(x, y, spec);
        } else {
            be.avgPoolForward(x, y, spec);
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        if (dx == null) {
            return null;
        }
        if (max) {
            be.maxPoolBackward(x, y, dy, dx, spec);
        } else {
            be.avgPoolBackward(dy, dx, spec);
        }
        return dx;
    }

    /**
     * Folds the backward pass of the ReLU layer before this one into this layer's ({@link Sequential#backward}
     * calls {@link #backwardThroughRelu}); only max pooling folds (average pooling ignores the call).
     */
    void foldReluBackward(Activation act) {
        if (max && act.kind() == Activation.Kind.RELU) {
            relu = act;
        }
    }

    boolean foldsReluBackward() {
        return relu != null;
    }

    /**
     * The gradient of the ReLU's input from the gradient {@code dy} of this layer's output, in place of this
     * layer's backward then the ReLU's: {@code dy' = y > 0 ? dy : +0} on the pooled output, then the pooling's
     * backward. The same bits as the two passes: each input the pooling routes a gradient to is the maximum of
     * its window(s), so its ReLU output is the pooled output y; where y = 0 the ReLU's backward writes +0, and
     * so does the pooling's backward of a +0; every other input gets the pooling's +0, which the ReLU's backward
     * passes or sets to +0. The mask runs on the pooled values (a quarter as many for 2×2 windows).
     * Shapes: dy [N, C, OH, OW], returns [N, C, H, W] (null when no input gradient is needed).
     */
    Tensor backwardThroughRelu(Tensor dy) {
        if (dx == null) {
            return null;
        }
        be.activationBackward(relu, y, y, dy, masked);
        be.maxPoolBackward(x, y, masked, dx, spec);
        return dx;
    }

    @Override
    protected void reserveExtra(int maxBatch) {
        if (relu != null && needInputGrad) {
            maskedFull = own(out.withBatch(maxBatch), MemoryCategory.ACTIVATIONS);
        }
    }

    @Override
    protected void releaseExtra() {
        release(maskedFull);
        maskedFull = null;
        masked = null;
    }

    @Override
    protected void onBatch(int n) {
        masked = maskedFull == null ? null : maskedFull.narrow(n);
    }

    /** The masked gradient of the output, held when this layer folds a ReLU's backward. */
    @Override
    protected long extraFloatsPerSample() {
        return relu != null && index > 0 ? out.size() : 0;
    }

    @Override
    public String config() {
        return spec.kh() + "x" + spec.kw() + " stride " + spec.sh() + "x" + spec.sw() + " pad " + spec.ph() + "x"
            + spec.pw();
    }
}
