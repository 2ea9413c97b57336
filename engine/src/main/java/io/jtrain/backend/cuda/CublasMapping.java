package io.jtrain.backend.cuda;

/**
 * How a row-major product {@code C[M,N] = op(A) op(B)} maps onto column-major {@code cublasSgemm}: a
 * row-major matrix is its column-major transpose, so cuBLAS computes {@code C^T = op(B)^T op(A)^T} with
 * the operands swapped (GPU.md §3). Pure Java, no CUDA: the future CUDA backend passes these values to
 * JCublas2, and the tests check them against a column-major emulator on the CPU.
 *
 * @param transFirst whether cuBLAS's first operand (our B) is transposed
 * @param transSecond whether cuBLAS's second operand (our A) is transposed
 * @param m cuBLAS's m (our N), n cuBLAS's n (our M), k the inner dimension
 * @param ldFirst leading dimension of our B as stored; ldSecond of our A; ldc of C
 */
public record CublasMapping(boolean transFirst, boolean transSecond, int m, int n, int k, int ldFirst, int ldSecond,
                            int ldc) {

    /** The cublasSgemm arguments for row-major C[M,N] = op(A)[M,K] op(B)[K,N]. */
    public static CublasMapping rowMajor(boolean transA, boolean transB, int bigM, int bigN, int bigK) {
        return new CublasMapping(transB, transA, bigN, bigM, bigK, transB ? bigK : bigN, transA ? bigM : bigK, bigN);
    }
}
