package io.jtrain.backend.cuda;

import java.nio.ByteBuffer;

/** A {@link CudaApi} that counts what it forwards ({@link DeviceCounters}); around {@link NullCudaApi}, the
 * recording fake device. */
public final class CountingCudaApi implements CudaApi {
    private final CudaApi d;
    private final DeviceCounters c;

    public CountingCudaApi(CudaApi delegate, DeviceCounters counters) {
        this.d = delegate;
        this.c = counters;
    }

    public DeviceCounters counters() {
        return c;
    }

    @Override
    public int deviceCount(int[] count) {
        return d.deviceCount(count);
    }

    @Override
    public int deviceInfo(int ordinal, DeviceInfo[] out) {
        return d.deviceInfo(ordinal, out);
    }

    @Override
    public int openContext(int ordinal) {
        return d.openContext(ordinal);
    }

    @Override
    public int closeContext(int ordinal) {
        return d.closeContext(ordinal);
    }

    @Override
    public int driverVersion(int[] version) {
        return d.driverVersion(version);
    }

    @Override
    public int memGetInfo(long[] free, long[] total) {
        return d.memGetInfo(free, total);
    }

    @Override
    public int getLastError() {
        return d.getLastError();
    }

    @Override
    public int deviceSynchronize() {
        c.blockingSyncs++;
        return d.deviceSynchronize();
    }

    @Override
    public int streamCreate(long[] stream) {
        return d.streamCreate(stream);
    }

    @Override
    public int streamDestroy(long stream) {
        return d.streamDestroy(stream);
    }

    @Override
    public int streamSynchronize(long stream) {
        c.blockingSyncs++;
        return d.streamSynchronize(stream);
    }

    @Override
    public int eventCreate(long[] event) {
        return d.eventCreate(event);
    }

    @Override
    public int eventRecord(long event, long stream) {
        return d.eventRecord(event, stream);
    }

    @Override
    public int eventQuery(long event) {
        return d.eventQuery(event);
    }

    @Override
    public int eventSynchronize(long event) {
        c.blockingSyncs++;
        return d.eventSynchronize(event);
    }

    @Override
    public int eventDestroy(long event) {
        return d.eventDestroy(event);
    }

    @Override
    public int malloc(long[] address, long bytes) {
        c.deviceAllocs++;
        return d.malloc(address, bytes);
    }

    @Override
    public int free(long address) {
        c.blockingSyncs++;
        return d.free(address);
    }

    @Override
    public int hostAlloc(long bytes, ByteBuffer[] out) {
        c.hostAllocs++;
        return d.hostAlloc(bytes, out);
    }

    @Override
    public int hostFree(ByteBuffer buffer) {
        c.blockingSyncs++;
        return d.hostFree(buffer);
    }

    @Override
    public int copyToDevice(long dst, float[] src, int srcOffset, long count) {
        c.hostToDevice++;
        c.blockingSyncs++;
        return d.copyToDevice(dst, src, srcOffset, count);
    }

    @Override
    public int copyToHost(float[] dst, int dstOffset, long src, long count) {
        c.deviceToHost++;
        c.blockingSyncs++;
        return d.copyToHost(dst, dstOffset, src, count);
    }

    @Override
    public int copyToDeviceAsync(long dst, ByteBuffer src, long srcByteOffset, long bytes, long stream) {
        c.hostToDevice++;
        return d.copyToDeviceAsync(dst, src, srcByteOffset, bytes, stream);
    }

    @Override
    public int copyToHostAsync(ByteBuffer dst, long dstByteOffset, long src, long bytes, long stream) {
        c.deviceToHost++;
        return d.copyToHostAsync(dst, dstByteOffset, src, bytes, stream);
    }

    @Override
    public int copyDeviceAsync(long dst, long src, long bytes, long stream) {
        return d.copyDeviceAsync(dst, src, bytes, stream);
    }

    @Override
    public int moduleLoad(String ptx, long[] module) {
        return d.moduleLoad(ptx, module);
    }

    @Override
    public int moduleFunction(long module, String name, long[] function) {
        return d.moduleFunction(module, name, function);
    }

    @Override
    public int moduleUnload(long module) {
        return d.moduleUnload(module);
    }

    @Override
    public int launch(long function, String name, int gridX, int gridY, int block, long stream, Object[] args) {
        c.launch(name);
        return d.launch(function, name, gridX, gridY, block, stream, args);
    }

    @Override
    public int cublasCreate(long[] handle) {
        return d.cublasCreate(handle);
    }

    @Override
    public int cublasDestroy(long handle) {
        return d.cublasDestroy(handle);
    }

    @Override
    public int cublasSetStream(long handle, long stream) {
        return d.cublasSetStream(handle, stream);
    }

    @Override
    public int cublasSetMathMode(long handle, int mode) {
        return d.cublasSetMathMode(handle, mode);
    }

    @Override
    public int cublasSetWorkspace(long handle, long address, long bytes) {
        return d.cublasSetWorkspace(handle, address, bytes);
    }

    @Override
    public int cublasVersion(int[] version) {
        return d.cublasVersion(version);
    }

    @Override
    public int sgemm(long handle, int opA, int opB, int m, int n, int k, float alpha, long a, int lda, long b, int ldb,
                     float beta, long cc, int ldc) {
        c.launch("cublasSgemm");
        return d.sgemm(handle, opA, opB, m, n, k, alpha, a, lda, b, ldb, beta, cc, ldc);
    }

    @Override
    public int sgemmStridedBatched(long handle, int opA, int opB, int m, int n, int k, float alpha, long a, int lda,
                                   long strideA, long b, int ldb, long strideB, float beta, long cc, int ldc,
                                   long strideC, int batch) {
        c.launch("cublasSgemmStridedBatched");
        return d.sgemmStridedBatched(handle, opA, opB, m, n, k, alpha, a, lda, strideA, b, ldb, strideB, beta, cc, ldc,
            strideC, batch);
    }

    @Override
    public String cublasStatusName(int status) {
        return d.cublasStatusName(status);
    }

    @Override
    public String runtimeErrorName(int status) {
        return d.runtimeErrorName(status);
    }

    @Override
    public String driverErrorName(int status) {
        return d.driverErrorName(status);
    }
}
