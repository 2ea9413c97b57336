package io.jtrain.cli;

import io.jtrain.backend.Backend;
import io.jtrain.backend.BackendComparison;
import io.jtrain.backend.DeviceProbe;
import io.jtrain.backend.GpuOptions;
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
import io.jtrain.tensor.Shape;
import io.jtrain.train.TrainConfig;
import io.jtrain.train.TrainState;
import io.jtrain.train.Trainer;
import io.jtrain.train.TrainingListener;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jtrain selftest --device cuda}: every op forward and backward on the GPU against the CPU backend
 * ({@link BackendComparison}), then 20 training steps of lenet5 and cnn-bn on both, comparing the losses,
 * and the host↔device copies of a training step — once with cuDNN (when its checks pass) and once with
 * jtrain's own kernels only; with cuDNN, also two deterministic runs that must agree bit for bit. The one
 * command the first machine with a GPU runs.
 */
@Command(name = "selftest", mixinStandardHelpOptions = true,
    description = "Compare the CUDA backend with the CPU backend, op by op and over 20 training steps, with cuDNN "
        + "and with jtrain's own kernels.",
    footer = {"", "Examples:", "  jtrain selftest --device cuda", "  jtrain selftest --device cuda:1 --cudnn off",
        "", "Exit codes: 0 all agree, 1 a mismatch (a bug), 7 no usable GPU."})
public final class SelftestCommand implements Callable<Integer> {
    /** Relative tolerance of the running loss after each of 20 steps (float32 sums in another order). */
    static final double LOSS_RTOL = 2e-2;

    @Option(names = "--device", paramLabel = "cuda[:N]", defaultValue = "cuda", description = "GPU to test.")
    String device;

    @Option(names = "--cudnn", paramLabel = "auto|off", defaultValue = "auto",
        description = "auto: test with cuDNN (if usable) and without; off: only jtrain's own kernels.")
    String cudnn;

    @Option(names = "--verbose", description = "Show stack traces.")
    boolean verbose;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private final List<String> failures = new ArrayList<>();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        GpuOptions requested = GpuOptions.of(cudnn, false);
        DeviceProbe.Result probe = DeviceProbe.probe();
        try (CpuBackend cpu = CpuBackend.create(new CpuMemoryPool(4L << 30), 1)) {
            if (requested.cudnnAllowed()) {
                boolean used = mode("with cuDNN", new GpuOptions(true, false), probe, cpu, out);
                if (used) {
                    deterministic(probe, out);
                }
            }
            mode("jtrain kernels only (--cudnn off)", new GpuOptions(false, false), probe, cpu, out);
        }
        out.println(failures.isEmpty() ? "selftest passed" : "selftest FAILED:\n  " + String.join("\n  ", failures));
        return failures.isEmpty() ? ExitCodes.OK : ExitCodes.INTERNAL;
    }

    /** One configuration: ops, then both training runs. Returns false when cuDNN was asked for but is not used. */
    private boolean mode(String title, GpuOptions opts, DeviceProbe.Result probe, CpuBackend cpu, PrintWriter out) {
        Devices.Choice c = Devices.cuda(device, probe, 0, opts);
        try (Backend gpu = c.backend()) {
            CudaBackend cb = (CudaBackend) gpu;
            if (opts.cudnnAllowed() && !cb.cudnnDecision().enabled()) {
                out.println("== " + title + ": skipped, " + cb.cudnnDecision().line());
                return false;
            }
            out.println("== " + title + ": " + gpu.description() + " against " + cpu.description());
            out.println("ops (forward and backward; |gpu - cpu| <= " + BackendComparison.ATOL + " + "
                + BackendComparison.RTOL + "·|cpu|):");
            for (BackendComparison.Result r : BackendComparison.run(cpu, gpu)) {
                report(title, r, out);
            }
            training("lenet5", cpu, gpu, title, out);
            training("cnn-bn", cpu, gpu, title, out);
            return true;
        }
    }

    private void report(String title, BackendComparison.Result r, PrintWriter out) {
        String line = String.format(Locale.ROOT, "  %-40s max |diff| %.3g", r.name(), r.maxDiff());
        if (!r.ok()) {
            line += "  MISMATCH at " + r.mismatch();
            failures.add(title + ": " + r.name());
        }
        out.println(line);
    }

    /** --deterministic: two lenet5 runs of 20 steps must give the same losses bit for bit. */
    private void deterministic(DeviceProbe.Result probe, PrintWriter out) {
        double[][] runs = new double[2][];
        for (int i = 0; i < 2; i++) {
            try (Backend gpu = Devices.cuda(device, probe, 0, new GpuOptions(true, true)).backend()) {
                runs[i] = losses("lenet5", gpu, null);
            }
        }
        boolean same = java.util.Arrays.equals(runs[0], runs[1]);
        out.println("== --deterministic: two lenet5 runs of 20 steps " + (same ? "agree bit for bit" : "DIFFER"));
        if (!same) {
            failures.add("--deterministic: two runs differ");
        }
    }

    private void training(String preset, CpuBackend cpu, Backend gpu, String title, PrintWriter out) {
        double[] ref = losses(preset, cpu, null);
        long[] copies = new long[2];
        double[] got = losses(preset, gpu, copies);
        float[] c = new float[ref.length];
        float[] g = new float[got.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = (float) ref[i];
            g[i] = (float) got[i];
        }
        out.println(preset + ": 20 training steps (loss within " + LOSS_RTOL + " relative of the CPU's)");
        double worst = 0;
        String bad = null;
        for (int i = 0; i < c.length; i++) {
            double d = Math.abs(g[i] - (double) c[i]);
            worst = Math.max(worst, Double.isNaN(d) ? Double.POSITIVE_INFINITY : d);
            if (!(d <= 1e-3 + LOSS_RTOL * Math.abs(c[i])) && bad == null) {
                bad = "step " + (i + 1) + ": gpu " + g[i] + ", cpu " + c[i];
            }
        }
        report(title, new BackendComparison.Result(preset + " running loss", worst, bad), out);
        out.println(String.format(Locale.ROOT, "  host-to-device copies: %d (expected 40: inputs and labels per "
            + "step); device-to-host: %d (the loss and the logits for accuracy per step, plus end-of-epoch "
            + "bookkeeping)", copies[0], copies[1]));
        if (copies[0] != 40) {
            failures.add(title + ": " + preset + ": unexpected host-to-device copies (" + copies[0] + ")");
        }
    }

    /** The running loss of 20 Adam steps (batch 32, seed 7); {@code copies} receives the GPU's copy counts. */
    private static double[] losses(String preset, Backend be, long[] copies) {
        Dataset data = DataLocator.embedded().train().head(20 * 32);
        Normalization n = Normalization.fit(Normalization.Mode.GLOBAL, data);
        Dataset d = n.applyTo(data);
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
                if (before != null && copies != null) {
                    long[] after = ((CudaBackend) be).copies();
                    copies[0] = after[0] - before[0];
                    copies[1] = after[1] - before[1];
                }
            }
        }
        return ls.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
