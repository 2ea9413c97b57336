package io.jtrain.backend.cuda;

/**
 * Status checks: every native call's code is checked and named in the error. Allocation failures of any
 * library (the runtime's and driver's out-of-memory codes, cuBLAS and cuDNN {@code ALLOC_FAILED}) become
 * the pool's typed out-of-memory exception (exit code 4) when a pool is given.
 */
final class Cuda {
    /** cudaErrorMemoryAllocation and CUDA_ERROR_OUT_OF_MEMORY. */
    static final int RUNTIME_OOM = 2;
    static final int CUBLAS_ALLOC_FAILED = 3;
    /** CUDNN_STATUS_ALLOC_FAILED. */
    static final int CUDNN_ALLOC_FAILED = 2;
    /** cudaErrorNotReady. */
    static final int NOT_READY = 600;

    private Cuda() { }

    static void runtime(CudaApi api, int rc, String call) {
        if (rc != 0) {
            throw new CudaException(call + " failed: " + api.runtimeErrorName(rc) + sticky(rc), rc);
        }
    }

    /** A runtime call whose out-of-memory code is the typed exception. */
    static void runtime(CudaApi api, int rc, String call, CudaMemoryPool pool) {
        if (rc == RUNTIME_OOM && pool != null) {
            throw pool.outOfMemory(call);
        }
        runtime(api, rc, call);
    }

    static void driver(CudaApi api, int rc, String call, CudaMemoryPool pool) {
        if (rc == RUNTIME_OOM && pool != null) {
            throw pool.outOfMemory(call);
        }
        if (rc != 0) {
            throw new CudaException(call + " failed: " + api.driverErrorName(rc) + sticky(rc), rc);
        }
    }

    /** A cuBLAS call; CUBLAS_STATUS_ALLOC_FAILED becomes the pool's typed out-of-memory exception. */
    static void cublas(CudaApi api, int rc, String call, CudaMemoryPool pool) {
        if (rc == CUBLAS_ALLOC_FAILED && pool != null) {
            throw pool.outOfMemory(call + " (cuBLAS could not allocate)");
        }
        if (rc != 0) {
            throw new CudaException(call + " failed: " + api.cublasStatusName(rc), rc);
        }
    }

    /** A cuDNN call; CUDNN_STATUS_ALLOC_FAILED becomes the pool's typed out-of-memory exception. */
    static void cudnn(CudnnApi api, int rc, String call, CudaMemoryPool pool) {
        if (rc == CUDNN_ALLOC_FAILED && pool != null) {
            throw pool.outOfMemory(call + " (cuDNN could not allocate)");
        }
        if (rc != 0) {
            throw new CudaException(call + " failed: " + api.statusName(rc), rc);
        }
    }

    /**
     * Errors after which the CUDA context is unusable until the process ends (illegal address, launch
     * failure, ...; CUDA runtime documentation): named so that the user knows a restart is needed.
     */
    static boolean isSticky(int rc) {
        return rc == 700 || rc == 702 || (rc >= 714 && rc <= 719);
    }

    private static String sticky(int rc) {
        return isSticky(rc) ? " (the GPU context is now unusable; the process must restart)" : "";
    }

    /** A failed CUDA, driver, cuBLAS or cuDNN call, with its status code. */
    static final class CudaException extends RuntimeException {
        final int status;

        CudaException(String message, int status) {
            super(message);
            this.status = status;
        }
    }
}
