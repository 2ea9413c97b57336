package io.jtrain.train;

import io.jtrain.backend.Backend;
import io.jtrain.backend.HostBuffer;
import io.jtrain.data.Augmentation;
import io.jtrain.data.Dataset;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.SplittableRandom;

/**
 * Gathers samples into the backend's staging memory (page-locked on a GPU; through a reusable host array when
 * they are augmented) and uploads that into reusable device tensors: two uploads per batch, asynchronous on a GPU, and no
 * allocation per batch. Before the staging memory is rewritten, the previous batch's uploads must have
 * finished ({@link Backend#awaitCopies}: free when a blocking read has happened since, as in every training
 * step).
 */
final class BatchFeeder implements AutoCloseable {
    private final Backend be;
    private final Shape sample;
    private final int targetSize;
    private final Tensor xFull;
    private final Tensor yFull;
    private final HostBuffer xStage;
    private final HostBuffer yStage;
    private final float[] xHost;
    private final float[] yHost;
    private final float[] tmp;
    private final int[] rows;

    BatchFeeder(Backend be, Shape sample, int targetSize, int maxBatch) {
        this.be = be;
        this.sample = sample;
        this.targetSize = targetSize;
        Tensor x = null;
        Tensor y = null;
        HostBuffer xs = null;
        try {
            x = be.allocate(sample.withBatch(maxBatch), MemoryCategory.ACTIVATIONS);
            y = be.allocate(targetSize == 1 ? Shape.of(maxBatch) : Shape.of(maxBatch, targetSize),
                MemoryCategory.ACTIVATIONS);
            xs = be.allocateHost(maxBatch * sample.size());
            yStage = be.allocateHost((long) maxBatch * targetSize);
        } catch (RuntimeException e) {
            for (AutoCloseable c : new AutoCloseable[] {x, y, xs}) {
                closeQuietly(c);
            }
            throw e;
        }
        xFull = x;
        yFull = y;
        xStage = xs;
        xHost = new float[(int) (maxBatch * sample.size())];
        yHost = new float[maxBatch * targetSize];
        tmp = new float[(int) sample.size()];
        rows = new int[maxBatch];
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (Exception e) {
            // releasing after a failed allocation; the first error is what matters
        }
    }

    /**
     * Loads samples order[from, from+n) of {@code d}; returns {x, y} views of n samples. Where the backend's tensors
     * are host memory (the CPU: {@link Backend#mapped}) the samples are gathered straight into x, with no staging
     * copy.
     */
    Tensor[] load(Dataset d, int[] order, int from, int n, Augmentation aug, SplittableRandom rnd) {
        int ss = (int) sample.size();
        boolean augment = aug != null && aug.enabled() && sample.rank() == 3;
        Tensor x = xFull.narrow(n);
        Tensor y = yFull.narrow(n);
        HostBuffer direct = be.mapped(x);
        be.awaitCopies(xStage);
        be.awaitCopies(yStage);
        java.nio.FloatBuffer stage = direct != null ? direct.floats() : xStage.floats();
        for (int i = 0; i < n; i++) {
            int idx = order == null ? from + i : order[from + i];
            rows[i] = idx;
            System.arraycopy(d.y(), idx * targetSize, yHost, i * targetSize, targetSize);
            if (augment) {
                System.arraycopy(d.x(), idx * ss, xHost, i * ss, ss);
                aug.apply(xHost, i * ss, sample.dim(0), sample.dim(1), sample.dim(2), tmp, rnd);
            } else {
                stage.put(i * ss, d.x(), idx * ss, ss); // straight into the staging memory (or x itself)
            }
        }
        if (augment) {
            stage.put(0, xHost, 0, n * ss);
        }
        if (direct == null) {
            be.upload(xStage, 0, x);
        }
        yStage.floats().put(0, yHost, 0, n * targetSize);
        be.upload(yStage, 0, y);
        return new Tensor[] {x, y};
    }

    /** The targets of the last loaded batch, on the host. */
    float[] hostTargets() {
        return yHost;
    }

    /** The data-set indices of the last loaded batch's rows. */
    int[] rows() {
        return rows;
    }

    @Override
    public void close() {
        xFull.close();
        yFull.close();
        xStage.close();
        yStage.close();
    }
}
