package io.jtrain.backend.cuda;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasStatus;
import jcuda.runtime.JCuda;
import jcuda.runtime.cudaDeviceProp;
import jcuda.runtime.cudaError;
import jcuda.runtime.cudaEvent_t;
import jcuda.runtime.cudaStream_t;

/**
 * {@link CudaApi} on a real GPU through JCuda (runtime, driver) and JCublas2. Handles are indices into
 * tables of JCuda's handle objects; device addresses become JCuda pointers through {@link DevicePointer}.
 * cuBLAS's alpha and beta of 0 and 1 are preallocated host pointers, so a GEMM allocates nothing.
 * Not thread-safe: the backend's GPU thread owns it.
 */
final class JCudaApi implements CudaApi {
    private static final int H2D = 1;
    private static final int D2H = 2;
    private static final int D2D = 3;
    private static final Pointer ONE = Pointer.to(new float[] {1f});
    private static final Pointer ZERO = Pointer.to(new float[] {0f});
    private final List<cudaStream_t> streams = new ArrayList<>();
    private final List<cudaEvent_t> events = new ArrayList<>();
    private final List<CUmodule> modules = new ArrayList<>();
    private final List<CUfunction> functions = new ArrayList<>();
    private final List<cublasHandle> blas = new ArrayList<>();
    private final Map<ByteBuffer, Pointer> pinned = new IdentityHashMap<>();
    private CUdevice device;

    private static <T> long add(List<T> table, T handle) {
        table.add(handle);
        return table.size();
    }

    private static <T> T get(List<T> table, long handle) {
        return handle == 0 ? null : table.get((int) handle - 1);
    }

    private cudaStream_t stream(long h) {
        return get(streams, h);
    }

    /** JCuda's stream object behind a handle (for JCudnn, which takes it directly). */
    cudaStream_t streamObject(long h) {
        return stream(h);
    }

    private static Pointer dev(long address) {
        return DevicePointer.of(address);
    }

    private static Pointer scalar(float v) {
        return v == 1f ? ONE : v == 0f ? ZERO : Pointer.to(new float[] {v});
    }

    @Override
    public int deviceCount(int[] count) {
        return JCuda.cudaGetDeviceCount(count);
    }

    @Override
    public int deviceInfo(int ordinal, DeviceInfo[] out) {
        cudaDeviceProp p = new cudaDeviceProp();
        int rc = JCuda.cudaGetDeviceProperties(p, ordinal);
        if (rc == 0) {
            out[0] = new DeviceInfo(p.getName(), p.major, p.minor, p.totalGlobalMem, p.multiProcessorCount);
        }
        return rc;
    }

    @Override
    public int openContext(int ordinal) {
        int rc = JCuda.cudaSetDevice(ordinal);
        if (rc != 0) {
            return rc;
        }
        rc = JCudaDriver.cuInit(0);
        if (rc != 0) {
            return rc;
        }
        CUdevice d = new CUdevice();
        rc = JCudaDriver.cuDeviceGet(d, ordinal);
        if (rc != 0) {
            return rc;
        }
        CUcontext ctx = new CUcontext();
        rc = JCudaDriver.cuDevicePrimaryCtxRetain(ctx, d);
        if (rc != 0) {
            return rc;
        }
        device = d;
        return JCudaDriver.cuCtxSetCurrent(ctx);
    }

    @Override
    public int closeContext(int ordinal) {
        return device == null ? 0 : JCudaDriver.cuDevicePrimaryCtxRelease(device);
    }

    @Override
    public int driverVersion(int[] version) {
        return JCuda.cudaDriverGetVersion(version);
    }

    @Override
    public int memGetInfo(long[] free, long[] total) {
        return JCuda.cudaMemGetInfo(free, total);
    }

    @Override
    public int getLastError() {
        return JCuda.cudaGetLastError();
    }

    @Override
    public int deviceSynchronize() {
        return JCuda.cudaDeviceSynchronize();
    }

    @Override
    public int streamCreate(long[] stream) {
        cudaStream_t s = new cudaStream_t();
        int rc = JCuda.cudaStreamCreate(s);
        stream[0] = rc == 0 ? add(streams, s) : 0;
        return rc;
    }

    @Override
    public int streamDestroy(long stream) {
        return JCuda.cudaStreamDestroy(stream(stream));
    }

    @Override
    public int streamSynchronize(long stream) {
        return JCuda.cudaStreamSynchronize(stream(stream));
    }

    @Override
    public int eventCreate(long[] event) {
        cudaEvent_t e = new cudaEvent_t();
        int rc = JCuda.cudaEventCreateWithFlags(e, jcuda.runtime.JCuda.cudaEventDisableTiming);
        event[0] = rc == 0 ? add(events, e) : 0;
        return rc;
    }

    @Override
    public int eventRecord(long event, long stream) {
        return JCuda.cudaEventRecord(get(events, event), stream(stream));
    }

    @Override
    public int eventQuery(long event) {
        return JCuda.cudaEventQuery(get(events, event));
    }

    @Override
    public int eventSynchronize(long event) {
        return JCuda.cudaEventSynchronize(get(events, event));
    }

    @Override
    public int eventDestroy(long event) {
        return JCuda.cudaEventDestroy(get(events, event));
    }

    @Override
    public int malloc(long[] address, long bytes) {
        DevicePointer p = new DevicePointer();
        int rc = JCuda.cudaMalloc(p, bytes);
        address[0] = rc == 0 ? p.address() : 0;
        return rc;
    }

    @Override
    public int free(long address) {
        return JCuda.cudaFree(dev(address));
    }

    @Override
    public int hostAlloc(long bytes, ByteBuffer[] out) {
        Pointer p = new Pointer();
        int rc = JCuda.cudaHostAlloc(p, bytes, JCuda.cudaHostAllocDefault);
        if (rc == 0) {
            ByteBuffer b = p.getByteBuffer(0, bytes).order(java.nio.ByteOrder.nativeOrder());
            pinned.put(b, p);
            out[0] = b;
        }
        return rc;
    }

    @Override
    public int hostFree(ByteBuffer buffer) {
        Pointer p = pinned.remove(buffer);
        return p == null ? 0 : JCuda.cudaFreeHost(p);
    }

    private Pointer host(ByteBuffer b, long offset) {
        Pointer p = pinned.get(b);
        if (p == null) {
            throw new IllegalArgumentException("not a page-locked buffer of this device");
        }
        return offset == 0 ? p : p.withByteOffset(offset);
    }

    @Override
    public int copyToDevice(long dst, float[] src, int srcOffset, long count) {
        return JCuda.cudaMemcpy(dev(dst), Pointer.to(src).withByteOffset(4L * srcOffset), 4 * count, H2D);
    }

    @Override
    public int copyToHost(float[] dst, int dstOffset, long src, long count) {
        return JCuda.cudaMemcpy(Pointer.to(dst).withByteOffset(4L * dstOffset), dev(src), 4 * count, D2H);
    }

    @Override
    public int copyToDeviceAsync(long dst, ByteBuffer src, long srcByteOffset, long bytes, long stream) {
        return JCuda.cudaMemcpyAsync(dev(dst), host(src, srcByteOffset), bytes, H2D, stream(stream));
    }

    @Override
    public int copyToHostAsync(ByteBuffer dst, long dstByteOffset, long src, long bytes, long stream) {
        return JCuda.cudaMemcpyAsync(host(dst, dstByteOffset), dev(src), bytes, D2H, stream(stream));
    }

    @Override
    public int copyDeviceAsync(long dst, long src, long bytes, long stream) {
        return JCuda.cudaMemcpyAsync(dev(dst), dev(src), bytes, D2D, stream(stream));
    }

    @Override
    public int moduleLoad(String ptx, long[] module) {
        CUmodule m = new CUmodule();
        byte[] text = (ptx + "\0").getBytes(StandardCharsets.US_ASCII);
        int rc = JCudaDriver.cuModuleLoadData(m, text);
        module[0] = rc == 0 ? add(modules, m) : 0;
        return rc;
    }

    @Override
    public int moduleFunction(long module, String name, long[] function) {
        CUfunction f = new CUfunction();
        int rc = JCudaDriver.cuModuleGetFunction(f, get(modules, module), name);
        function[0] = rc == 0 ? add(functions, f) : 0;
        return rc;
    }

    @Override
    public int moduleUnload(long module) {
        return JCudaDriver.cuModuleUnload(get(modules, module));
    }

    @Override
    public int launch(long function, String name, int gridX, int gridY, int block, long stream, Object[] args) {
        Pointer[] ps = new Pointer[args.length];
        for (int i = 0; i < args.length; i++) {
            ps[i] = param(args[i]);
        }
        cudaStream_t s = stream(stream);
        return JCudaDriver.cuLaunchKernel(get(functions, function), gridX, gridY, 1, block, 1, 1, 0,
            s == null ? null : new CUstream(s), Pointer.to(ps), null);
    }

    private static Pointer param(Object a) {
        if (a instanceof Long l) {
            return Pointer.to(new long[] {l});
        }
        if (a instanceof Integer n) {
            return Pointer.to(new int[] {n});
        }
        if (a instanceof Float v) {
            return Pointer.to(new float[] {v});
        }
        if (a instanceof int[] struct) {
            return Pointer.to(struct);
        }
        if (a instanceof DevPtr p) {
            return Pointer.to(new long[] {p.address()});
        }
        if (a == null) {
            return Pointer.to(new long[] {0});
        }
        throw new IllegalArgumentException("unsupported kernel argument " + a.getClass());
    }

    @Override
    public int cublasCreate(long[] handle) {
        cublasHandle h = new cublasHandle();
        int rc = JCublas2.cublasCreate(h);
        handle[0] = rc == 0 ? add(blas, h) : 0;
        return rc;
    }

    @Override
    public int cublasDestroy(long handle) {
        return JCublas2.cublasDestroy(get(blas, handle));
    }

    @Override
    public int cublasSetStream(long handle, long stream) {
        return JCublas2.cublasSetStream(get(blas, handle), stream(stream));
    }

    @Override
    public int cublasSetMathMode(long handle, int mode) {
        return JCublas2.cublasSetMathMode(get(blas, handle), mode);
    }

    @Override
    public int cublasSetWorkspace(long handle, long address, long bytes) {
        return JCublas2.cublasSetWorkspace(get(blas, handle), dev(address), bytes);
    }

    @Override
    public int cublasVersion(int[] version) {
        int[] major = {0};
        int[] minor = {0};
        int[] patch = {0};
        int rc = JCublas2.cublasGetProperty(0, major);
        rc = rc != 0 ? rc : JCublas2.cublasGetProperty(1, minor);
        rc = rc != 0 ? rc : JCublas2.cublasGetProperty(2, patch);
        version[0] = major[0] * 10000 + minor[0] * 100 + patch[0];
        return rc;
    }

    @Override
    public int sgemm(long handle, int opA, int opB, int m, int n, int k, float alpha, long a, int lda, long b, int ldb,
                     float beta, long c, int ldc) {
        return JCublas2.cublasSgemm(get(blas, handle), opA, opB, m, n, k, scalar(alpha), dev(a), lda, dev(b), ldb,
            scalar(beta), dev(c), ldc);
    }

    @Override
    public int sgemmStridedBatched(long handle, int opA, int opB, int m, int n, int k, float alpha, long a, int lda,
                                   long strideA, long b, int ldb, long strideB, float beta, long c, int ldc,
                                   long strideC, int batch) {
        return JCublas2.cublasSgemmStridedBatched(get(blas, handle), opA, opB, m, n, k, scalar(alpha), dev(a), lda,
            strideA, dev(b), ldb, strideB, scalar(beta), dev(c), ldc, strideC, batch);
    }

    @Override
    public String cublasStatusName(int status) {
        return cublasStatus.stringFor(status);
    }

    @Override
    public String runtimeErrorName(int status) {
        return cudaError.stringFor(status);
    }

    @Override
    public String driverErrorName(int status) {
        return CUresult.stringFor(status);
    }

    /** A JCuda pointer whose native address is a given device address (and that reads one back). */
    static final class DevicePointer extends Pointer {
        DevicePointer() {
            super();
        }

        private DevicePointer(long address) {
            super(address);
        }

        static Pointer of(long address) {
            return new DevicePointer(address);
        }

        long address() {
            return getNativePointer() + getByteOffset();
        }
    }
}
