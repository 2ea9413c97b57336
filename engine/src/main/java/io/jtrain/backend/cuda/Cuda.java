package io.jtrain.backend.cuda;

import jcuda.driver.CUresult;
import jcuda.jcublas.cublasStatus;
import jcuda.runtime.cudaError;

/** Status checks: every native call's code is checked and named in the error. */
final class Cuda {
    /** cudaErrorMemoryAllocation, CUDA_ERROR_OUT_OF_MEMORY, CUBLAS_STATUS_ALLOC_FAILED. */
    static final int RUNTIME_OOM = 2;
    static final int CUBLAS_ALLOC_FAILED = 3;

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

    /** A failed CUDA, driver or cuBLAS call, with its status code. */
    static final class CudaException extends RuntimeException {
        final int status;

        CudaException(String message, int status) {
            super(message);
            this.status = status;
        }
    }
}
