package io.jtrain.backend.cuda;

import io.jtrain.backend.GpuOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code jtrain devices} reports about the GPUs: per device its name, compute capability, total and
 * free memory, whether jtrain can use it and the cuDNN decision (from the out-of-process probe); once, the
 * driver, runtime and cuBLAS versions. Only called after {@link io.jtrain.backend.DeviceProbe} found
 * devices; every library that fails to load is reported as text, never thrown.
 */
public final class GpuInventory {
    private GpuInventory() { }

    /** One GPU; {@code usable} is false with a reason when its compute capability is below 7.5. */
    public record Gpu(int index, String name, int ccMajor, int ccMinor, long totalBytes, long freeBytes,
                      boolean usable, String note, String cudnn) { }

    /** The devices and the software versions. */
    public record Inventory(List<Gpu> gpus, String driver, String runtime, String cublas) { }

    public static Inventory read(int count) {
        JCudaApi api = new JCudaApi();
        List<Gpu> gpus = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            gpus.add(gpu(api, i));
        }
        int[] v = {0};
        String driver = api.driverVersion(v) == 0 ? cudaVersion(v[0]) : "unknown";
        String runtime = jcuda.runtime.JCuda.cudaRuntimeGetVersion(v) == 0 ? cudaVersion(v[0])
            + " (linked into JCuda 12.0.0)" : "unknown";
        return new Inventory(gpus, driver, runtime, cublasVersion(api));
    }

    private static Gpu gpu(JCudaApi api, int i) {
        CudaApi.DeviceInfo[] d = new CudaApi.DeviceInfo[1];
        int rc = api.deviceInfo(i, d);
        if (rc != 0) {
            return new Gpu(i, "?", 0, 0, 0, 0, false, "cudaGetDeviceProperties: " + api.runtimeErrorName(rc), "");
        }
        CudaApi.DeviceInfo p = d[0];
        long[] free = {-1};
        long[] total = {p.totalBytes()};
        if (api.openContext(i) == 0) {
            api.memGetInfo(free, total);
        }
        boolean usable = p.ccMajor() * 10 + p.ccMinor() >= 75;
        String note = usable ? "supported" : "not supported: jtrain's kernels need compute capability 7.5 (Turing) or newer";
        String cudnn = usable ? CudnnProbe.choose(api, i, p, GpuOptions.DEFAULT).decision().line() : "";
        return new Gpu(i, p.name(), p.ccMajor(), p.ccMinor(), total[0], free[0], usable, note, cudnn);
    }

    /** 12020 → "12.2". */
    static String cudaVersion(int v) {
        return v / 1000 + "." + v % 1000 / 10;
    }

    private static String cublasVersion(JCudaApi api) {
        try {
            int[] v = {0};
            int rc = api.cublasVersion(v);
            return rc != 0 ? "unknown (" + api.cublasStatusName(rc) + ")"
                : v[0] / 10000 + "." + v[0] / 100 % 100 + "." + v[0] % 100;
        } catch (LinkageError | RuntimeException e) {
            return "not loadable (" + (e.getMessage() == null ? e.getClass().getSimpleName()
                : e.getMessage().lines().findFirst().orElse("")) + "); install libcublas.so.12";
        }
    }

    /** Whether cuDNN would load here, asked in a child process (for {@code jtrain devices} without a GPU). */
    public static String cudnnWithoutGpu() {
        CudnnProbe.Verdict v = CudnnProbe.versionsOnly(System.getenv());
        return v.ok() ? "cuDNN " + CudnnDecision.format(v.version()) + " loads (CUDA " + v.cudartVersion() / 1000
            + " build); whether jtrain uses it is decided on a GPU" : CudnnDecision.unusable(0, v.reason()).line();
    }
}
