package io.jtrain.cli;

import io.jtrain.backend.DeviceProbe;
import io.jtrain.backend.DeviceSelection;
import io.jtrain.backend.cuda.CudaBackend;
import io.jtrain.verify.GpuSelfTest;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code jtrain selftest --device cuda}: the GPU against the CPU op by op, edge cases, throughput and 20
 * training steps of lenet5 and cnn-bn, first on jtrain's own kernels, then with cuDNN ({@link GpuSelfTest}).
 * The one command the first machine with a GPU runs.
 */
@Command(name = "selftest", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Compare the CUDA backend with the CPU backend, op by op, on edge cases and over 20 training "
        + "steps, with jtrain's own kernels first and then with cuDNN.",
    footer = {"", "Examples:", "  jtrain selftest --device cuda", "  jtrain selftest --device cuda:1 --cudnn off",
        "  jtrain selftest --require-cudnn", "",
        "Exit codes: 0 everything that ran agrees (the last line says 'passed without cuDNN: REASON' when cuDNN was",
        "unusable), 1 a mismatch or an error (a bug), 2 --require-cudnn with --cudnn off, 7 no usable GPU, or",
        "--require-cudnn and cuDNN unusable."})
public final class SelftestCommand implements Callable<Integer> {
    @Option(names = "--device", paramLabel = "cuda[:N]", defaultValue = "cuda", description = "GPU to test "
        + "(default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--cudnn", paramLabel = "auto|off", defaultValue = "auto",
        description = "auto: test jtrain's kernels, then cuDNN when usable; off: only jtrain's kernels "
            + "(default: ${DEFAULT-VALUE}).")
    String cudnn;

    @Option(names = "--require-cudnn", description = "Fail (exit 7) when cuDNN is unusable instead of passing "
        + "without it.")
    boolean requireCudnn;

    @Option(names = "--skip-edge-cases", description = "Skip the 8 GiB tensor and the out-of-memory case.")
    boolean skipEdgeCases;

    @Option(names = "--verbose", description = "Show stack traces.")
    boolean verbose;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (!cudnn.equals("auto") && !cudnn.equals("off")) {
            throw new io.jtrain.util.UsageException("--cudnn '" + cudnn + "' is not allowed; use auto or off");
        }
        if (requireCudnn && cudnn.equals("off")) {
            throw new io.jtrain.util.UsageException("--require-cudnn and --cudnn off contradict each other; drop one");
        }
        if (!device.matches("cuda(:\\d+)?")) {
            throw new io.jtrain.util.UsageException("--device '" + device + "': the self-test tests a GPU; use cuda or "
                + "cuda:N");
        }
        DeviceProbe.Result probe = DeviceProbe.probe();
        GpuSelfTest.Opener opener = (opts, capacity) -> {
            DeviceSelection.Choice c = DeviceSelection.select(device, capacity, opts, 1, probe, DeviceSelection.cuda());
            CudaBackend be = (CudaBackend) c.backend();
            return new GpuSelfTest.Opened(be, be.cudnnDecision());
        };
        GpuSelfTest.Verdict v = new GpuSelfTest(opener, s -> {
            out.println(s);
            out.flush();
        }, !skipEdgeCases, true).run(cudnn.equals("auto"), requireCudnn);
        return switch (v) {
            case PASSED, PASSED_WITHOUT_CUDNN -> ExitCodes.OK;
            case FAILED -> ExitCodes.INTERNAL;
            case NO_GPU -> ExitCodes.DEVICE;
        };
    }
}
