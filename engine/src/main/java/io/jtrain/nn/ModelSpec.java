package io.jtrain.nn;

import io.jtrain.tensor.Shape;
import java.util.List;

/** A sequential model: the per-sample input shape and the layers in order. */
public record ModelSpec(Shape input, List<LayerSpec> layers) {
    public ModelSpec {
        layers = List.copyOf(layers);
    }
}
