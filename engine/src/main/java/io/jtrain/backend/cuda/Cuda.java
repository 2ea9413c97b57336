package io.jtrain.backend.cuda;

import jcuda.driver.CUresult;
import jcuda.jcublas.cublasStatus;
import jcuda.jcudnn.cudnnStatus;
import jcuda.runtime.cudaError;

/** Status checks: every native call's code is checked and named in the error. */
final class Cuda {
    /** cudaErrorMemoryAllocation, CUDA_ERROR_OUT_OF_MEMORY, CUBLAS_STATUS_ALLOC_FAILED. */
    static final int RUNTIME_OOM = 2;
    static final int CUBLAS_ALLOC_FAILED = 3;
    /** CUDNN_STATUS_ALLOC_FAILED. */
    static final int CUDNN_ALLOC_FAILED = 2;

    private Cuda() { }

    static void runtime(int rc, String call) {
        if (rc != 0) {
            throw new CudaException(call + " failed: " + cudaError.stringFor(rc), rc);
        }
    }

    static void driver(int rc, String call) {
        if (rc != 0) {
            throw new CudaException(call + " failed: " + CUresult.stringFor(rc), rc);
        }
    }

    static void cublas(int rc, String call) {
        if (rc != 0) {
            throw new CudaException(call + " failed: " + cublasStatus.stringFor(rc), rc);
        }
    }

    /** A cuBLAS call; CUBLAS_STATUS_ALLOC_FAILED becomes the pool's typed out-of-memory exception. */
    static void cublas(int rc, String call, CudaMemoryPool pool) {
        if (rc == CUBLAS_ALLOC_FAILED) {
            throw pool.outOfMemory(call + " (cuBLAS could not allocate)");
        }
        cublas(rc, call);
    }

    /** A cuDNN call; CUDNN_STATUS_ALLOC_FAILED becomes the pool's typed out-of-memory exception. */
    static void cudnn(int rc, String call, CudaMemoryPool pool) {
        if (rc == CUDNN_ALLOC_FAILED) {
            throw pool.outOfMemory(call + " (cuDNN could not allocate)");
        }
        if (rc != 0) {
            throw new CudaException(call + " failed: " + cudnnStatus.stringFor(rc), rc);
        }
    }

    /** A failed CUDA, driver or cuBLAS call, with its status code. */
    static final class CudaException extends RuntimeException {
        final int status;

        CudaException(String message, int status) {
            super(message);
            this.status = status;
        }
    }
}
