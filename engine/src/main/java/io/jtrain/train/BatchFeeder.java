package io.jtrain.train;

import io.jtrain.backend.Backend;
import io.jtrain.data.Augmentation;
import io.jtrain.data.Dataset;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * Gathers samples into reusable host staging arrays and uploads them into reusable device tensors:
 * no allocation per batch.
 */
final class BatchFeeder implements AutoCloseable {
    private final Backend be;
    private final Shape sample;
    private final int targetSize;
    private final Tensor xFull;
    private final Tensor yFull;
    private final float[] xHost;
    private final float[] yHost;
    private final float[] tmp;

    BatchFeeder(Backend be, Shape sample, int targetSize, int maxBatch) {
        this.be = be;
        this.sample = sample;
        this.targetSize = targetSize;
        Tensor x = be.allocate(sample.withBatch(maxBatch), MemoryCategory.ACTIVATIONS);
        try {
            yFull = be.allocate(targetSize == 1 ? Shape.of(maxBatch) : Shape.of(maxBatch, targetSize),
                MemoryCategory.ACTIVATIONS);
        } catch (RuntimeException e) {
            x.close();
            throw e;
        }
        xFull = x;
        xHost = new float[(int) (maxBatch * sample.size())];
        yHost = new float[maxBatch * targetSize];
        tmp = new float[(int) sample.size()];
    }

    /** Loads samples order[from, from+n) of {@code d}; returns {x, y} views of n samples. */
    Tensor[] load(Dataset d, int[] order, int from, int n, Augmentation aug, SplittableRandom rnd) {
        int ss = (int) sample.size();
        for (int i = 0; i < n; i++) {
            int idx = order == null ? from + i : order[from + i];
            System.arraycopy(d.x(), idx * ss, xHost, i * ss, ss);
            System.arraycopy(d.y(), idx * targetSize, yHost, i * targetSize, targetSize);
            if (aug != null && aug.enabled() && sample.rank() == 3) {
                aug.apply(xHost, i * ss, sample.dim(0), sample.dim(1), sample.dim(2), tmp, rnd);
            }
        }
        Tensor x = xFull.narrow(n);
        Tensor y = yFull.narrow(n);
        be.upload(xHost, 0, x);
        be.upload(yHost, 0, y);
        return new Tensor[] {x, y};
    }

    /** The targets of the last loaded batch, on the host. */
    float[] hostTargets() {
        return yHost;
    }

    @Override
    public void close() {
        xFull.close();
        yFull.close();
    }
}
