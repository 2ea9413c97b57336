package io.jtrain.backend;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides, once at start-up, whether a CUDA device is usable, without loading any native library: this
 * build has no CUDA backend yet (see docs/gpu.md), so the probe reports why the CPU is used — no
 * driver on this machine, or a driver but no CUDA backend in this build.
 */
public final class DeviceProbe {
    private DeviceProbe() { }

    /** The outcome: usable or not, and the one-line reason. */
    public record Result(boolean cudaUsable, String reason) { }

    public static Result probe() {
        if ("cpu".equals(System.getProperty("jtrain.device"))) {
            return new Result(false, "-Djtrain.device=cpu is set");
        }
        Path driver = findLibrary("libcuda.so.1");
        if (driver == null) {
            return new Result(false, "no CUDA driver (libcuda.so.1 not found)");
        }
        return new Result(false, "CUDA driver found at " + driver + ", but this build of jtrain has no CUDA backend "
            + "yet (see docs/gpu.md)");
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
