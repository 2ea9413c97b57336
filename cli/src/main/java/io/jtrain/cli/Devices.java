package io.jtrain.cli;

import io.jtrain.backend.Backend;
import io.jtrain.backend.BackendComparison;
import io.jtrain.backend.GpuOptions;
import io.jtrain.backend.DeviceProbe;
import io.jtrain.backend.cpu.CpuBackend;
import io.jtrain.tensor.CpuMemoryPool;
import io.jtrain.util.Sizes;
import java.util.List;

/** Chooses the backend once, at start-up, and says why. */
public final class Devices {
    private Devices() { }

    /** The chosen backend and the one-line explanation printed at start-up. */
    public record Choice(Backend backend, String device, String reason) { }

    /**
     * {@code cpu} never probes. {@code cuda[:N]} opens that GPU or fails with the probe's reason
     * ({@link DeviceUnavailableException}, exit 7). {@code auto} uses GPU 0 when the probe finds one, the
     * backend opens, and its start-up comparison with the CPU ({@link BackendComparison}, well under a second)
     * agrees; otherwise it trains on the CPU and says why in one line. Out of memory is never a reason to fall
     * back: it propagates (exit 4).
     */
    public static Choice select(String device, String memoryLimit, GpuOptions gpu) {
        long capacity = memoryLimit == null ? CpuMemoryPool.defaultCapacityBytes() : parseLimit(memoryLimit);
        String reason;
        if (device.equals("cpu")) {
            reason = "--device cpu";
        } else {
            DeviceProbe.Result r = DeviceProbe.probe();
            long gpuCapacity = memoryLimit == null ? 0 : capacity;
            if (device.startsWith("cuda")) {
                return cuda(device, r, gpuCapacity, gpu);
            }
            if (r.devices() > 0) {
                Choice c = autoGpu(gpuCapacity, gpu);
                if (c.backend() != null) {
                    return c;
                }
                reason = c.reason() + ": training on CPU";
            } else {
                reason = r.reason() + ": training on CPU";
            }
        }
        CpuBackend be = CpuBackend.create(new CpuMemoryPool(capacity), threads());
        if (be.blasWarning() != null) {
            reason += "; " + be.blasWarning();
        }
        return new Choice(be, "cpu", reason);
    }

    /** The GPU for {@code --device auto}, or a choice without backend whose reason says why not. */
    private static Choice autoGpu(long capacity, GpuOptions gpu) {
        Backend be;
        try {
            be = new io.jtrain.backend.cuda.CudaBackend(0, capacity, gpu);
        } catch (LinkageError | RuntimeException e) {
            if (e instanceof io.jtrain.tensor.OutOfMemoryException oom) {
                throw oom;
            }
            return new Choice(null, "cpu", "the CUDA backend could not start on GPU 0 (" + firstLine(e) + ")");
        }
        try (CpuBackend cpu = CpuBackend.create(new CpuMemoryPool(256L << 20), 1)) {
            List<BackendComparison.Result> rs = BackendComparison.run(cpu, be);
            for (BackendComparison.Result r : rs) {
                if (!r.ok()) {
                    be.close();
                    return new Choice(null, "cpu", "the CUDA backend disagreed with the CPU at start-up (" + r.name()
                        + ": " + r.mismatch() + "); please report the output of jtrain selftest --device cuda");
                }
            }
            return new Choice(be, be.device(), "--device auto: " + be.description() + "; start-up check against the "
                + "CPU passed (" + rs.size() + " outputs)");
        } catch (io.jtrain.tensor.OutOfMemoryException e) {
            be.close();
            throw e;
        } catch (RuntimeException e) {
            be.close();
            return new Choice(null, "cpu", "the CUDA backend failed its start-up check (" + firstLine(e) + ")");
        }
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }

    /** Opens the CUDA backend, or explains why it cannot be opened (exit code 7). */
    static Choice cuda(String device, DeviceProbe.Result r, long capacity, GpuOptions gpu) {
        int ordinal = device.contains(":") ? Integer.parseInt(device.substring(device.indexOf(':') + 1)) : 0;
        if (r.devices() == 0) {
            throw new DeviceUnavailableException("--device " + device + " asked for a GPU, but " + r.reason()
                + "; run with --device cpu or --device auto");
        }
        if (ordinal >= r.devices()) {
            throw new DeviceUnavailableException("--device " + device + ": only " + r.devices() + " CUDA device(s)");
        }
        try {
            io.jtrain.backend.cuda.CudaBackend be = new io.jtrain.backend.cuda.CudaBackend(ordinal, capacity, gpu);
            return new Choice(be, be.device(), "--device " + device + ": " + be.description());
        } catch (io.jtrain.tensor.OutOfMemoryException e) {
            throw e;
        } catch (LinkageError | RuntimeException e) {
            throw new DeviceUnavailableException("--device " + device + ": the CUDA backend could not start ("
                + firstLine(e) + "); is libcublas.so.12 installed? (docs/gpu.md)");
        }
    }

    /** {@link #select}, then prints the one-line device decision to standard error. */
    public static Choice announce(String device, String memoryLimit, GpuOptions gpu, java.io.PrintWriter err) {
        Choice c = select(device, memoryLimit, gpu);
        err.println("device: " + c.device() + " (" + c.reason() + ")");
        return c;
    }

    static long parseLimit(String s) {
        try {
            return Sizes.parse(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--memory-limit: " + e.getMessage());
        }
    }

    /** OpenBLAS threads: $JTRAIN_THREADS, else the available processors. */
    static int threads() {
        String t = System.getenv("JTRAIN_THREADS");
        if (t != null && t.matches("\\d+") && Integer.parseInt(t) > 0) {
            return Integer.parseInt(t);
        }
        return Runtime.getRuntime().availableProcessors();
    }
}
