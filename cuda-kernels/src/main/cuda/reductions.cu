// Reductions: per-block partial sums of squares in double (for gradient-norm clipping), combined on the
// host in block order (deterministic). Launch: 1-D grid, block size 256 (a power of two), shared memory
// 256 doubles. Memory traffic: reads x once, writes one double per block.
#include "common.cuh"

extern "C" __global__ void sumSquaresPartial(long long n, const float* x, double* partial) {
    __shared__ double buf[256];
    double s = 0;
    GRID_STRIDE(i, n) {
        double v = x[i];
        s += v * v;
    }
    buf[threadIdx.x] = s;
    __syncthreads();
    for (unsigned int half = blockDim.x / 2; half > 0; half /= 2) {
        if (threadIdx.x < half) {
            buf[threadIdx.x] += buf[threadIdx.x + half];
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        partial[blockIdx.x] = buf[0];
    }
}
