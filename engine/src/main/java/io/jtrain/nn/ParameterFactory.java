package io.jtrain.nn;

import io.jtrain.backend.Backend;
import io.jtrain.init.Initializer;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.SplittableRandom;

/** Allocates a parameter and its (zeroed) gradient, and initialises the value on the host. */
final class ParameterFactory {
    private ParameterFactory() { }

    /** Fans of the tensor being initialised. */
    record Fans(int in, int out) { }

    static Parameter create(Backend be, String name, Parameter.Kind kind, Shape shape, Initializer init, Fans fans,
                            SplittableRandom rnd) {
        Tensor value = be.allocate(shape, MemoryCategory.WEIGHTS);
        Tensor grad = null;
        try {
            grad = be.allocate(shape, MemoryCategory.GRADIENTS);
            float[] host = new float[(int) shape.size()];
            init.fill(host, fans.in(), fans.out(), rnd);
            be.upload(host, 0, value);
            be.fill(grad, 0f);
            return new Parameter(name, kind, value, grad);
        } catch (RuntimeException e) {
            value.close();
            if (grad != null) {
                grad.close();
            }
            throw e;
        }
    }
}
