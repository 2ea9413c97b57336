package io.jtrain.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;
import jcuda.runtime.cudaStream_t;

/**
 * Our kernels: the committed PTX (cuda-kernels, ISA 8.0) loaded with the driver's JIT into the current
 * (primary) context, and launched with 1-D grids. Argument types must match the kernels exactly: Long for
 * long long, Integer for int, Float for float, int[] for a struct of ints, Pointer for device pointers.
 */
final class Kernels {
    static final List<String> MODULES = List.of("elementwise", "activations", "dropout", "optimizers", "im2col",
        "pooling", "reductions", "batchnorm", "losses");
    static final int BLOCK = 256;
    private static final int MAX_GRID = 4096;
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final CUstream stream;
    private final Launcher launcher;

    /** Where launches go: the GPU, or (in tests) a recorder that checks them against the kernels' signatures. */
    @FunctionalInterface
    interface Launcher {
        void launch(String name, int grid, Object[] args);
    }

    /** For tests: nothing is loaded; every launch goes to {@code launcher}. */
    Kernels(Launcher launcher) {
        this.stream = null;
        this.launcher = launcher;
    }

    /** Loads every module; launches go to {@code stream}. */
    Kernels(cudaStream_t stream) {
        this.stream = new CUstream(stream);
        this.launcher = this::launchOnGpu;
        for (String m : MODULES) {
            CUmodule module = new CUmodule();
            Cuda.driver(JCudaDriver.cuModuleLoadData(module, ptx(m)), "cuModuleLoadData(" + m + ".ptx)");
            for (String name : entries(ptx(m))) {
                CUfunction f = new CUfunction();
                Cuda.driver(JCudaDriver.cuModuleGetFunction(f, module, name), "cuModuleGetFunction(" + name + ")");
                functions.put(name, f);
            }
        }
    }

    static String ptx(String module) {
        try (InputStream in = Kernels.class.getResourceAsStream("/io/jtrain/cuda/" + module + ".ptx")) {
            if (in == null) {
                throw new IllegalStateException("kernel PTX " + module + ".ptx is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + module + ".ptx", e);
        }
    }

    /** Names of the .entry functions of a PTX text. */
    static List<String> entries(String ptx) {
        return ptx.lines().map(String::trim).filter(l -> l.startsWith(".visible .entry "))
            .map(l -> l.substring(".visible .entry ".length()).replaceAll("\\(.*", "").trim()).toList();
    }

    /** Launches {@code name} with enough 256-thread blocks for {@code work} items (capped; kernels grid-stride). */
    void launch(String name, long work, Object... args) {
        int grid = (int) Math.max(1, Math.min(MAX_GRID, (work + BLOCK - 1) / BLOCK));
        launchGrid(name, grid, args);
    }

    void launchGrid(String name, int grid, Object... args) {
        launcher.launch(name, grid, args);
    }

    private void launchOnGpu(String name, int grid, Object[] args) {
        CUfunction f = functions.get(name);
        if (f == null) {
            throw new IllegalStateException("kernel " + name + " not found in the loaded PTX");
        }
        Pointer[] ps = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof Long l) {
                ps[i] = Pointer.to(new long[] {l});
            } else if (a instanceof Integer n) {
                ps[i] = Pointer.to(new int[] {n});
            } else if (a instanceof Float v) {
                ps[i] = Pointer.to(new float[] {v});
            } else if (a instanceof int[] struct) {
                ps[i] = Pointer.to(struct);
            } else if (a instanceof Pointer p) {
                ps[i] = Pointer.to(p);
            } else if (a == null) {
                ps[i] = Pointer.to(new Pointer());
            } else {
                throw new IllegalArgumentException("unsupported kernel argument " + a.getClass());
            }
        }
        Cuda.driver(JCudaDriver.cuLaunchKernel(f, grid, 1, 1, BLOCK, 1, 1, 0, stream, Pointer.to(ps), null),
            "cuLaunchKernel(" + name + ")");
    }
}
