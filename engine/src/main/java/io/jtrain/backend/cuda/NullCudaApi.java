package io.jtrain.backend.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A {@link CudaApi} without a device: every call succeeds and computes nothing. Allocations get distinct
 * fake addresses out of {@code totalBytes} of pretend memory (cudaErrorMemoryAllocation beyond it), copies
 * to the host deliver zeros, page-locked memory is plain direct memory. Wrapped in {@link CountingCudaApi}
 * it is the recording fake device on which the step budget is measured without a GPU; tests extend it to
 * inject failures (a cuBLAS that does not load, frees that fail after a sticky error).
 */
public class NullCudaApi implements CudaApi {
    /** What the fake device reports: a Hopper-class GPU. */
    public static final DeviceInfo DEVICE = new DeviceInfo("jtrain fake GPU (records, computes nothing)", 9, 0,
        80L << 30, 132);
    private final long totalBytes;
    private long next = 1L << 32;
    private long used;
    private final java.util.Map<Long, Long> sizes = new java.util.HashMap<>();
    private long handles;

    public NullCudaApi() {
        this(DEVICE.totalBytes());
    }

    public NullCudaApi(long totalBytes) {
        this.totalBytes = totalBytes;
    }

    private long handle(long[] out) {
        out[0] = ++handles;
        return 0;
    }

    @Override
    public int deviceCount(int[] count) {
        count[0] = 1;
        return 0;
    }

    @Override
    public int deviceInfo(int ordinal, DeviceInfo[] out) {
        out[0] = new DeviceInfo(DEVICE.name(), DEVICE.ccMajor(), DEVICE.ccMinor(), totalBytes, DEVICE.multiprocessors());
        return 0;
    }

    @Override
    public int openContext(int ordinal) {
        return 0;
    }

    @Override
    public int closeContext(int ordinal) {
        return 0;
    }

    @Override
    public int driverVersion(int[] version) {
        version[0] = 12040;
        return 0;
    }

    @Override
    public int memGetInfo(long[] free, long[] total) {
        free[0] = totalBytes - used;
        total[0] = totalBytes;
        return 0;
    }

    @Override
    public int getLastError() {
        return 0;
    }

    @Override
    public int deviceSynchronize() {
        return 0;
    }

    @Override
    public int streamCreate(long[] stream) {
        return (int) handle(stream);
    }

    @Override
    public int streamDestroy(long stream) {
        return 0;
    }

    @Override
    public int streamSynchronize(long stream) {
        return 0;
    }

    @Override
    public int eventCreate(long[] event) {
        return (int) handle(event);
    }

    @Override
    public int eventRecord(long event, long stream) {
        return 0;
    }

    @Override
    public int eventQuery(long event) {
        return 0;
    }

    @Override
    public int eventSynchronize(long event) {
        return 0;
    }

    @Override
    public int eventDestroy(long event) {
        return 0;
    }

    @Override
    public int malloc(long[] address, long bytes) {
        if (used + bytes > totalBytes) {
            return Cuda.RUNTIME_OOM;
        }
        used += bytes;
        address[0] = next;
        sizes.put(next, bytes);
        next += (bytes + 255) / 256 * 256 + 256;
        return 0;
    }

    @Override
    public int free(long address) {
        Long b = sizes.remove(address);
        if (b == null) {
            return 1;
        }
        used -= b;
        return 0;
    }

    /** Bytes currently allocated on the fake device. */
    public long usedBytes() {
        return used;
    }

    @Override
    public int hostAlloc(long bytes, ByteBuffer[] out) {
        out[0] = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
        return 0;
    }

    @Override
    public int hostFree(ByteBuffer buffer) {
        return 0;
    }

    @Override
    public int copyToDevice(long dst, float[] src, int srcOffset, long count) {
        return 0;
    }

    @Override
    public int copyToHost(float[] dst, int dstOffset, long src, long count) {
        java.util.Arrays.fill(dst, dstOffset, (int) (dstOffset + count), 0f);
        return 0;
    }

    @Override
    public int copyToDeviceAsync(long dst, ByteBuffer src, long srcByteOffset, long bytes, long stream) {
        return 0;
    }

    @Override
    public int copyToHostAsync(ByteBuffer dst, long dstByteOffset, long src, long bytes, long stream) {
        for (long i = 0; i < bytes; i++) {
            dst.put((int) (dstByteOffset + i), (byte) 0);
        }
        return 0;
    }

    @Override
    public int copyDeviceAsync(long dst, long src, long bytes, long stream) {
        return 0;
    }

    @Override
    public int moduleLoad(String ptx, long[] module) {
        return (int) handle(module);
    }

    @Override
    public int moduleFunction(long module, String name, long[] function) {
        return (int) handle(function);
    }

    @Override
    public int moduleUnload(long module) {
        return 0;
    }

    @Override
    public int launch(long function, String name, int gridX, int gridY, int block, long stream, Object[] args) {
        return 0;
    }

    @Override
    public int cublasCreate(long[] handle) {
        return (int) handle(handle);
    }

    @Override
    public int cublasDestroy(long handle) {
        return 0;
    }

    @Override
    public int cublasSetStream(long handle, long stream) {
        return 0;
    }

    @Override
    public int cublasSetMathMode(long handle, int mode) {
        return 0;
    }

    @Override
    public int cublasSetWorkspace(long handle, long address, long bytes) {
        return 0;
    }

    @Override
    public int cublasVersion(int[] version) {
        version[0] = 120000;
        return 0;
    }

    @Override
    public int sgemm(long handle, int opA, int opB, int m, int n, int k, float alpha, long a, int lda, long b, int ldb,
                     float beta, long c, int ldc) {
        return 0;
    }

    @Override
    public int sgemmStridedBatched(long handle, int opA, int opB, int m, int n, int k, float alpha, long a, int lda,
                                   long strideA, long b, int ldb, long strideB, float beta, long c, int ldc,
                                   long strideC, int batch) {
        return 0;
    }

    @Override
    public String cublasStatusName(int status) {
        return jcuda.jcublas.cublasStatus.stringFor(status);
    }

    @Override
    public String runtimeErrorName(int status) {
        return jcuda.runtime.cudaError.stringFor(status);
    }

    @Override
    public String driverErrorName(int status) {
        return jcuda.driver.CUresult.stringFor(status);
    }
}
