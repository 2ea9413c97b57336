package io.jtrain.bench;

import io.jtrain.backend.ConvSpec;
import io.jtrain.backend.cpu.CpuBackend;
import io.jtrain.tensor.CpuMemoryPool;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.Locale;

/**
 * Benchmark harness (not a test; run by scripts/bench-kernels.sh): GFLOP/s of conv2d forward,
 * backward-data and backward-filter at the shapes of LeNet-5 and of a small VGG-style CIFAR-10 network
 * (batch 128), next to OpenBLAS's own GEMM on the equivalent im2col matrix shapes, measured side by side
 * in one run. The ratio says how much of OpenBLAS's speed the whole op (im2col, GEMM, col2im, copies)
 * keeps.
 */
public final class KernelBench {
    record Case(String name, int n, int c, int h, int k, int kernel, int pad) { }

    static final Case[] CASES = {
        new Case("lenet5 conv1 1->6 5x5 28x28", 128, 1, 28, 6, 5, 2),
        new Case("lenet5 conv2 6->16 5x5 14x14", 128, 6, 14, 16, 5, 0),
        new Case("vgg conv 3->32 3x3 32x32", 128, 3, 32, 32, 3, 1),
        new Case("vgg conv 32->32 3x3 32x32", 128, 32, 32, 32, 3, 1),
        new Case("vgg conv 64->64 3x3 16x16", 128, 64, 16, 64, 3, 1),
        new Case("vgg conv 128->128 3x3 8x8", 128, 128, 8, 128, 3, 1),
    };

    private KernelBench() { }

    public static void main(String[] args) {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : Runtime.getRuntime().availableProcessors();
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 1.0;
        try (CpuBackend be = CpuBackend.create(new CpuMemoryPool(4L << 30), threads)) {
            System.out.println("# " + be.description());
            System.out.printf(Locale.ROOT, "%-32s %-9s %9s %11s %9s%n", "shape", "op", "GFLOP/s", "GEMM GFLOP/s",
                "ratio");
            for (Case c : CASES) {
                run(be, c, seconds);
            }
        }
    }

    private static void run(CpuBackend be, Case c, double seconds) {
        ConvSpec s = ConvSpec.square(c.kernel, 1, c.pad);
        int oh = s.outH(c.h);
        Shape xs = Shape.of(c.n, c.c, c.h, c.h);
        Shape wsh = Shape.of(c.k, c.c, c.kernel, c.kernel);
        long ckk = (long) c.c * c.kernel * c.kernel;
        long cols = (long) c.n * oh * oh;
        double flops = 2.0 * c.k * ckk * cols;
        try (Tensor x = fill(be, xs); Tensor w = fill(be, wsh); Tensor b = fill(be, Shape.of(c.k));
             Tensor y = fill(be, Shape.of(c.n, c.k, oh, oh));
             Tensor ws = be.allocate(Shape.of((int) be.conv2dWorkspaceElements(xs, wsh, s)), MemoryCategory.WORKSPACE);
             Tensor dw = fill(be, wsh); Tensor db = fill(be, Shape.of(c.k));
             Tensor a = fill(be, Shape.of(c.k, (int) ckk)); Tensor col = fill(be, Shape.of((int) ckk, (int) cols));
             Tensor out = fill(be, Shape.of(c.k, (int) cols)); Tensor dcol = fill(be, Shape.of((int) ckk, (int) cols))) {
            double fwd = rate(flops, seconds, () -> be.conv2dForward(x, w, b, y, s, ws));
            double gf = rate(flops, seconds, () -> be.matmul(a, false, col, false, out, 0f));
            print(c.name, "forward", fwd, gf);
            double bd = rate(flops, seconds, () -> be.conv2dBackwardData(y, w, x, s, ws));
            double gd = rate(flops, seconds, () -> be.matmul(a, true, out, false, dcol, 0f));
            print(c.name, "bwd-data", bd, gd);
            double bf = rate(flops, seconds, () -> be.conv2dBackwardFilter(x, y, dw, db, s, ws));
            double gw = rate(flops, seconds, () -> be.matmul(out, false, col, true, a, 1f));
            print(c.name, "bwd-filt", bf, gw);
        }
    }

    private static void print(String name, String op, double ours, double gemm) {
        System.out.printf(Locale.ROOT, "%-32s %-9s %9.1f %11.1f %9.2f%n", name, op, ours / 1e9, gemm / 1e9,
            ours / gemm);
    }

    private static Tensor fill(CpuBackend be, Shape s) {
        Tensor t = be.allocate(s, MemoryCategory.ACTIVATIONS);
        float[] v = new float[(int) s.size()];
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian() * 0.1f;
        }
        be.upload(v, 0, t);
        return t;
    }

    /** FLOP/s of {@code op}, after a warm-up, over at least {@code seconds}. */
    private static double rate(double flops, double seconds, Runnable op) {
        long end = System.nanoTime() + (long) (0.3e9);
        while (System.nanoTime() < end) {
            op.run();
        }
        int reps = 0;
        long t0 = System.nanoTime();
        do {
            op.run();
            reps++;
        } while (System.nanoTime() - t0 < seconds * 1e9);
        return flops * reps / ((System.nanoTime() - t0) / 1e9);
    }
}
