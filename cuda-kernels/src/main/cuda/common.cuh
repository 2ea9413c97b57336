// Shared definitions of jtrain's CUDA kernels. Every kernel is extern "C" (stable names for
// cuModuleGetFunction), written as a grid-stride loop over its output elements, deterministic (no
// atomics: gradients that gather from several outputs loop over them in a fixed order; reductions use a
// fixed tree order), computes in FP32, and is compiled to PTX for compute_75 (see build-ptx.sh). The same
// sources run on the CPU under cuda-kernels/src/test/emu, which emulates blocks, barriers, shared memory
// and warp shuffles.
#pragma once

#define GRID_STRIDE(i, n) \
    for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
         i += (long long) blockDim.x * gridDim.x)

// Threads per block of the reduction kernels (a multiple of the warp size; the launcher uses 256).
#define REDUCE_THREADS 256
#define WARP 32

// True for finite values (NaN - NaN and inf - inf are NaN); IEEE arithmetic, no fast-math.
__device__ inline bool isFiniteValue(float v) {
    return v - v == 0.0f;
}

// i % m for non-negative i: 32-bit arithmetic while i fits (the common case), 64-bit beyond.
__device__ inline int modIndex(long long i, int m) {
    return i < 2147483647LL ? (int) ((unsigned int) i % (unsigned int) m) : (int) (i % m);
}

// (i / d) % m for non-negative i, with the same 32-bit fast path.
__device__ inline int divModIndex(long long i, int d, int m) {
    if (i < 2147483647LL) {
        return (int) (((unsigned int) i / (unsigned int) d) % (unsigned int) m);
    }
    return (int) ((i / d) % m);
}

// Sum over the warp by a shuffle tree (fixed order: deterministic). Lane 0 holds the result.
__device__ inline float warpSum(float v) {
    for (int d = WARP / 2; d > 0; d /= 2) {
        v += __shfl_down_sync(0xffffffffu, v, d);
    }
    return v;
}

__device__ inline float warpMax(float v) {
    for (int d = WARP / 2; d > 0; d /= 2) {
        v = fmaxf(v, __shfl_down_sync(0xffffffffu, v, d));
    }
    return v;
}

// Sum over a block of REDUCE_THREADS threads: warp trees, then a tree over the warps' sums in shared
// memory. Every thread must call it; thread 0 receives the result (the others get an unspecified value).
__device__ inline float blockSum(float v, float* shared) {
    v = warpSum(v);
    int lane = threadIdx.x % WARP;
    int w = threadIdx.x / WARP;
    if (lane == 0) {
        shared[w] = v;
    }
    __syncthreads();
    float r = 0.0f;
    if (w == 0) {
        r = lane < (int) (blockDim.x / WARP) ? shared[lane] : 0.0f;
        r = warpSum(r);
    }
    __syncthreads();
    return r;
}

__device__ inline float blockMax(float v, float* shared) {
    v = warpMax(v);
    int lane = threadIdx.x % WARP;
    int w = threadIdx.x / WARP;
    if (lane == 0) {
        shared[w] = v;
    }
    __syncthreads();
    float r = -INFINITY;
    if (w == 0) {
        r = lane < (int) (blockDim.x / WARP) ? shared[lane] : -INFINITY;
        r = warpMax(r);
    }
    __syncthreads();
    return r;
}
