package io.jtrain.nn;

import io.jtrain.backend.Backend;
import io.jtrain.init.Initializer;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.SplittableRandom;

/** Fully connected layer: y[N, out] = x[N, in] w[out, in]^T + b[out] (PyTorch's Linear layout). */
public final class Dense extends AbstractLayer {
    private final int units;
    private final boolean useBias;
    private final Initializer init;
    private final Initializer biasInit;
    private Parameter w;
    private Parameter b;
    private Tensor x;

    public Dense(int index, Shape in, int units, boolean useBias, Initializer init, Initializer biasInit) {
        super(index, in, Shape.of(units));
        if (in.rank() != 1) {
            throw new ShapeException(index, "dense", in, "[features] (rank 1)", "add a flatten layer before it");
        }
        this.units = units;
        this.useBias = useBias;
        this.init = init;
        this.biasInit = biasInit;
    }

    @Override
    public long parameterCount() {
        long i = in.dim(0);
        long o = out.dim(0);
        return i * o + (hasBias() ? o : 0);
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
        return "dense";
    }

    @Override
    public void bind(Backend backend, long seed) {
        super.bind(backend, seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        int fanIn = in.dim(0);
        w = ParameterFactory.create(be, name("weight"), Parameter.Kind.DENSE_WEIGHT, Shape.of(units, fanIn), init,
            new ParameterFactory.Fans(fanIn, units), rnd);
        params.add(w);
        if (useBias) {
            b = ParameterFactory.create(be, name("bias"), Parameter.Kind.BIAS, Shape.of(units), biasInit,
                new ParameterFactory.Fans(fanIn, units), rnd);
            params.add(b);
        }
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        setBatch(x.dim(0));
        this.x = x;
        be.matmul(x, false, w.value(), true, y, 0f);
        if (b != null) {
            be.addRowBias(y, b.value());
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        be.matmul(dy, true, x, false, w.grad(), 1f);
        if (b != null) {
            be.rowBiasGrad(dy, b.grad());
        }
        if (dx != null) {
            be.matmul(dy, false, w.value(), false, dx, 0f);
        }
        return dx;
    }

    @Override
    public String config() {
        return in.dim(0) + " -> " + units + (useBias ? "" : ", no bias");
    }
}
