package io.jtrain.nn;

import io.jtrain.backend.ConvSpec;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;

/** Max or average pooling over NCHW input; average pooling counts zero padding in the divisor. */
public final class Pool2d extends AbstractLayer {
    private final boolean max;
    private final ConvSpec spec;
    private Tensor x;

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

    @Override
    public String config() {
        return spec.kh() + "x" + spec.kw() + " stride " + spec.sh() + "x" + spec.sw() + " pad " + spec.ph() + "x"
            + spec.pw();
    }
}
