package io.jtrain.backend;

import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Runs every {@link Backend} op, forward and backward, on a reference backend (the CPU) and on a backend
 * under test (the GPU) with the same random inputs, and compares every output tensor and scalar within
 * {@code |got − ref| ≤ ATOL + RTOL·|ref|}. Shapes are small, odd and not multiples of any block size; convolutions
 * include stride 2, "same" padding, non-square inputs and 1×1 kernels; parameter gradients start non-zero so
 * that accumulation is checked. Used by {@code jtrain selftest} and by {@code --device auto}'s start-up check.
 */
public final class BackendComparison {
    /** Tolerances for float32 ops on both sides (documented in docs/gpu.md). */
    public static final double ATOL = 1e-4;
    public static final double RTOL = 1e-3;
    private final Backend ref;
    private final Backend test;
    private final List<Result> results = new ArrayList<>();

    /**
     * One compared output: its name, the largest difference and, if out of tolerance, where; {@code mismatch}
     * starts with "error: " when the op threw (the other ops still run) and {@code skipped} is set when the
     * case could not run for lack of device memory (not a failure).
     */
    public record Result(String name, double maxDiff, String mismatch, boolean skipped) {
        public Result(String name, double maxDiff, String mismatch) {
            this(name, maxDiff, mismatch, false);
        }

        public boolean ok() {
            return mismatch == null;
        }

        static Result error(String name, Throwable e) {
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst()
                .orElse("");
            return new Result(name, Double.NaN, "error: " + m);
        }

        static Result skipped(String name, String why) {
            return new Result(name, 0, null, true);
        }
    }

    /** An op's body: runs on one backend with the op's tensors and returns its scalar results (or none). */
    @FunctionalInterface
    interface Body {
        float[] run(Backend be, Tensor[] t);
    }

    private BackendComparison(Backend ref, Backend test) {
        this.ref = ref;
        this.test = test;
    }

    /** Compares every op; the list has one entry per compared output. */
    public static List<Result> run(Backend ref, Backend test) {
        BackendComparison c = new BackendComparison(ref, test);
        c.elementwise();
        c.matmul();
        c.convolutions();
        c.pooling();
        c.batchNorm();
        c.activations();
        c.losses();
        c.optimizers();
        c.edgeCases();
        c.statistics();
        return c.results;
    }

    /** Device-side statistics, gradient clipping and the loss accumulators (invalid and probability targets). */
    private void statistics() {
        op("tensor statistics", new int[][] {{10_007}, {8}}, new int[] {1}, (be, t) -> {
            float[] v = new float[10_007];
            for (int i = 0; i < v.length; i++) {
                v[i] = i % 97 == 0 ? Float.NaN : i % 13 == 0 ? 0f : (i % 31) / 7f - 2f;
            }
            be.upload(v, 0, t[0]);
            be.fill(t[1], 0f);
            be.reduceStats(t[0], t[1]);
            return none();
        });
        for (int[] shape : new int[][] {{5, 7, 3, 4}, {9, 6}}) {
            int units = shape[1];
            op("unit statistics " + Shape.of(shape), new int[][] {shape, {4 * units}}, new int[] {1}, (be, t) -> {
                be.unitStats(t[0], 0.5f, -0.5f, t[1]);
                return none();
            });
        }
        op("clip by global norm", new int[][] {{1001}, {37, 5}, {2}}, new int[] {0, 1, 2}, (be, t) -> {
            be.clipByGlobalNorm(List.of(t[0], t[1]), 2f, t[2]);
            return none();
        });
        int rows = 13;
        float[] labels = new float[rows];
        for (int i = 0; i < rows; i++) {
            labels[i] = i == 3 ? 10f : i == 7 ? 2.5f : i == 9 ? -1f : i % 10;
        }
        op("cross-entropy accumulator, 3 invalid labels", new int[][] {{rows, 10}, {rows}, {rows, 10}, {4}},
            new int[] {2, 3}, (be, t) -> {
                be.upload(labels, 0, t[1]);
                be.fill(t[3], 0f);
                be.softmaxCrossEntropy(t[0], t[1], t[2], 0.5f, t[3]);
                return none();
            });
        op("cross-entropy with probability targets", new int[][] {{rows, 4}, {rows, 4}, {rows, 4}, {4}},
            new int[] {2, 3}, (be, t) -> {
                float[] p = new float[rows * 4];
                for (int i = 0; i < p.length; i++) {
                    p[i] = (i % 4 == i / 4 % 4) ? 0.7f : 0.1f;
                }
                be.upload(p, 0, t[1]);
                be.fill(t[3], 0f);
                be.softmaxCrossEntropy(t[0], t[1], t[2], 1f, t[3]);
                return none();
            });
        op("bce and mse accumulators", new int[][] {{rows, 3}, {rows, 3}, {rows, 3}, {4}, {4}}, new int[] {2, 3, 4},
            (be, t) -> {
                float[] y = new float[rows * 3];
                for (int i = 0; i < y.length; i++) {
                    y[i] = i == 5 ? 1.5f : i % 2;
                }
                be.upload(y, 0, t[1]);
                be.fill(t[3], 0f);
                be.fill(t[4], 0f);
                be.binaryCrossEntropyWithLogits(t[0], t[1], t[2], 1f, t[3]);
                be.meanSquaredError(t[0], t[1], t[2], 1f, t[4]);
                return none();
            });
    }

    /** Ties and NaN, where implementations most often differ: the CPU's semantics are the reference. */
    private void edgeCases() {
        ConvSpec p = ConvSpec.square(2, 2, 0);
        int[] x = {2, 3, 8, 6};
        int[] y = {2, 3, 4, 3};
        op("max pool ties", new int[][] {x, y, y, x}, new int[] {1, 3}, (be, t) -> {
            float[] v = new float[(int) t[0].size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (i * 7 % 5) / 4f;
            }
            be.upload(v, 0, t[0]);
            be.maxPoolForward(t[0], t[1], p);
            be.maxPoolBackward(t[0], t[1], t[2], t[3], p);
            return none();
        });
        op("NaN through relu, max pool and softmax cross-entropy", new int[][] {x, x, x, x, y, y, x, {6, 12}, {6},
            {6, 12}}, new int[] {1, 3, 4, 6, 9}, (be, t) -> {
                float[] v = new float[(int) t[0].size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = i % 11 == 0 ? Float.NaN : (i % 5) - 2f;
                }
                be.upload(v, 0, t[0]);
                Activation relu = Activation.of(Activation.Kind.RELU);
                be.activationForward(relu, t[0], t[1]);
                be.activationBackward(relu, t[0], t[1], t[2], t[3]);
                be.maxPoolForward(t[0], t[4], p);
                be.maxPoolBackward(t[0], t[4], t[5], t[6], p);
                float[] labels = {0, 3, 11, 5, 7, 2};
                be.upload(labels, 0, t[8]);
                float[] logits = new float[72];
                for (int i = 0; i < logits.length; i++) {
                    logits[i] = i == 13 ? Float.NaN : (i % 7) / 3f;
                }
                be.upload(logits, 0, t[7]);
                return new float[] {be.softmaxCrossEntropy(t[7], t[8], t[9], 1f / 6)};
            });
    }

    private static float[] none() {
        return new float[0];
    }

    private void elementwise() {
        int[] v = {1001};
        op("fill", new int[][] {v}, new int[] {0}, (be, t) -> { be.fill(t[0], 0.37f); return none(); });
        op("copy", new int[][] {v, v}, new int[] {1}, (be, t) -> { be.copy(t[0], t[1]); return none(); });
        op("axpy", new int[][] {v, v}, new int[] {1}, (be, t) -> { be.axpy(-0.7f, t[0], t[1]); return none(); });
        op("scale", new int[][] {v}, new int[] {0}, (be, t) -> { be.scale(t[0], 1.9f); return none(); });
        op("multiply", new int[][] {v, v, v}, new int[] {2}, (be, t) -> { be.multiply(t[0], t[1], t[2]); return none(); });
        op("clamp", new int[][] {v}, new int[] {0}, (be, t) -> { be.clamp(t[0], -0.3f, 0.5f); return none(); });
        op("sum of squares", new int[][] {{100_003}}, new int[0],
            (be, t) -> new float[] {(float) be.sumSquares(t[0])});
        op("row bias", new int[][] {{37, 19}, {19}}, new int[] {0}, (be, t) -> { be.addRowBias(t[0], t[1]); return none(); });
        op("row bias gradient", new int[][] {{37, 19}, {19}}, new int[] {1},
            (be, t) -> { be.rowBiasGrad(t[0], t[1]); return none(); });
    }

    private void matmul() {
        for (int ta = 0; ta < 2; ta++) {
            for (int tb = 0; tb < 2; tb++) {
                boolean a = ta == 1;
                boolean b = tb == 1;
                int[] as = a ? new int[] {65, 33} : new int[] {33, 65};
                int[] bs = b ? new int[] {17, 65} : new int[] {65, 17};
                float beta = ta == tb ? 0f : 1f;
                op("matmul" + (a ? " Aᵀ" : "") + (b ? " Bᵀ" : "") + " beta " + (int) beta, new int[][] {as, bs, {33, 17}},
                    new int[] {2}, (be, t) -> { be.matmul(t[0], a, t[1], b, t[2], beta); return none(); });
            }
        }
    }

    private void convolutions() {
        conv("3x3 stride 2x1 pad 1", new int[] {3, 4, 9, 7}, 5, new ConvSpec(3, 3, 2, 1, 1, 1), true);
        conv("5x5 same", new int[] {2, 3, 11, 8}, 6, ConvSpec.square(5, 1, 2), false);
        conv("1x1", new int[] {4, 7, 5, 5}, 3, ConvSpec.square(1, 1, 0), true);
        conv("2x3 stride 2", new int[] {2, 1, 28, 28}, 4, new ConvSpec(2, 3, 2, 2, 0, 1), true);
    }

    private void conv(String name, int[] x, int k, ConvSpec s, boolean bias) {
        int[] w = {k, x[1], s.kh(), s.kw()};
        int[] y = {x[0], k, s.outH(x[2]), s.outW(x[3])};
        int[] b = {k};
        int wsRef = (int) ref.conv2dWorkspaceElements(Shape.of(x), Shape.of(w), s);
        int wsTest = (int) test.conv2dWorkspaceElements(Shape.of(x), Shape.of(w), s);
        int[] ws = {Math.max(wsRef, wsTest)};
        op("conv " + name + " forward", new int[][] {x, w, b, y, ws}, new int[] {3},
            (be, t) -> { be.conv2dForward(t[0], t[1], bias ? t[2] : null, t[3], s, t[4]); return none(); });
        op("conv " + name + " backward data", new int[][] {y, w, x, ws}, new int[] {2},
            (be, t) -> { be.conv2dBackwardData(t[0], t[1], t[2], s, t[3]); return none(); });
        op("conv " + name + " backward filter", new int[][] {x, y, w, b, ws}, bias ? new int[] {2, 3} : new int[] {2},
            (be, t) -> { be.conv2dBackwardFilter(t[0], t[1], t[2], bias ? t[3] : null, s, t[4]); return none(); });
    }

    private void pooling() {
        for (ConvSpec p : new ConvSpec[] {ConvSpec.square(2, 2, 0), ConvSpec.square(3, 2, 1)}) {
            int[] x = {2, 3, 9, 6};
            int[] y = {2, 3, p.outH(9), p.outW(6)};
            op("max pool " + p.kh() + "x" + p.kw() + " pad " + p.ph(), new int[][] {x, y, y, x}, new int[] {1, 3},
                (be, t) -> {
                    be.maxPoolForward(t[0], t[1], p);
                    be.maxPoolBackward(t[0], t[1], t[2], t[3], p);
                    return none();
                });
            op("avg pool " + p.kh() + "x" + p.kw() + " pad " + p.ph(), new int[][] {x, y, y, x}, new int[] {1, 3},
                (be, t) -> {
                    be.avgPoolForward(t[0], t[1], p);
                    be.avgPoolBackward(t[2], t[3], p);
                    return none();
                });
        }
    }

    private void batchNorm() {
        for (int[] x : new int[][] {{5, 3, 7, 6}, {37, 11}}) {
            int c = x[1];
            String n = "batch norm " + Shape.of(x);
            int[] p = {c};
            // t: 0 x, 1 y, 2 dy, 3 dx, 4 gamma, 5 beta, 6 dGamma, 7 dBeta, 8 runMean, 9 runVar, 10 mean, 11 invStd, 12 yInf
            int[][] shapes = {x, x, x, x, p, p, p, p, p, p, p, p, x};
            op(n + " train+backward", shapes, new int[] {1, 3, 6, 7, 8, 9, 10, 11}, (be, t) -> {
                float[] var = new float[c];
                java.util.Arrays.fill(var, 0.8f);
                be.upload(var, 0, t[9]);
                BatchNormTensors bn = new BatchNormTensors(t[4], t[5], t[6], t[7], t[8], t[9], t[10], t[11]);
                be.batchNormForwardTraining(t[0], t[1], bn, 0.1f, 1e-5f);
                be.batchNormBackward(t[0], t[2], t[3], bn);
                return none();
            });
            op(n + " inference", shapes, new int[] {12}, (be, t) -> {
                float[] var = new float[c];
                java.util.Arrays.fill(var, 1.3f);
                be.upload(var, 0, t[9]);
                BatchNormTensors bn = new BatchNormTensors(t[4], t[5], t[6], t[7], t[8], t[9], t[10], t[11]);
                be.batchNormForwardInference(t[0], t[12], bn, 1e-3f);
                return none();
            });
        }
    }

    private void activations() {
        for (Activation.Kind k : Activation.Kind.values()) {
            int[] v = {3, 5, 7, 11};
            op(k.id() + " forward+backward", new int[][] {v, v, v, v}, new int[] {1, 3}, (be, t) -> {
                be.activationForward(Activation.of(k), t[0], t[1]);
                be.activationBackward(Activation.of(k), t[0], t[1], t[2], t[3]);
                return none();
            });
        }
        op("softmax rows forward+backward", new int[][] {{13, 10}, {13, 10}, {13, 10}, {13, 10}}, new int[] {1, 3},
            (be, t) -> {
                be.softmaxRows(t[0], t[1]);
                be.softmaxRowsBackward(t[1], t[2], t[3]);
                return none();
            });
        op("dropout", new int[][] {{999}, {999}, {999}}, new int[] {1, 2},
            (be, t) -> { be.dropoutForward(t[0], t[1], t[2], 0.3f, 42L); return none(); });
    }

    private void losses() {
        int rows = 29;
        int classes = 10;
        float[] labels = new float[rows];
        float[] binary = new float[rows * 3];
        for (int i = 0; i < rows; i++) {
            labels[i] = (i * 7) % classes;
        }
        for (int i = 0; i < binary.length; i++) {
            binary[i] = i % 3 == 0 ? 1f : 0f;
        }
        op("softmax cross-entropy", new int[][] {{rows, classes}, {rows}, {rows, classes}}, new int[] {2}, (be, t) -> {
            be.upload(labels, 0, t[1]);
            return new float[] {be.softmaxCrossEntropy(t[0], t[1], t[2], 1f / rows)};
        });
        op("binary cross-entropy", new int[][] {{rows, 3}, {rows, 3}, {rows, 3}}, new int[] {2}, (be, t) -> {
            be.upload(binary, 0, t[1]);
            return new float[] {be.binaryCrossEntropyWithLogits(t[0], t[1], t[2], 0.5f)};
        });
        op("mean squared error", new int[][] {{rows, 3}, {rows, 3}, {rows, 3}}, new int[] {2},
            (be, t) -> new float[] {be.meanSquaredError(t[0], t[1], t[2], 2f)});
    }

    private void optimizers() {
        int[] v = {1003};
        OptimizerParams[] sgd = {
            new OptimizerParams(0.1f, 0.9f, 0f, 0f, 1e-3f, false, false, 1),
            new OptimizerParams(0.1f, 0.9f, 0f, 0f, 0f, false, true, 2)};
        for (OptimizerParams p : sgd) {
            op("sgd momentum" + (p.nesterov() ? " nesterov" : "") + " step " + p.step(), new int[][] {v, v, v},
                new int[] {0, 2}, (be, t) -> { be.sgdStep(t[0], t[1], t[2], p); return none(); });
        }
        for (boolean decoupled : new boolean[] {false, true}) {
            op(decoupled ? "adamw 2 steps" : "adam 2 steps", new int[][] {v, v, v, v}, new int[] {0, 2, 3}, (be, t) -> {
                be.fill(t[2], 0f);
                be.fill(t[3], 0f);
                for (int s = 1; s <= 2; s++) {
                    be.adamStep(t[0], t[1], t[2], t[3], new OptimizerParams(1e-2f, 0.9f, 0.999f, 1e-8f, 1e-2f,
                        decoupled, false, s));
                }
                return none();
            });
        }
        op("rmsprop 2 steps", new int[][] {v, v, v}, new int[] {0, 2}, (be, t) -> {
            be.fill(t[2], 0f);
            for (int s = 1; s <= 2; s++) {
                be.rmspropStep(t[0], t[1], t[2], new OptimizerParams(1e-2f, 0f, 0.9f, 1e-7f, 0f, false, false, s));
            }
            return none();
        });
    }

    private void op(String name, int[][] shapes, int[] outputs, Body body) {
        SplittableRandom r = new SplittableRandom(name.hashCode());
        List<float[]> init = new ArrayList<>();
        for (int[] s : shapes) {
            float[] v = new float[(int) Shape.of(s).size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (r.nextDouble() * 2 - 1);
            }
            init.add(v);
        }
        List<float[]> refOut;
        List<float[]> testOut;
        try {
            refOut = execute(ref, shapes, init, outputs, body);
        } catch (RuntimeException e) {
            results.add(Result.error(name + " (on the reference backend)", e));
            return;
        }
        try {
            testOut = execute(test, shapes, init, outputs, body);
        } catch (io.jtrain.tensor.OutOfMemoryException e) {
            results.add(Result.skipped(name, e.getMessage()));
            return;
        } catch (RuntimeException e) {
            results.add(Result.error(name, e));
            return;
        }
        for (int i = 0; i < refOut.size(); i++) {
            String what = i < outputs.length ? name + " [" + outputs[i] + "]" : name + " (scalar)";
            results.add(compare(what, refOut.get(i), testOut.get(i)));
        }
    }

    private static List<float[]> execute(Backend be, int[][] shapes, List<float[]> init, int[] outputs, Body body) {
        Tensor[] ts = new Tensor[shapes.length];
        try {
            for (int i = 0; i < shapes.length; i++) {
                ts[i] = be.allocate(Shape.of(shapes[i]), MemoryCategory.ACTIVATIONS);
                be.upload(init.get(i), 0, ts[i]);
            }
            float[] scalars = body.run(be, ts);
            List<float[]> out = new ArrayList<>();
            for (int o : outputs) {
                float[] a = new float[(int) ts[o].size()];
                be.download(ts[o], a, 0);
                out.add(a);
            }
            if (scalars.length > 0) {
                out.add(scalars);
            }
            return out;
        } finally {
            for (Tensor t : ts) {
                if (t != null) {
                    t.close();
                }
            }
        }
    }

    /**
     * Largest |got − ref| and the first element out of tolerance, if any. NaN agrees only with NaN (the
     * backends must propagate or drop NaN alike); a NaN on one side only is out of tolerance.
     */
    public static Result compare(String what, float[] expected, float[] got) {
        double worst = 0;
        String bad = null;
        for (int i = 0; i < expected.length; i++) {
            if (Float.isNaN(expected[i]) && Float.isNaN(got[i])) {
                continue;
            }
            double d = Math.abs(got[i] - (double) expected[i]);
            worst = Math.max(worst, Double.isNaN(d) ? Double.POSITIVE_INFINITY : d);
            if (!(d <= ATOL + RTOL * Math.abs(expected[i])) && bad == null) {
                bad = "element " + i + ": got " + got[i] + ", expected " + expected[i];
            }
        }
        return new Result(what, worst, bad);
    }
}
