package io.jtrain.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Our kernels: the committed PTX (cuda-kernels, ISA 8.0) loaded with the driver's JIT into the current
 * (primary) context, and launched with 256-thread blocks on the backend's stream. Argument types must match
 * the kernels exactly (see {@link CudaApi#launch}). With {@code JTRAIN_CUDA_SYNC=1} every launch is followed by
 * a stream synchronisation, so an asynchronous fault is reported with the name of the kernel that caused it.
 */
final class Kernels {
    static final List<String> MODULES = List.of("elementwise", "activations", "dropout", "optimizers", "im2col",
        "pooling", "reductions", "batchnorm", "losses");
    static final int BLOCK = 256;
    /** Largest 1-D grid of a grid-stride launch (enough blocks to fill a Hopper GPU several times over). */
    static final int MAX_GRID = 4096;
    /** Largest second grid dimension. */
    static final int MAX_GRID_Y = 65535;
    private final Map<String, Long> functions = new HashMap<>();
    private final List<Long> modules = new ArrayList<>();
    private final CudaApi api;
    private final long stream;
    private final boolean syncEach;
    private final CudaMemoryPool pool;

    /** Loads every module into the current context; launches go to {@code stream}. */
    Kernels(CudaApi api, long stream, boolean syncEach, CudaMemoryPool pool) {
        this.api = api;
        this.stream = stream;
        this.syncEach = syncEach;
        this.pool = pool;
        for (String m : MODULES) {
            String text = ptx(m);
            long[] module = {0};
            Cuda.driver(api, api.moduleLoad(text, module), "cuModuleLoadData(" + m + ".ptx)", pool);
            modules.add(module[0]);
            for (String name : entries(text)) {
                long[] f = {0};
                Cuda.driver(api, api.moduleFunction(module[0], name, f), "cuModuleGetFunction(" + name + ")", pool);
                functions.put(name, f[0]);
            }
        }
    }

    /** Whether {@code JTRAIN_CUDA_SYNC=1} asks for a synchronisation after every launch. */
    static boolean syncRequested() {
        return "1".equals(System.getenv("JTRAIN_CUDA_SYNC"));
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

    /** Launches {@code name} with enough blocks for {@code work} items (capped; kernels grid-stride). */
    void launch(String name, long work, Object... args) {
        int grid = (int) Math.max(1, Math.min(MAX_GRID, (work + BLOCK - 1) / BLOCK));
        launchGrid(name, grid, 1, args);
    }

    void launchGrid(String name, int gridX, int gridY, Object... args) {
        Long f = functions.get(name);
        if (f == null) {
            throw new IllegalStateException("kernel " + name + " not found in the loaded PTX");
        }
        Cuda.driver(api, api.launch(f, name, gridX, Math.min(gridY, MAX_GRID_Y), BLOCK, stream, args),
            "cuLaunchKernel(" + name + ")", pool);
        afterCall(name);
    }

    /** With JTRAIN_CUDA_SYNC=1: waits for the call and names it in the error. */
    void afterCall(String name) {
        if (syncEach) {
            int rc = api.streamSynchronize(stream);
            if (rc != 0) {
                throw new Cuda.CudaException(name + " failed on the GPU (found by JTRAIN_CUDA_SYNC=1): "
                    + api.runtimeErrorName(rc), rc);
            }
        }
    }

    /** Unloads the modules; best effort. */
    void close() {
        for (long m : modules) {
            try {
                api.moduleUnload(m);
            } catch (RuntimeException | LinkageError e) {
                // the context may be unusable after a sticky error; nothing more to do
            }
        }
        modules.clear();
    }
}
