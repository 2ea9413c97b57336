package io.jtrain.nn;

import io.jtrain.tensor.Tensor;

/**
 * A trainable tensor and its gradient. {@code name} follows PyTorch's {@code nn.Sequential} naming
 * ("3.weight", "3.bias", "5.running_mean"), so saved weights load into an equivalent PyTorch model.
 *
 * @param kind what the tensor is; weight decay applies by kind (see {@link io.jtrain.optim.DecayTarget})
 */
public record Parameter(String name, Kind kind, Tensor value, Tensor grad) {

    /** The role of a parameter, used to decide where L2 weight decay applies. */
    public enum Kind {
        /** Dense weights [out, in]. */
        DENSE_WEIGHT,
        /** Convolution kernels [K, C, kh, kw]. */
        CONV_KERNEL,
        /** Dense or convolution biases. */
        BIAS,
        /** Batch-norm scale (gamma) and shift (beta). */
        NORM
    }
}
