package io.jtrain.verify;

import io.jtrain.backend.Activation;
import io.jtrain.backend.Backend;
import io.jtrain.backend.BackendComparison;
import io.jtrain.backend.GpuOptions;
import io.jtrain.backend.cuda.CudaBackend;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.OutOfMemoryException;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The self-test's cases that need a whole device: element-wise ops, a broadcast bias, an activation and a
 * sum of squares on a tensor of more than 2^31 elements (the 64-bit index paths; 8 GiB, skipped when it does
 * not fit), and a real out-of-memory (an allocation larger than the device) followed by an op that must
 * still work in the same context.
 */
final class GpuEdgeCases {
    /** Rows of 1024: 2^21 + 1 rows is 2^31 + 1024 elements. */
    private static final int ROWS = (1 << 21) + 1;
    private static final int COLS = 1024;
    private final GpuSelfTest.Opener opener;
    private final Consumer<String> out;

    GpuEdgeCases(GpuSelfTest.Opener opener, Consumer<String> out) {
        this.opener = opener;
        this.out = out;
    }

    List<BackendComparison.Result> run(GpuOptions options) {
        List<BackendComparison.Result> rs = new ArrayList<>();
        out.accept("edge cases:");
        try (Backend be = opener.open(options, 0).backend()) {
            rs.addAll(large(be));
        } catch (RuntimeException e) {
            rs.add(new BackendComparison.Result("more than 2^31 elements", Double.NaN,
                "error: " + GpuSelfTest.firstLine(e)));
        }
        rs.add(outOfMemoryThenWorking(options));
        return rs;
    }

    private List<BackendComparison.Result> large(Backend be) {
        String name = "more than 2^31 elements (" + ((long) ROWS * COLS) + ")";
        Tensor x;
        try {
            x = be.allocate(Shape.of(ROWS, COLS), MemoryCategory.ACTIVATIONS);
        } catch (OutOfMemoryException e) {
            return List.of(new BackendComparison.Result(name, 0, null, true));
        }
        try (x; Tensor b = be.allocate(Shape.of(COLS), MemoryCategory.ACTIVATIONS)) {
            float[] bias = new float[COLS];
            for (int j = 0; j < COLS; j++) {
                bias[j] = j % 7 - 3;
            }
            be.upload(bias, 0, b);
            be.fill(x, 1.5f);
            be.scale(x, 2f);
            be.axpy(0.5f, x, x);
            be.addRowBias(x, b);
            be.activationForward(Activation.of(Activation.Kind.RELU), x, x);
            float[] expect = new float[COLS];
            double sq = 0;
            for (int j = 0; j < COLS; j++) {
                expect[j] = Math.max(0f, 4.5f + bias[j]);
                sq += (double) expect[j] * expect[j];
            }
            float[] last = new float[COLS];
            be.download(x.slice(ROWS - 1, 1), last, 0);
            List<BackendComparison.Result> rs = new ArrayList<>();
            rs.add(BackendComparison.compare(name + ": fill, scale, axpy, row bias, relu (last row)", expect, last));
            double got = be.sumSquares(x);
            double want = sq * ROWS;
            double rel = Math.abs(got - want) / want;
            rs.add(new BackendComparison.Result(name + ": sum of squares (relative)", rel, rel < 1e-3 ? null
                : "got " + got + ", expected " + want));
            return rs;
        }
    }

    private BackendComparison.Result outOfMemoryThenWorking(GpuOptions options) {
        String name = "a real out-of-memory, then a working context";
        try (Backend be = opener.open(options, Long.MAX_VALUE / 4).backend()) {
            long total = be instanceof CudaBackend cb ? cb.deviceInfo().totalBytes() : 0;
            if (total <= 0) {
                return new BackendComparison.Result(name, 0, null, true);
            }
            long floats = (total + (1L << 30)) / 4;
            try (Tensor huge = be.allocate(Shape.of((int) (floats / COLS + 1), COLS), MemoryCategory.ACTIVATIONS)) {
                return new BackendComparison.Result(name, Double.NaN, "an allocation of " + 4 * floats
                    + " bytes, more than the device's " + total + ", succeeded");
            } catch (OutOfMemoryException e) {
                out.accept("  out of memory as expected: " + e.getMessage());
            }
            try (Tensor small = be.allocate(Shape.of(4097), MemoryCategory.ACTIVATIONS)) {
                be.fill(small, 0.75f);
                be.scale(small, 2f);
                float[] h = new float[4097];
                be.download(small, h, 0);
                float[] want = new float[4097];
                java.util.Arrays.fill(want, 1.5f);
                BackendComparison.Result r = BackendComparison.compare(name, want, h);
                return r;
            }
        } catch (RuntimeException e) {
            return new BackendComparison.Result(name, Double.NaN, "error: " + GpuSelfTest.firstLine(e));
        }
    }
}
