package io.jtrain.backend.cpu;

import io.jtrain.tensor.HostMemory;
import io.jtrain.tensor.Tensor;

/**
 * Row-major single-precision matrix product on host tensors, {@code C = alpha op(A) op(B) + beta C}:
 * OpenBLAS when its native library loads, otherwise a plain-Java implementation.
 */
interface Gemm {

    /** A matrix inside a tensor: element offset and leading dimension (row stride). */
    record Mat(Tensor t, long offset, int ld) { }

    /** Sizes: op(A) is [m, k], op(B) is [k, n], C is [m, n]. */
    record Dims(int m, int n, int k, boolean transA, boolean transB) { }

    void sgemm(Dims d, float alpha, Mat a, Mat b, float beta, Mat c);

    /**
     * The sum of squares of the n floats of {@code x}, accumulated in float (OpenBLAS's SIMD sdot: many partial
     * sums; the Java fallback: four chains); +∞ or NaN when a value is not finite, or when the sum overflows.
     */
    float sumSquares(HostMemory x, int n);

    /** "OpenBLAS 0.3.28 (Haswell), 2 threads" or "pure Java". */
    String description();
}
