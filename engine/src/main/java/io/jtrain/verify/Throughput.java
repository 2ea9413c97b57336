package io.jtrain.verify;

import io.jtrain.backend.Activation;
import io.jtrain.backend.Backend;
import io.jtrain.backend.BatchNormTensors;
import io.jtrain.backend.ConvSpec;
import io.jtrain.backend.OptimizerParams;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.OutOfMemoryException;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * One throughput line per op family at a training-sized shape (batch 64, cnn-bn's 32→32 3×3 convolution at
 * 28×28, a 512³ matrix product, a 1 M-parameter Adam step): the milliseconds per call on the device under
 * test and on the CPU, after a warm-up, with the device synchronised. Printed, never a failure: it tells the
 * first GPU session whether the GPU path is fast, not whether it is right.
 */
final class Throughput {
    private static final int GPU_REPEATS = 20;
    private static final int CPU_REPEATS = 2;
    private final Backend cpu;
    private final Backend gpu;
    private final Consumer<String> out;

    Throughput(Backend cpu, Backend gpu, Consumer<String> out) {
        this.cpu = cpu;
        this.gpu = gpu;
        this.out = out;
    }

    /** An op on one backend's tensors. */
    @FunctionalInterface
    private interface Op {
        void run(Backend be, Tensor[] t);
    }

    void run() {
        out.accept("throughput (ms per call after warm-up; printed only):");
        ConvSpec c3 = ConvSpec.square(3, 1, 1);
        int[] x = {64, 32, 28, 28};
        int[] w = {32, 32, 3, 3};
        int ws = (int) Math.max(cpu.conv2dWorkspaceElements(Shape.of(x), Shape.of(w), c3),
            gpu.conv2dWorkspaceElements(Shape.of(x), Shape.of(w), c3));
        time("matmul 512x512x512", new int[][] {{512, 512}, {512, 512}, {512, 512}},
            (be, t) -> be.matmul(t[0], false, t[1], false, t[2], 0f));
        time("conv 3x3 32->32 28x28 batch 64 forward", new int[][] {x, w, {32}, x, {ws}},
            (be, t) -> be.conv2dForward(t[0], t[1], t[2], t[3], c3, t[4]));
        time("conv 3x3 32->32 28x28 batch 64 backward", new int[][] {x, w, {32}, x, {ws}}, (be, t) -> {
            be.conv2dBackwardFilter(t[0], t[3], t[1], t[2], c3, t[4]);
            be.conv2dBackwardData(t[3], t[1], t[0], c3, t[4]);
        });
        int[] p = {32};
        time("batch norm 64x32x28x28 forward+backward", new int[][] {x, x, x, p, p, p, p, p, p, p, p}, (be, t) -> {
            BatchNormTensors bn = new BatchNormTensors(t[3], t[4], t[5], t[6], t[7], t[8], t[9], t[10]);
            be.batchNormForwardTraining(t[0], t[1], bn, 0.1f, 1e-5f);
            be.batchNormBackward(t[0], t[1], t[2], bn);
        });
        ConvSpec p2 = ConvSpec.square(2, 2, 0);
        int[] y = {64, 32, 14, 14};
        time("max pool 2x2 forward+backward", new int[][] {x, y, y, x}, (be, t) -> {
            be.maxPoolForward(t[0], t[1], p2);
            be.maxPoolBackward(t[0], t[1], t[2], t[3], p2);
        });
        time("relu forward+backward", new int[][] {x, x, x, x}, (be, t) -> {
            be.activationForward(Activation.of(Activation.Kind.RELU), t[0], t[1]);
            be.activationBackward(Activation.of(Activation.Kind.RELU), t[0], t[1], t[2], t[3]);
        });
        time("adam step 1M parameters", new int[][] {{1 << 20}, {1 << 20}, {1 << 20}, {1 << 20}},
            (be, t) -> be.adamStep(t[0], t[1], t[2], t[3], new OptimizerParams(1e-3f, 0.9f, 0.999f, 1e-8f, 0f, false,
                false, 3)));
    }

    private void time(String name, int[][] shapes, Op op) {
        try {
            double g = millis(gpu, shapes, op, GPU_REPEATS);
            double c = millis(cpu, shapes, op, CPU_REPEATS);
            out.accept(String.format(Locale.ROOT, "  %-48s gpu %8.3f ms, cpu %9.3f ms (%.1fx)", name, g, c, c / g));
        } catch (OutOfMemoryException e) {
            out.accept(String.format(Locale.ROOT, "  %-48s skipped (not enough memory)", name));
        }
    }

    private static double millis(Backend be, int[][] shapes, Op op, int repeats) {
        List<Tensor> ts = new ArrayList<>();
        try {
            for (int[] s : shapes) {
                Tensor t = be.allocate(Shape.of(s), MemoryCategory.ACTIVATIONS);
                be.fill(t, 0.25f);
                ts.add(t);
            }
            Tensor[] a = ts.toArray(new Tensor[0]);
            op.run(be, a);
            be.synchronize();
            long t0 = System.nanoTime();
            for (int i = 0; i < repeats; i++) {
                op.run(be, a);
            }
            be.synchronize();
            return (System.nanoTime() - t0) / 1e6 / repeats;
        } finally {
            ts.forEach(Tensor::close);
        }
    }
}
