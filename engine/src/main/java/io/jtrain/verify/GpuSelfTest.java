package io.jtrain.verify;

import io.jtrain.backend.Backend;
import io.jtrain.backend.BackendComparison;
import io.jtrain.backend.GpuOptions;
import io.jtrain.backend.cpu.CpuBackend;
import io.jtrain.backend.cuda.CudnnDecision;
import io.jtrain.tensor.CpuMemoryPool;
import io.jtrain.tensor.OutOfMemoryException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * {@code jtrain selftest --device cuda}: the GPU against the CPU, in a way that cannot pass vacuously. Runs
 * jtrain's own kernels first ({@code --cudnn off}), then cuDNN (unless off); each op in isolation, so one
 * failure does not hide the others, every op reported with its largest difference; then the edge cases
 * ({@link GpuEdgeCases}: more than 2^31 elements, a real out-of-memory followed by a working context), a
 * throughput line per op against the CPU, and 20 training steps of lenet5 and cnn-bn against the CPU with
 * the copy count ({@link TrainingComparison}). The verdict: {@link Verdict#PASSED} when everything that ran
 * agrees and cuDNN ran; {@link Verdict#PASSED_WITHOUT_CUDNN} when cuDNN was asked for but is unusable (the
 * last line says why); {@link Verdict#FAILED} for a mismatch or an error; {@link Verdict#NO_GPU} when no GPU
 * opens, or with {@code requireCudnn} when cuDNN is unusable. Cases skipped for lack of memory are listed and
 * do not fail the run.
 */
public final class GpuSelfTest {
    /** How the run ended; the command maps it to its exit code. */
    public enum Verdict { PASSED, PASSED_WITHOUT_CUDNN, FAILED, NO_GPU }

    /** A GPU backend opened with given options, and its cuDNN decision. */
    public record Opened(Backend backend, CudnnDecision cudnn) { }

    /** Opens the GPU under test (the real CUDA backend, or a fake in tests); throws when it cannot. */
    @FunctionalInterface
    public interface Opener {
        Opened open(GpuOptions options, long capacity);
    }

    private final Opener opener;
    private final Consumer<String> out;
    private final boolean edgeCases;
    private final boolean throughput;
    private final List<String> failures = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();

    /**
     * {@code edgeCases} false skips the large-tensor and out-of-memory cases, {@code throughput} false the
     * timing lines (for tests on small or slow fakes).
     */
    public GpuSelfTest(Opener opener, Consumer<String> out, boolean edgeCases, boolean throughput) {
        this.opener = opener;
        this.out = out;
        this.edgeCases = edgeCases;
        this.throughput = throughput;
    }

    /** Runs the test; {@code cudnnAllowed} false is {@code --cudnn off}. */
    public Verdict run(boolean cudnnAllowed, boolean requireCudnn) {
        Opened first;
        try {
            first = opener.open(new GpuOptions(false, false), 0);
        } catch (OutOfMemoryException e) {
            out.accept("no usable GPU: " + e.getMessage());
            return Verdict.NO_GPU;
        } catch (RuntimeException | LinkageError e) {
            out.accept("no usable GPU: " + firstLine(e));
            return Verdict.NO_GPU;
        }
        String withoutCudnn = null;
        try (CpuBackend cpu = CpuBackend.create(new CpuMemoryPool(8L << 30), 1)) {
            mode("jtrain kernels only (--cudnn off)", first, cpu);
            if (cudnnAllowed) {
                Opened withCudnn = openQuietly(new GpuOptions(true, false));
                if (withCudnn == null || !withCudnn.cudnn().enabled()) {
                    withoutCudnn = withCudnn == null ? "the GPU did not open again with cuDNN allowed"
                        : withCudnn.cudnn().line();
                    if (withCudnn != null) {
                        withCudnn.backend().close();
                    }
                    out.accept("== with cuDNN: skipped, " + withoutCudnn);
                } else {
                    mode("with cuDNN", withCudnn, cpu);
                    deterministic();
                }
            }
        }
        return verdict(cudnnAllowed, requireCudnn, withoutCudnn);
    }

    private Verdict verdict(boolean cudnnAllowed, boolean requireCudnn, String withoutCudnn) {
        if (!skipped.isEmpty()) {
            out.accept("skipped for lack of device memory: " + String.join("; ", skipped));
        }
        if (!failures.isEmpty()) {
            out.accept("selftest FAILED:\n  " + String.join("\n  ", failures));
            return Verdict.FAILED;
        }
        if (requireCudnn && withoutCudnn != null) {
            out.accept("selftest: cuDNN is required (--require-cudnn) but unusable: " + withoutCudnn);
            return Verdict.NO_GPU;
        }
        if (cudnnAllowed && withoutCudnn != null) {
            out.accept("passed without cuDNN: " + withoutCudnn);
            return Verdict.PASSED_WITHOUT_CUDNN;
        }
        out.accept(cudnnAllowed ? "selftest passed" : "selftest passed (jtrain kernels only; cuDNN not tested: "
            + "--cudnn off)");
        return Verdict.PASSED;
    }

    private Opened openQuietly(GpuOptions o) {
        try {
            return opener.open(o, 0);
        } catch (RuntimeException | LinkageError e) {
            failures.add("the GPU did not open with cuDNN allowed: " + firstLine(e));
            return null;
        }
    }

    /** One configuration: ops, edge cases, throughput and both training runs; the backend is closed after. */
    private void mode(String title, Opened gpu, CpuBackend cpu) {
        try (Backend be = gpu.backend()) {
            out.accept("== " + title + ": " + be.description() + " against " + cpu.description());
            out.accept("ops (forward and backward; |gpu - cpu| <= " + BackendComparison.ATOL + " + "
                + BackendComparison.RTOL + "·|cpu|; NaN must match NaN):");
            for (BackendComparison.Result r : BackendComparison.run(cpu, be)) {
                report(title, r);
            }
            if (throughput) {
                new Throughput(cpu, be, out).run();
            }
            TrainingComparison tc = new TrainingComparison(cpu, be, out);
            for (String preset : List.of("lenet5", "cnn-bn")) {
                for (BackendComparison.Result r : tc.run(preset)) {
                    report(title, r);
                }
            }
        } catch (RuntimeException e) {
            failures.add(title + ": " + firstLine(e));
            out.accept("  ERROR " + firstLine(e));
        }
        if (edgeCases) {
            GpuEdgeCases edges = new GpuEdgeCases(opener, out);
            for (BackendComparison.Result r : edges.run(new GpuOptions(gpu.cudnn().enabled(), false))) {
                report(title, r);
            }
        }
    }

    private void report(String title, BackendComparison.Result r) {
        if (r.skipped()) {
            out.accept(String.format(Locale.ROOT, "  %-48s skipped (not enough device memory)", r.name()));
            skipped.add(title + ": " + r.name());
            return;
        }
        String line = String.format(Locale.ROOT, "  %-48s max |diff| %.3g", r.name(), r.maxDiff());
        if (!r.ok()) {
            line += r.mismatch().startsWith("error: ") ? "  ERROR " + r.mismatch().substring(7)
                : "  MISMATCH at " + r.mismatch();
            failures.add(title + ": " + r.name() + " (" + r.mismatch() + ")");
        }
        out.accept(line);
    }

    /** --deterministic with cuDNN: two lenet5 runs of 20 steps must give the same losses bit for bit. */
    private void deterministic() {
        double[][] runs = new double[2][];
        for (int i = 0; i < 2; i++) {
            try (Backend gpu = opener.open(new GpuOptions(true, true), 0).backend()) {
                runs[i] = TrainingComparison.losses("lenet5", gpu, null);
            } catch (RuntimeException e) {
                failures.add("--deterministic: " + firstLine(e));
                return;
            }
        }
        boolean same = java.util.Arrays.equals(runs[0], runs[1]);
        out.accept("== --deterministic: two lenet5 runs of 20 steps " + (same ? "agree bit for bit" : "DIFFER"));
        if (!same) {
            failures.add("--deterministic: two runs differ");
        }
    }

    static String firstLine(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }
}
