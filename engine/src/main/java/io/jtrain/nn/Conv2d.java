package io.jtrain.nn;

import io.jtrain.backend.Activation;
import io.jtrain.backend.Backend;
import io.jtrain.backend.ConvSpec;
import io.jtrain.init.Initializer;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.SplittableRandom;

/** 2-D convolution (cross-correlation): x [N, C, H, W], w [K, C, kh, kw], b [K] -> y [N, K, OH, OW]. */
public final class Conv2d extends AbstractLayer {
    private final int filters;
    private final ConvSpec spec;
    private final boolean useBias;
    private final Initializer init;
    private final Initializer biasInit;
    private Parameter w;
    private Parameter b;
    private Tensor x;
    private Tensor workspace;

    public Conv2d(int index, Shape in, int filters, ConvSpec spec, boolean useBias, Initializer[] inits) {
        super(index, in, outShape(index, in, filters, spec));
        this.filters = filters;
        this.spec = spec;
        this.useBias = useBias;
        this.init = inits[0];
        this.biasInit = inits[1];
    }

    private static Shape outShape(int index, Shape in, int filters, ConvSpec s) {
        if (in.rank() != 3) {
            throw new ShapeException(index, "conv2d", in, "[C, H, W] (rank 3)",
                "convolutions need image input; check the data set or the model's input shape");
        }
        int oh = s.outH(in.dim(1));
        int ow = s.outW(in.dim(2));
        if (in.dim(1) + 2 * s.ph() < s.kh() || in.dim(2) + 2 * s.pw() < s.kw() || oh <= 0 || ow <= 0) {
            throw new ShapeException(index, "conv2d", in, "spatial size at least the kernel " + s.kh() + "x" + s.kw(),
                "use padding or a smaller kernel, or fewer pooling layers before it");
        }
        return Shape.of(filters, oh, ow);
    }

    @Override
    public long parameterCount() {
        long k = out.dim(0);
        long cin = in.dim(0);
        return k * cin * spec.kh() * spec.kw() + (hasBias() ? k : 0);
    }

    @Override
    public boolean weighted() {
        return true;
    }

    public boolean hasBias() {
        return useBias;
    }

    @Override
    public String type() {
        return "conv2d";
    }

    public ConvSpec spec() {
        return spec;
    }


    @Override
    public void bind(Backend backend, long seed) {
        super.bind(backend, seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        int c = in.dim(0);
        int area = spec.kh() * spec.kw();
        ParameterFactory.Fans fans = new ParameterFactory.Fans(c * area, filters * area);
        w = ParameterFactory.create(be, name("weight"), Parameter.Kind.CONV_KERNEL,
            Shape.of(filters, c, spec.kh(), spec.kw()), init, fans, rnd);
        params.add(w);
        if (useBias) {
            b = ParameterFactory.create(be, name("bias"), Parameter.Kind.BIAS, Shape.of(filters), biasInit, fans, rnd);
            params.add(b);
        }
    }

    @Override
    public long workspaceElements(int batch) {
        return be.conv2dWorkspaceElements(in.withBatch(batch), w.value().shape(), spec);
    }

    @Override
    public void setWorkspace(Tensor workspace) {
        this.workspace = workspace;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        return forward(x, null);
    }

    /** y = act(conv(x) + b) (the activation layer after this one fused into it), or conv(x) + b when act is null. */
    Tensor forward(Tensor x, Activation act) {
        setBatch(x.dim(0));
        this.x = x;
        Tensor bias = b == null ? null : b.value();
        if (act != null) {
            be.conv2dForward(x, w.value(), bias, y, spec, workspace, act);
        } else {
            be.conv2dForward(x, w.value(), bias, y, spec, workspace);
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        be.conv2dBackwardFilter(x, dy, w.grad(), b == null ? null : b.grad(), spec, workspace);
        if (dx != null) {
            be.conv2dBackwardData(dy, w.value(), dx, spec, workspace);
        }
        return dx;
    }

    @Override
    public String config() {
        return filters + " filters " + spec.kh() + "x" + spec.kw() + " stride " + spec.sh() + "x" + spec.sw()
            + " pad " + spec.ph() + "x" + spec.pw() + (useBias ? "" : ", no bias");
    }
}
