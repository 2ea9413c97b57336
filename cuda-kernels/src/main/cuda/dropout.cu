// Inverted dropout with the engine's counter-based generator (io.jtrain.util.CounterRng): the mask of
// element i is a pure function of (seed, i), so the CPU and GPU draw identical masks in any order.
// Launch: 1-D grid-stride. Memory traffic: reads x, writes mask and y.
#include "common.cuh"

__device__ unsigned long long mix64(unsigned long long z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

__device__ float counterUniform(unsigned long long seed, unsigned long long index) {
    unsigned long long z = mix64(seed + (index + 1ULL) * 0x9E3779B97F4A7C15ULL);
    return (float) (z >> 40) * (1.0f / 16777216.0f);
}

extern "C" __global__ void dropoutForward(long long n, float p, unsigned long long seed, const float* x, float* mask,
                                          float* y) {
    float keep = p >= 1.0f ? 0.0f : 1.0f / (1.0f - p);
    GRID_STRIDE(i, n) {
        float m = counterUniform(seed, (unsigned long long) i) >= p ? keep : 0.0f;
        mask[i] = m;
        y[i] = x[i] * m;
    }
}
