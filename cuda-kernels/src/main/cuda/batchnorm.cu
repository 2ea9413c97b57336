// Batch normalisation over x viewed as [N, C, S] (S = H*W, or 1 for [N, F]) — the engine's semantics:
// batch mean and biased variance normalise; running statistics move by momentum with the unbiased
// variance; backward uses the saved mean and 1/std. The per-channel statistics are reductions over many
// blocks per channel (reductions.cu: channelPartials + bnStatsFinalize / bnBackwardFinalize); the kernels
// here are the element-wise halves. Launch: 1-D grid-stride, 256 threads, 32-bit channel index while the
// index fits. Memory traffic: each reads x (and dy) once and writes y (dx) once.
#include "common.cuh"

// y = (x - mean[ch]) * gamma[ch] * invStd[ch] + beta[ch], with the saved batch statistics.
extern "C" __global__ void batchNormApply(long long total, int c, int s, const float* x, float* y, const float* gamma,
                                          const float* beta, const float* mean, const float* invStd) {
    GRID_STRIDE(i, total) {
        int ch = divModIndex(i, s, c);
        y[i] = (x[i] - mean[ch]) * (gamma[ch] * invStd[ch]) + beta[ch];
    }
}

extern "C" __global__ void batchNormForwardInference(long long total, int c, int s, float eps, const float* x, float* y,
                                                     const float* gamma, const float* beta, const float* runMean,
                                                     const float* runVar) {
    GRID_STRIDE(i, total) {
        int ch = divModIndex(i, s, c);
        float invStd = 1.0f / sqrtf(runVar[ch] + eps);
        y[i] = (x[i] - runMean[ch]) * (gamma[ch] * invStd) + beta[ch];
    }
}

// dx = gamma * invStd / m * (m * dy - sum(dy) - xhat * sum(dy * xhat)), sums from bnBackwardFinalize.
extern "C" __global__ void batchNormBackwardDx(long long total, int c, int s, long long m, const float* x,
                                               const float* dy, float* dx, const float* gamma, const float* mean,
                                               const float* invStd, const float* sums) {
    float fm = (float) m;
    GRID_STRIDE(i, total) {
        int ch = divModIndex(i, s, c);
        float is = invStd[ch];
        float xhat = (x[i] - mean[ch]) * is;
        float k = gamma[ch] * is / fm;
        dx[i] = k * (fm * dy[i] - sums[2 * ch] - xhat * sums[2 * ch + 1]);
    }
}
