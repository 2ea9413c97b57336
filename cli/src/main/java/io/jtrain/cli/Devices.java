package io.jtrain.cli;

import io.jtrain.backend.Backend;
import io.jtrain.backend.DeviceProbe;
import io.jtrain.backend.cpu.CpuBackend;
import io.jtrain.tensor.CpuMemoryPool;
import io.jtrain.util.Sizes;

/** Chooses the backend once, at start-up, and says why. */
public final class Devices {
    private Devices() { }

    /** The chosen backend and the one-line explanation printed at start-up. */
    public record Choice(Backend backend, String device, String reason) { }

    /**
     * {@code auto} falls back to the CPU with the probe's reason; {@code cuda[:N]} fails with it
     * ({@link DeviceUnavailableException}); {@code cpu} never probes.
     */
    public static Choice select(String device, String memoryLimit) {
        long capacity = memoryLimit == null ? CpuMemoryPool.defaultCapacityBytes() : parseLimit(memoryLimit);
        String reason;
        if (device.equals("cpu")) {
            reason = "--device cpu";
        } else {
            DeviceProbe.Result r = DeviceProbe.probe();
            if (device.startsWith("cuda")) {
                return cuda(device, r, memoryLimit == null ? 0 : parseLimit(memoryLimit));
            }
            reason = r.reason() + ": training on CPU";
        }
        CpuBackend be = CpuBackend.create(new CpuMemoryPool(capacity), threads());
        if (be.blasWarning() != null) {
            reason += "; " + be.blasWarning();
        }
        return new Choice(be, "cpu", reason);
    }

    /** Opens the experimental CUDA backend, or explains why it cannot be opened (exit code 7). */
    static Choice cuda(String device, DeviceProbe.Result r, long capacity) {
        int ordinal = device.contains(":") ? Integer.parseInt(device.substring(device.indexOf(':') + 1)) : 0;
        if (r.devices() == 0) {
            throw new DeviceUnavailableException("--device " + device + " asked for a GPU, but " + r.reason()
                + "; run with --device cpu or --device auto");
        }
        if (ordinal >= r.devices()) {
            throw new DeviceUnavailableException("--device " + device + ": only " + r.devices() + " CUDA device(s)");
        }
        try {
            io.jtrain.backend.cuda.CudaBackend be = new io.jtrain.backend.cuda.CudaBackend(ordinal, capacity);
            return new Choice(be, be.device(), "--device " + device + " (experimental CUDA backend, not yet verified "
                + "on a GPU; cuDNN not used)");
        } catch (LinkageError | RuntimeException e) {
            throw new DeviceUnavailableException("--device " + device + ": the CUDA backend could not start ("
                + e.getMessage().lines().findFirst().orElse(e.getClass().getSimpleName()) + "); is libcublas.so.12 "
                + "installed? (docs/gpu.md)");
        }
    }

    /** {@link #select}, then prints the one-line device decision to standard error. */
    public static Choice announce(String device, String memoryLimit, java.io.PrintWriter err) {
        Choice c = select(device, memoryLimit);
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
