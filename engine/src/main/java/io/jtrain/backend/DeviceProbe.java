package io.jtrain.backend;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides, once at start-up, whether a CUDA device is usable. It asks JCuda's runtime API
 * ({@code cudaGetDeviceCount}; cudart is linked statically into JCuda's native library, so this loads and
 * answers without a driver) and turns every failure into a one-line reason; nothing here can crash or
 * hang the JVM. {@code --device cpu} never calls it, so no JCuda native library is loaded then. Finding
 * devices is not the whole answer: the CLI then opens the backend (cuBLAS must load, the compute capability
 * must be 7.5 or newer) and, for {@code --device auto}, compares it with the CPU before using it.
 */
public final class DeviceProbe {
    private static Result cached;

    private DeviceProbe() { }

    /** The outcome: usable or not, the devices seen, and the one-line reason. */
    public record Result(boolean cudaUsable, int devices, String reason) { }

    public static synchronized Result probe() {
        if (cached == null) {
            cached = run();
        }
        return cached;
    }

    private static Result run() {
        if ("cpu".equals(System.getProperty("jtrain.device"))) {
            return new Result(false, 0, "-Djtrain.device=cpu is set");
        }
        int[] count = {0};
        int rc;
        try {
            rc = jcuda.runtime.JCuda.cudaGetDeviceCount(count);
        } catch (LinkageError | RuntimeException e) {
            String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst()
                .orElse("");
            return new Result(false, 0, "the JCuda runtime library could not be loaded (" + m + ")");
        }
        String code = jcuda.runtime.cudaError.stringFor(rc);
        if (rc != 0) {
            Path driver = findLibrary("libcuda.so.1");
            String why = driver == null ? "no CUDA driver (libcuda.so.1 not found; cudaGetDeviceCount: " + code + ")"
                : rc == 35 ? "the CUDA driver at " + driver + " is older than CUDA 12 (" + code + ")"
                : "no usable CUDA device (cudaGetDeviceCount: " + code + ")";
            return new Result(false, 0, why);
        }
        if (count[0] == 0) {
            return new Result(false, 0, "the CUDA driver reports no device");
        }
        return new Result(true, count[0], count[0] + " CUDA device(s) found");
    }

    /** Looks for a shared library in LD_LIBRARY_PATH and the usual system folders. */
    static Path findLibrary(String name) {
        List<String> dirs = new ArrayList<>();
        String ld = System.getenv("LD_LIBRARY_PATH");
        if (ld != null) {
            dirs.addAll(List.of(ld.split(File.pathSeparator)));
        }
        dirs.addAll(List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib", "/lib/x86_64-linux-gnu",
            "/usr/local/cuda/lib64", "/usr/local/cuda/compat", "/usr/lib/wsl/lib"));
        for (String d : dirs) {
            if (d.isBlank()) {
                continue;
            }
            Path p = Path.of(d, name);
            if (Files.exists(p)) {
                return p;
            }
        }
        return null;
    }
}
