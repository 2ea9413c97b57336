package io.jtrain;

import io.jtrain.backend.cpu.CpuBackend;
import io.jtrain.ref.GradCheck;
import io.jtrain.tensor.CpuMemoryPool;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;

/** Small helpers for tests that talk to a backend directly. */
public final class TestBackends {
    private TestBackends() { }

    public static CpuBackend cpu() {
        return CpuBackend.create(new CpuMemoryPool(256L << 20), 1);
    }

    public static Tensor tensor(CpuBackend be, double[] v, int... dims) {
        Tensor t = be.allocate(Shape.of(dims), MemoryCategory.ACTIVATIONS);
        be.upload(GradCheck.toFloat(v), 0, t);
        return t;
    }

    public static float[] get(CpuBackend be, Tensor t) {
        float[] a = new float[(int) t.size()];
        be.download(t, a, 0);
        return a;
    }
}
