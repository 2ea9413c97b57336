package io.jtrain.backend;

import io.jtrain.backend.cpu.CpuBackend;
import io.jtrain.tensor.CpuMemoryPool;
import io.jtrain.tensor.OutOfMemoryException;
import java.util.List;

/**
 * Chooses the backend once, at start-up, and says why in one line (ARCHITECTURE.md, "Device choice").
 * {@code cpu} never probes and loads no JCuda class. {@code cuda[:N]} opens that GPU or fails with the
 * real reason ({@link DeviceUnavailableException}, exit 7). {@code auto} uses GPU 0 when the probe finds
 * one, the backend opens, and its start-up comparison with the CPU ({@link BackendComparison}, well under
 * a second on a GPU) agrees; if it disagrees with cuDNN on, it tries once more with cuDNN off; otherwise
 * it trains on the CPU and says why. Nothing a broken CUDA installation does can escape as an exception
 * from {@code auto}: opening releases what it made, {@link Backend#close} never throws. Out of memory is
 * never a reason to fall back: it propagates (exit 4).
 */
public final class DeviceSelection {
    private DeviceSelection() { }

    /** The chosen backend, its device name and the one-line explanation printed at start-up. */
    public record Choice(Backend backend, String device, String reason) { }

    /** Opens a GPU backend (the CUDA backend; tests pass fakes). */
    @FunctionalInterface
    public interface GpuOpener {
        Backend open(int ordinal, long capacity, GpuOptions options);
    }

    /** The CUDA backend, behind a lambda so that naming it loads no JCuda class. */
    public static GpuOpener cuda() {
        return (ordinal, capacity, options) -> io.jtrain.backend.cuda.CudaBackend.open(ordinal, capacity, options);
    }

    /** Checks a device name: auto, cpu, cuda or cuda:N; anything else is a usage error (exit 2). */
    public static String validate(String device, String where) {
        String d = device == null ? "auto" : device;
        if (!d.matches("auto|cpu|cuda(:\\d+)?")) {
            throw new io.jtrain.util.UsageException(where + ": device '" + d + "' is not allowed; use auto, cpu, cuda or "
                + "cuda:N");
        }
        return d;
    }

    /**
     * Selects {@code device} with the real probe and the CUDA backend. {@code memoryLimit} is the user's
     * limit in bytes (0 = the defaults: physical memory less head-room on the CPU, free memory less head-room
     * on a GPU); {@code threads} are the CPU backend's OpenBLAS threads.
     */
    public static Choice select(String device, long memoryLimit, GpuOptions gpu, int threads) {
        String d = validate(device, "--device");
        DeviceProbe.Result probe = d.equals("cpu") ? null : DeviceProbe.probe();
        return select(d, memoryLimit, gpu, threads, probe, d.equals("cpu") ? null : cuda());
    }

    /** {@link #select(String, long, GpuOptions, int)} with a given probe result and GPU opener (for tests). */
    public static Choice select(String device, long memoryLimit, GpuOptions gpu, int threads, DeviceProbe.Result probe,
                                GpuOpener opener) {
        String d = validate(device, "--device");
        String reason;
        if (d.equals("cpu")) {
            reason = "--device cpu";
        } else if (d.startsWith("cuda")) {
            return cuda(d, probe, memoryLimit, gpu, opener);
        } else if (probe.devices() > 0) {
            Choice c = autoGpu(memoryLimit, gpu, opener);
            if (c.backend() != null) {
                return c;
            }
            reason = c.reason() + ": training on CPU";
        } else {
            reason = probe.reason() + ": training on CPU";
        }
        long capacity = memoryLimit > 0 ? memoryLimit : CpuMemoryPool.defaultCapacityBytes();
        CpuBackend be = CpuBackend.create(new CpuMemoryPool(capacity), threads); // oneDNN on by default
        if (!gpu.oneDnn()) {
            be.oneDnn(false);
        }
        if (be.blasWarning() != null) {
            reason += "; " + be.blasWarning();
        }
        if (be.oneDnnWarning() != null) {
            reason += "; " + be.oneDnnWarning();
        } else if (be.usesOneDnn()) {
            reason += "; convolutions, pooling, batch norm on oneDNN " + be.oneDnnVersion()
                + (be.oneDnnThreadsNote() == null ? "" : " (" + be.oneDnnThreadsNote() + ")");
        } else {
            reason += "; oneDNN off (--onednn off): convolutions, pooling, batch norm on jtrain's own path";
        }
        return new Choice(be, "cpu", reason);
    }

    /** The GPU for {@code auto}, or a choice without a backend whose reason says why not. */
    private static Choice autoGpu(long capacity, GpuOptions gpu, GpuOpener opener) {
        Choice first = tryGpu(capacity, gpu, opener);
        if (first.backend() != null || !gpu.cudnnAllowed() || !first.reason().contains("with cuDNN")) {
            return first;
        }
        Choice again = tryGpu(capacity, new GpuOptions(false, gpu.deterministic()), opener);
        if (again.backend() == null) {
            return first;
        }
        return new Choice(again.backend(), again.device(), again.reason() + "; cuDNN is off because " + first.reason());
    }

    private static Choice tryGpu(long capacity, GpuOptions gpu, GpuOpener opener) {
        Backend be;
        try {
            be = opener.open(0, capacity, gpu);
        } catch (OutOfMemoryException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            return new Choice(null, "cpu", "the CUDA backend could not start on GPU 0 (" + firstLine(e) + ")");
        }
        String with = be.description().contains("cuDNN 8") ? " with cuDNN" : "";
        try (CpuBackend cpu = CpuBackend.create(new CpuMemoryPool(256L << 20), 1)) {
            List<BackendComparison.Result> rs = BackendComparison.run(cpu, be);
            for (BackendComparison.Result r : rs) {
                if (!r.ok()) {
                    be.close();
                    String what = r.mismatch().startsWith("error: ")
                        ? " failed its start-up check (" + r.name() + ": " + r.mismatch().substring(7) + ")"
                        : " disagreed with the CPU at start-up (" + r.name() + ": " + r.mismatch() + ")";
                    return new Choice(null, "cpu", "the CUDA backend" + with + what + "; please report the output of "
                        + "jtrain selftest --device cuda");
                }
            }
            return new Choice(be, be.device(), "--device auto: " + be.description() + "; start-up check against the "
                + "CPU passed (" + rs.size() + " outputs)");
        } catch (OutOfMemoryException e) {
            be.close();
            throw e;
        } catch (RuntimeException | LinkageError e) {
            be.close();
            return new Choice(null, "cpu", "the CUDA backend" + with + " failed its start-up check (" + firstLine(e)
                + ")");
        }
    }

    /** Opens the CUDA backend, or explains why it cannot be opened (exit code 7). */
    static Choice cuda(String device, DeviceProbe.Result r, long capacity, GpuOptions gpu, GpuOpener opener) {
        int ordinal = device.contains(":") ? Integer.parseInt(device.substring(device.indexOf(':') + 1)) : 0;
        if (r.devices() == 0) {
            throw new DeviceUnavailableException("--device " + device + " asked for a GPU, but " + r.reason()
                + "; run with --device cpu or --device auto");
        }
        if (ordinal >= r.devices()) {
            throw new DeviceUnavailableException("--device " + device + ": only " + r.devices() + " CUDA device(s)");
        }
        try {
            Backend be = opener.open(ordinal, capacity, gpu);
            return new Choice(be, be.device(), "--device " + device + ": " + be.description());
        } catch (OutOfMemoryException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            throw new DeviceUnavailableException("--device " + device + ": the CUDA backend could not start ("
                + firstLine(e) + "); see docs/gpu.md for what to install");
        }
    }

    /** The first line of an error's message (the real cause: opening never masks it). */
    static String firstLine(Throwable e) {
        String m = e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }

    /** The CPU backend's threads (loops and matrix products): $JTRAIN_THREADS, else the available processors. */
    public static int threads() {
        String t = System.getenv("JTRAIN_THREADS");
        if (t != null && t.matches("\\d+") && Integer.parseInt(t) > 0) {
            return Integer.parseInt(t);
        }
        return Runtime.getRuntime().availableProcessors();
    }
}
