package io.jtrain.backend.cuda;

import java.nio.ByteBuffer;

/**
 * Every CUDA runtime, driver and cuBLAS call the CUDA backend makes, as status codes (0 = success; the
 * runtime's, driver's or cuBLAS's own codes otherwise). Device memory is named by plain {@code long}
 * addresses; streams, events, modules, kernels and cuBLAS handles by opaque {@code long} handles. Three
 * implementations: {@link JCudaApi} (the GPU, through JCuda), {@link NullCudaApi} (no device: records
 * nothing, computes nothing; behind {@link CountingCudaApi} it is the recording fake device of the step
 * budget) and, in the tests, an emulated device that runs the kernels' sources on the CPU. The backend
 * checks every code ({@link Cuda}); implementations never throw for a failed call, only for a library that
 * cannot load ({@link LinkageError}).
 */
public interface CudaApi {

    /** What the backend needs to know about a device. */
    record DeviceInfo(String name, int ccMajor, int ccMinor, long totalBytes, int multiprocessors) { }

    /** A kernel argument that is a device pointer (null device pointers are passed as {@code null}). */
    record DevPtr(long address) { }

    int deviceCount(int[] count);

    /** Properties of device {@code ordinal} into {@code out[0]}. */
    int deviceInfo(int ordinal, DeviceInfo[] out);

    /** Makes the device's primary context current on this thread (cudaSetDevice, cuInit, retain, set). */
    int openContext(int ordinal);

    /** Releases the primary context retained by {@link #openContext}. */
    int closeContext(int ordinal);

    int driverVersion(int[] version);

    int memGetInfo(long[] free, long[] total);

    /** cudaGetLastError: returns and clears the thread's last error. */
    int getLastError();

    int deviceSynchronize();

    int streamCreate(long[] stream);

    int streamDestroy(long stream);

    int streamSynchronize(long stream);

    int eventCreate(long[] event);

    int eventRecord(long event, long stream);

    /** 0 when the event has completed, cudaErrorNotReady (600) while it has not. */
    int eventQuery(long event);

    int eventSynchronize(long event);

    int eventDestroy(long event);

    int malloc(long[] address, long bytes);

    int free(long address);

    /** Page-locked host memory of {@code bytes} into {@code out[0]} (a direct buffer). */
    int hostAlloc(long bytes, ByteBuffer[] out);

    int hostFree(ByteBuffer buffer);

    /** Synchronous copy of {@code count} floats from a Java array to the device (blocks the host). */
    int copyToDevice(long dst, float[] src, int srcOffset, long count);

    /** Synchronous copy of {@code count} floats from the device to a Java array (blocks the host). */
    int copyToHost(float[] dst, int dstOffset, long src, long count);

    /** Asynchronous copy from page-locked host memory to the device, on {@code stream}. */
    int copyToDeviceAsync(long dst, ByteBuffer src, long srcByteOffset, long bytes, long stream);

    /** Asynchronous copy from the device to page-locked host memory, on {@code stream}. */
    int copyToHostAsync(ByteBuffer dst, long dstByteOffset, long src, long bytes, long stream);

    int copyDeviceAsync(long dst, long src, long bytes, long stream);

    /** Loads a PTX module with the driver's JIT. */
    int moduleLoad(String ptx, long[] module);

    int moduleFunction(long module, String name, long[] function);

    int moduleUnload(long module);

    /**
     * Launches a kernel on a {@code gridX x gridY} grid of {@code block} threads. Arguments: {@link Long} for
     * long long, {@link Integer} for int, {@link Float} for float, {@code int[]} for a struct of ints,
     * {@link DevPtr} (or null) for a pointer. {@code name} is only for tools that record launches.
     */
    int launch(long function, String name, int gridX, int gridY, int block, long stream, Object[] args);

    int cublasCreate(long[] handle);

    int cublasDestroy(long handle);

    int cublasSetStream(long handle, long stream);

    int cublasSetMathMode(long handle, int mode);

    int cublasSetWorkspace(long handle, long address, long bytes);

    /** cuBLAS version as major * 10000 + minor * 100 + patch. */
    int cublasVersion(int[] version);

    /** Column-major cublasSgemm (op codes 0 = N, 1 = T), host-side alpha and beta. */
    int sgemm(long handle, int opA, int opB, int m, int n, int k, float alpha, long a, int lda, long b, int ldb,
              float beta, long c, int ldc);

    /** Column-major cublasSgemmStridedBatched. */
    int sgemmStridedBatched(long handle, int opA, int opB, int m, int n, int k, float alpha, long a, int lda,
                            long strideA, long b, int ldb, long strideB, float beta, long c, int ldc, long strideC,
                            int batch);

    /** cuBLAS's name for a status code. */
    String cublasStatusName(int status);

    /** The runtime's name for an error code. */
    String runtimeErrorName(int status);

    /** The driver's name for a result code. */
    String driverErrorName(int status);
}
