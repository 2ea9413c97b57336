package io.jtrain.backend.cuda;

import jcuda.Pointer;
import jcuda.runtime.JCuda;

/**
 * The four runtime calls the device pool makes, behind an interface so that the pool's logic (size classes,
 * cache reuse, emptying the cache and retrying once on out-of-memory, the typed exception) is tested on a
 * machine without a GPU with a fake device ({@code CudaMemoryPoolTest}).
 */
interface DeviceMemory {
    /** cudaMalloc: a status code, {@link Cuda#RUNTIME_OOM} when the device is full. */
    int malloc(Pointer p, long bytes);

    /** cudaFree. */
    int free(Pointer p);

    /** cudaGetLastError: clears the thread's sticky-free error after a failed allocation. */
    void clearError();

    /** cudaMemGetInfo: {free, total}, or {-1, -1} when unknown. */
    long[] info();

    /** The real device, through JCuda's runtime API. */
    DeviceMemory CUDA = new DeviceMemory() {
        @Override
        public int malloc(Pointer p, long bytes) {
            return JCuda.cudaMalloc(p, bytes);
        }

        @Override
        public int free(Pointer p) {
            return JCuda.cudaFree(p);
        }

        @Override
        public void clearError() {
            JCuda.cudaGetLastError();
        }

        @Override
        public long[] info() {
            long[] f = {-1};
            long[] t = {-1};
            return JCuda.cudaMemGetInfo(f, t) == 0 ? new long[] {f[0], t[0]} : new long[] {-1, -1};
        }
    };
}
