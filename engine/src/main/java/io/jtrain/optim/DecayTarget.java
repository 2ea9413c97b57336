package io.jtrain.optim;

import io.jtrain.nn.Parameter;
import java.util.Locale;

/** Which parameters L2 weight decay applies to; an explicit choice in every optimizer config. */
public enum DecayTarget {
    /** Dense weights and convolution kernels, not biases or batch-norm parameters (the usual choice). */
    WEIGHTS,
    /** Convolution kernels only. */
    KERNELS,
    /** Every parameter, biases and batch-norm scale/shift included (PyTorch's weight_decay). */
    ALL;

    public boolean appliesTo(Parameter.Kind kind) {
        return switch (this) {
            case ALL -> true;
            case WEIGHTS -> kind == Parameter.Kind.DENSE_WEIGHT || kind == Parameter.Kind.CONV_KERNEL;
            case KERNELS -> kind == Parameter.Kind.CONV_KERNEL;
        };
    }

    public static DecayTarget parse(String s) {
        try {
            return valueOf(s.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new io.jtrain.util.UsageException("unknown weight-decay target '" + s + "'; allowed: weights, kernels, all");
        }
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
