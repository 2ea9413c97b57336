package io.jtrain.cli;

import io.jtrain.backend.Activation;
import io.jtrain.backend.Backend;
import io.jtrain.backend.ConvSpec;
import io.jtrain.backend.cpu.CpuBackend;
import io.jtrain.backend.cuda.CudaBackend;
import io.jtrain.data.DataLocator;
import io.jtrain.data.Dataset;
import io.jtrain.data.Normalization;
import io.jtrain.loss.Loss;
import io.jtrain.model.Presets;
import io.jtrain.nn.ModelSpec;
import io.jtrain.nn.Sequential;
import io.jtrain.optim.Optimizer;
import io.jtrain.optim.OptimizerConfig;
import io.jtrain.schedule.ScheduleConfig;
import io.jtrain.tensor.CpuMemoryPool;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import io.jtrain.train.TrainConfig;
import io.jtrain.train.TrainState;
import io.jtrain.train.Trainer;
import io.jtrain.train.TrainingListener;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jtrain selftest --device cuda}: every op forward and backward on the GPU against the CPU backend
 * (atol + |ref|·rtol), then 20 training steps of lenet5 and cnn-bn on both, comparing the losses, and the
 * host↔device copies of a training step. The one command the first machine with a GPU runs.
 */
@Command(name = "selftest", mixinStandardHelpOptions = true,
    description = "Compare the CUDA backend with the CPU backend, op by op and over 20 training steps.",
    footer = {"", "Examples:", "  jtrain selftest --device cuda", "  jtrain selftest --device cuda:1",
        "", "Exit codes: 0 all agree, 1 a mismatch (a bug), 7 no usable GPU."})
public final class SelftestCommand implements Callable<Integer> {
    /** Tolerances: ops (float32 on both sides) and the loss after 20 steps. */
    static final double ATOL = 1e-4;
    static final double RTOL = 1e-3;
    static final double LOSS_RTOL = 2e-2;

    @Option(names = "--device", paramLabel = "cuda[:N]", defaultValue = "cuda", description = "GPU to test.")
    String device;

    @Option(names = "--verbose", description = "Show stack traces.")
    boolean verbose;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private final List<String> failures = new ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Devices.Choice c = Devices.cuda(device, io.jtrain.backend.DeviceProbe.probe(), 0);
        try (Backend gpu = c.backend(); CpuBackend cpu = CpuBackend.create(new CpuMemoryPool(4L << 30), 1)) {
            out.println("selftest: " + gpu.description() + " against " + cpu.description());
            ops(cpu, gpu, out);
            training("lenet5", cpu, gpu, out);
            training("cnn-bn", cpu, gpu, out);
        }
        out.println(failures.isEmpty() ? "selftest passed" : "selftest FAILED:\n  " + String.join("\n  ", failures));
        return failures.isEmpty() ? ExitCodes.OK : ExitCodes.INTERNAL;
    }

    private void compare(String what, float[] ref, float[] got, PrintWriter out, double atol, double rtol) {
        double worst = 0;
        int bad = -1;
        for (int i = 0; i < ref.length; i++) {
            double d = Math.abs(got[i] - (double) ref[i]);
            worst = Math.max(worst, d);
            if (!(d <= atol + rtol * Math.abs(ref[i])) && bad < 0) {
                bad = i;
            }
        }
        String line = String.format(Locale.ROOT, "  %-28s max |diff| %.3g", what, worst);
        if (bad >= 0) {
            line += String.format(Locale.ROOT, "  MISMATCH at %d: gpu %s, cpu %s", bad, got[bad], ref[bad]);
            failures.add(what);
        }
        out.println(line);
    }

    /** Runs op on both backends with the same random inputs and compares the named output tensors. */
    private void op(String name, CpuBackend cpu, Backend gpu, int[][] shapes, int[] outputs,
                    BiFunction<Backend, Tensor[], Void> body, PrintWriter out) {
        SplittableRandom r = new SplittableRandom(name.hashCode());
        List<float[]> init = new ArrayList<>();
        for (int[] s : shapes) {
            float[] v = new float[(int) Shape.of(s).size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (r.nextDouble() * 2 - 1);
            }
            init.add(v);
        }
        float[][] res = new float[2][];
        List<float[]> cpuOut = new ArrayList<>();
        List<float[]> gpuOut = new ArrayList<>();
        for (Backend be : new Backend[] {cpu, gpu}) {
            Tensor[] ts = new Tensor[shapes.length];
            for (int i = 0; i < shapes.length; i++) {
                ts[i] = be.allocate(Shape.of(shapes[i]), MemoryCategory.ACTIVATIONS);
                be.upload(init.get(i), 0, ts[i]);
            }
            body.apply(be, ts);
            for (int o : outputs) {
                float[] a = new float[(int) ts[o].size()];
                be.download(ts[o], a, 0);
                (be == cpu ? cpuOut : gpuOut).add(a);
            }
            for (Tensor t : ts) {
                t.close();
            }
        }
        for (int i = 0; i < outputs.length; i++) {
            compare(name + " [" + outputs[i] + "]", cpuOut.get(i), gpuOut.get(i), out, ATOL, RTOL);
        }
        res[0] = null;
    }

    private void ops(CpuBackend cpu, Backend gpu, PrintWriter out) {
        out.println("ops (forward and backward):");
        op("matmul", cpu, gpu, new int[][] {{33, 65}, {65, 17}, {33, 17}}, new int[] {2},
            (be, t) -> { be.matmul(t[0], false, t[1], false, t[2], 0f); return null; }, out);
        op("matmul transposed", cpu, gpu, new int[][] {{65, 33}, {17, 65}, {33, 17}}, new int[] {2},
            (be, t) -> { be.matmul(t[0], true, t[1], true, t[2], 1f); return null; }, out);
        ConvSpec s = new ConvSpec(3, 3, 2, 1, 1, 1);
        int[] x = {3, 4, 9, 7};
        int[] w = {5, 4, 3, 3};
        int[] y = {3, 5, s.outH(9), s.outW(7)};
        int ws = (int) cpu.conv2dWorkspaceElements(Shape.of(x), Shape.of(w), s) * 4;
        op("conv2d forward", cpu, gpu, new int[][] {x, w, {5}, y, {ws}}, new int[] {3},
            (be, t) -> { be.conv2dForward(t[0], t[1], t[2], t[3], s, t[4]); return null; }, out);
        op("conv2d backward data", cpu, gpu, new int[][] {y, w, x, {ws}}, new int[] {2},
            (be, t) -> { be.conv2dBackwardData(t[0], t[1], t[2], s, t[3]); return null; }, out);
        op("conv2d backward filter", cpu, gpu, new int[][] {x, y, w, {5}, {ws}}, new int[] {2, 3},
            (be, t) -> { be.conv2dBackwardFilter(t[0], t[1], t[2], t[3], s, t[4]); return null; }, out);
        ConvSpec p = ConvSpec.square(2, 2, 0);
        op("max-pool fwd+bwd", cpu, gpu, new int[][] {{2, 3, 8, 6}, {2, 3, 4, 3}, {2, 3, 4, 3}, {2, 3, 8, 6}},
            new int[] {1, 3}, (be, t) -> {
                be.maxPoolForward(t[0], t[1], p);
                be.maxPoolBackward(t[0], t[1], t[2], t[3], p);
                return null;
            }, out);
        op("avg-pool fwd+bwd", cpu, gpu, new int[][] {{2, 3, 8, 6}, {2, 3, 4, 3}, {2, 3, 4, 3}, {2, 3, 8, 6}},
            new int[] {1, 3}, (be, t) -> {
                be.avgPoolForward(t[0], t[1], p);
                be.avgPoolBackward(t[2], t[3], p);
                return null;
            }, out);
        for (Activation.Kind k : Activation.Kind.values()) {
            op(k.id() + " fwd+bwd", cpu, gpu, new int[][] {{1000}, {1000}, {1000}, {1000}}, new int[] {1, 3},
                (be, t) -> {
                    be.activationForward(Activation.of(k), t[0], t[1]);
                    be.activationBackward(Activation.of(k), t[0], t[1], t[2], t[3]);
                    return null;
                }, out);
        }
        op("dropout", cpu, gpu, new int[][] {{999}, {999}, {999}}, new int[] {1, 2},
            (be, t) -> { be.dropoutForward(t[0], t[1], t[2], 0.3f, 42L); return null; }, out);
    }

    private void training(String preset, CpuBackend cpu, Backend gpu, PrintWriter out) {
        Dataset data = DataLocator.embedded().train().head(20 * 32);
        Normalization n = Normalization.fit(Normalization.Mode.GLOBAL, data);
        Dataset d = n.applyTo(data);
        double[][] losses = new double[2][];
        long[] copies = null;
        for (int b = 0; b < 2; b++) {
            Backend be = b == 0 ? cpu : gpu;
            List<Double> ls = new ArrayList<>();
            try (Sequential m = Sequential.build(new ModelSpec(Shape.of(1, 28, 28), Presets.get(preset).layers()))) {
                m.bind(be, 7);
                try (Optimizer o = new Optimizer(OptimizerConfig.adam(), be);
                     Trainer t = new Trainer(m, o, Loss.SOFTMAX_CROSS_ENTROPY, ScheduleConfig.constant(1e-3, 1).create(),
                         TrainConfig.basic(1, 32, 7), 1)) {
                    long[] before = be instanceof CudaBackend cb ? cb.copies() : null;
                    t.fit(d, null, new TrainState(), new TrainingListener() {
                        @Override
                        public void stepEnd(int epoch, int step, int steps, double loss, int samples) {
                            ls.add(loss);
                        }
                    });
                    if (before != null) {
                        long[] after = ((CudaBackend) be).copies();
                        copies = new long[] {after[0] - before[0], after[1] - before[1]};
                    }
                }
            }
            losses[b] = ls.stream().mapToDouble(Double::doubleValue).toArray();
        }
        float[] c = new float[losses[0].length];
        float[] g = new float[losses[1].length];
        for (int i = 0; i < c.length; i++) {
            c[i] = (float) losses[0][i];
            g[i] = (float) losses[1][i];
        }
        out.println(preset + ": 20 training steps");
        compare(preset + " running loss", c, g, out, 1e-3, LOSS_RTOL);
        if (copies != null) {
            out.println(String.format(Locale.ROOT, "  host-to-device copies: %d (expected 40: inputs and labels per "
                + "step); device-to-host: %d (expected 40: logits for accuracy and the loss per step, plus the "
                + "end-of-epoch bookkeeping)", copies[0], copies[1]));
            if (copies[0] != 40) {
                failures.add(preset + ": unexpected host-to-device copies (" + copies[0] + ")");
            }
        }
    }
}
