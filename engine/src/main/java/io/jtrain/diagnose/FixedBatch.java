package io.jtrain.diagnose;

import io.jtrain.backend.Backend;
import io.jtrain.data.Dataset;
import io.jtrain.loss.Loss;
import io.jtrain.nn.Layer;
import io.jtrain.nn.Sequential;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;

/** The first n samples of a data set as one batch on the model's device, with the loss of a fixed step. */
final class FixedBatch implements AutoCloseable {
    final Sequential m;
    final Loss loss;
    final Tensor x;
    final Tensor y;
    final Tensor d;
    final int end;

    FixedBatch(Sequential m, Loss loss, Dataset data, int n) {
        this.m = m;
        this.loss = loss;
        Backend be = m.backend();
        m.reserve(n);
        end = loss.fusesSoftmax() ? m.logitsEnd() : m.layers().size();
        x = be.allocate(m.inputShape().withBatch(n), MemoryCategory.ACTIVATIONS);
        y = be.allocate(data.targetSize() == 1 ? Shape.of(n) : Shape.of(n, data.targetSize()),
            MemoryCategory.ACTIVATIONS);
        d = be.allocate(m.layers().get(end - 1).outputShape().withBatch(n), MemoryCategory.ACTIVATIONS);
        float[] hx = new float[(int) x.size()];
        float[] hy = new float[(int) y.size()];
        System.arraycopy(data.x(), 0, hx, 0, hx.length);
        System.arraycopy(data.y(), 0, hy, 0, hy.length);
        be.upload(hx, 0, x);
        be.upload(hy, 0, y);
    }

    /** Loss with the dropout masks of a fixed step (so repeated evaluations see the same network). */
    double loss() {
        for (Layer l : m.layers()) {
            l.setRngCounter(0);
        }
        return loss.compute(m.backend(), m.forward(x, true, end), y, d, 1f);
    }

    @Override
    public void close() {
        x.close();
        y.close();
        d.close();
    }
}
