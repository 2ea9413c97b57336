package io.jtrain.backend.cuda;

import java.util.ArrayList;
import java.util.List;
import jcuda.jcublas.JCublas2;
import jcuda.runtime.JCuda;
import jcuda.runtime.cudaDeviceProp;

/**
 * What {@code jtrain devices} reports about the GPUs: per device its name, compute capability, total and
 * free memory and whether jtrain can use it; once, the driver, runtime, cuBLAS and cuDNN versions. Only
 * called after {@link io.jtrain.backend.DeviceProbe} found devices; every library that fails to load is
 * reported as text, never thrown.
 */
public final class GpuInventory {
    private GpuInventory() { }

    /** One GPU; {@code usable} is false with a reason when its compute capability is below 7.5. */
    public record Gpu(int index, String name, int ccMajor, int ccMinor, long totalBytes, long freeBytes,
                      boolean usable, String note, String cudnn) { }

    /** The devices and the software versions. */
    public record Inventory(List<Gpu> gpus, String driver, String runtime, String cublas) { }

    public static Inventory read(int count) {
        List<Gpu> gpus = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            gpus.add(gpu(i));
        }
        int[] v = {0};
        String driver = JCuda.cudaDriverGetVersion(v) == 0 ? cudaVersion(v[0]) : "unknown";
        String runtime = JCuda.cudaRuntimeGetVersion(v) == 0 ? cudaVersion(v[0]) + " (linked into JCuda 12.0.0)"
            : "unknown";
        return new Inventory(gpus, driver, runtime, cublasVersion());
    }

    private static Gpu gpu(int i) {
        cudaDeviceProp p = new cudaDeviceProp();
        int rc = JCuda.cudaGetDeviceProperties(p, i);
        if (rc != 0) {
            return new Gpu(i, "?", 0, 0, 0, 0, false, "cudaGetDeviceProperties: " + jcuda.runtime.cudaError.stringFor(rc),
                "");
        }
        long[] free = {-1};
        long[] total = {p.totalGlobalMem};
        if (JCuda.cudaSetDevice(i) == 0) {
            JCuda.cudaMemGetInfo(free, total);
        }
        boolean usable = p.major * 10 + p.minor >= 75;
        String note = usable ? "supported" : "not supported: jtrain's kernels need compute capability 7.5 (Turing) or newer";
        String cudnn = CudnnDecision.decide(true, p.major, p.minor).line();
        return new Gpu(i, p.getName(), p.major, p.minor, total[0], free[0], usable, note, cudnn);
    }

    /** 12020 → "12.2". */
    static String cudaVersion(int v) {
        return v / 1000 + "." + v % 1000 / 10;
    }

    private static String cublasVersion() {
        try {
            int[] major = {0};
            int[] minor = {0};
            int[] patch = {0};
            JCublas2.cublasGetProperty(0, major);
            JCublas2.cublasGetProperty(1, minor);
            JCublas2.cublasGetProperty(2, patch);
            return major[0] + "." + minor[0] + "." + patch[0];
        } catch (LinkageError | RuntimeException e) {
            return "not loadable (" + (e.getMessage() == null ? e.getClass().getSimpleName()
                : e.getMessage().lines().findFirst().orElse("")) + "); install libcublas.so.12";
        }
    }
}
