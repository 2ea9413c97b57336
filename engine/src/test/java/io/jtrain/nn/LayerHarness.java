package io.jtrain.nn;

import io.jtrain.backend.Backend;
import io.jtrain.backend.cpu.CpuBackend;
import io.jtrain.ref.GradCheck;
import io.jtrain.tensor.CpuMemoryPool;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.List;
import java.util.SplittableRandom;

/** Runs one layer on a backend with host arrays in and out, for tests. */
public final class LayerHarness implements AutoCloseable {
    public final Backend be;
    public final Layer layer;
    private final int batch;
    private Tensor x;
    private Tensor dy;

    public LayerHarness(Backend be, LayerSpec spec, Shape in, int batch) {
        this.be = be;
        this.batch = batch;
        this.layer = LayerFactory.create(1, spec, in);
        layer.bind(be, 42);
        layer.reserve(batch, true);
        long ws = layer.workspaceElements(batch);
        if (ws > 0) {
            layer.setWorkspace(be.allocate(Shape.of((int) ws), MemoryCategory.WORKSPACE));
        }
    }

    public static LayerHarness cpu(LayerSpec spec, Shape in, int batch) {
        return new LayerHarness(CpuBackend.create(new CpuMemoryPool(256L << 20), 1), spec, in, batch);
    }

    public List<Parameter> params() {
        return layer.parameters();
    }

    public void setParam(int i, double[] v) {
        be.upload(GradCheck.toFloat(v), 0, params().get(i).value());
    }

    public double[] param(int i) {
        return GradCheck.toDouble(download(params().get(i).value()));
    }

    public float[] grad(int i) {
        return download(params().get(i).grad());
    }

    public float[] forward(double[] xv, boolean training) {
        if (x == null) {
            x = be.allocate(layer.inputShape().withBatch(batch), MemoryCategory.ACTIVATIONS);
            dy = be.allocate(layer.outputShape().withBatch(batch), MemoryCategory.ACTIVATIONS);
        }
        be.upload(GradCheck.toFloat(xv), 0, x);
        return download(layer.forward(x, training));
    }

    public float[] backward(double[] g) {
        be.upload(GradCheck.toFloat(g), 0, dy);
        return download(layer.backward(dy));
    }

    public float[] download(Tensor t) {
        float[] a = new float[(int) t.size()];
        be.download(t, a, 0);
        return a;
    }

    /** Random values rounded to float, so the reference sees exactly what the backend sees. */
    public static double[] random(int n, long seed, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        return v;
    }

    /** Random values at least {@code gap} away from 0 (for kinks such as ReLU). */
    public static double[] awayFromZero(int n, long seed, double gap) {
        double[] v = random(n, seed, 1);
        for (int i = 0; i < n; i++) {
            v[i] = (float) (Math.signum(v[i] == 0 ? 1 : v[i]) * (gap + Math.abs(v[i])));
        }
        return v;
    }

    /** A random permutation of distinct values spaced 0.01 apart (no ties for max-pooling). */
    public static double[] distinct(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((i - n / 2.0) * 0.01);
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            double t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
        return v;
    }

    @Override
    public void close() {
        layer.close();
        if (x != null) {
            x.close();
            dy.close();
        }
        be.close();
    }
}
