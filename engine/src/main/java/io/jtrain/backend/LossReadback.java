package io.jtrain.backend;

import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.function.Consumer;

/** The float-returning loss ops of {@link Backend}: one accumulator on the device, read back once. */
final class LossReadback {
    private LossReadback() { }

    static float mean(Backend be, Consumer<Tensor> op, String what, Tensor out) {
        try (Tensor acc = be.allocate(Shape.of(4), MemoryCategory.WORKSPACE)) {
            be.fill(acc, 0f);
            op.accept(acc);
            float[] r = new float[4];
            be.download(acc, r, 0);
            if (r[2] > 0) {
                throw new IllegalArgumentException((long) r[2] + " targets of a batch of " + (long) r[3] + " rows are "
                    + what + " (outputs " + out.shape() + ")");
            }
            return r[0] / Math.max(1f, r[3]);
        }
    }
}
