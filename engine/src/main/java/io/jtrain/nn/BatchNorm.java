package io.jtrain.nn;

import io.jtrain.backend.Backend;
import io.jtrain.backend.BatchNormTensors;
import io.jtrain.init.Initializer;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Batch normalisation over [N, F] (per feature) or over the channels of [N, C, H, W]. Training mode
 * normalises with batch statistics and updates running mean/variance with {@code momentum}
 * (PyTorch's convention: {@code run = (1 - momentum) run + momentum batch}); inference mode uses the
 * running statistics.
 */
public final class BatchNorm extends AbstractLayer {
    private final float momentum;
    private final float eps;
    private Parameter gamma;
    private Parameter beta;
    private Tensor runningMean;
    private Tensor runningVar;
    private Tensor savedMean;
    private Tensor savedInvStd;
    private BatchNormTensors tensors;
    private Tensor x;

    public BatchNorm(int index, Shape in, float momentum, float eps) {
        super(index, in, in);
        if (in.rank() != 1 && in.rank() != 3) {
            throw new ShapeException(index, "batch_norm", in, "[F] or [C, H, W]", null);
        }
        this.momentum = momentum;
        this.eps = eps;
    }

    public float eps() {
        return eps;
    }

    @Override
    public String type() {
        return "batch_norm";
    }

    private int channels() {
        return in.dim(0);
    }

    @Override
    public void bind(Backend backend, long seed) {
        super.bind(backend, seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        Shape c = Shape.of(channels());
        ParameterFactory.Fans fans = new ParameterFactory.Fans(channels(), channels());
        gamma = ParameterFactory.create(be, name("weight"), Parameter.Kind.NORM, c,
            new Initializer(Initializer.Kind.CONSTANT, 1f), fans, rnd);
        beta = ParameterFactory.create(be, name("bias"), Parameter.Kind.NORM, c, Initializer.of(Initializer.Kind.ZEROS),
            fans, rnd);
        params.add(gamma);
        params.add(beta);
        runningMean = own(c, MemoryCategory.WEIGHTS);
        runningVar = own(c, MemoryCategory.WEIGHTS);
        savedMean = own(c, MemoryCategory.ACTIVATIONS);
        savedInvStd = own(c, MemoryCategory.ACTIVATIONS);
        be.fill(runningMean, 0f);
        be.fill(runningVar, 1f);
        be.fill(savedMean, 0f);
        be.fill(savedInvStd, 1f);
        tensors = new BatchNormTensors(gamma.value(), beta.value(), gamma.grad(), beta.grad(), runningMean,
            runningVar, savedMean, savedInvStd);
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        setBatch(x.dim(0));
        this.x = x;
        if (training) {
            be.batchNormForwardTraining(x, y, tensors, momentum, eps);
        } else {
            be.batchNormForwardInference(x, y, tensors, eps);
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor dy) {
        if (dx == null) {
            throw new IllegalStateException("batch_norm backward needs an input-gradient buffer");
        }
        be.batchNormBackward(x, dy, dx, tensors);
        return dx;
    }

    @Override
    public void reserve(int maxBatch, boolean needInputGrad) {
        super.reserve(maxBatch, true);
    }

    @Override
    protected boolean alwaysHasInputGrad() {
        return true;
    }

    /** gamma and beta. */
    @Override
    public long parameterCount() {
        return 2L * in.dim(0);
    }

    /** The running mean and variance. */
    @Override
    public long bufferCount() {
        return 2L * in.dim(0);
    }

    @Override
    public List<NamedTensor> buffers() {
        return List.of(new NamedTensor(name("running_mean"), runningMean),
            new NamedTensor(name("running_var"), runningVar));
    }

    @Override
    public String config() {
        return "momentum " + momentum + ", eps " + eps;
    }
}
