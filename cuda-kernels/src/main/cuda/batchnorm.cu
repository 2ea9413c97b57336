// Batch normalisation over x viewed as [N, C, S] (S = H*W, or 1 for [N, F]) — the engine's semantics:
// batch mean and biased variance normalise; running statistics move by momentum with the unbiased
// variance; backward uses the saved mean and 1/std. Launch: one block per channel (grid-stride over
// channels), 256 threads (a power of two), 256 doubles of shared memory for the two-pass reductions
// (deterministic: fixed tree order). Memory traffic: training forward reads x three times and writes y;
// backward reads x and dy twice and writes dx.
#include "common.cuh"

#define BN_THREADS 256

__device__ double blockSum(double v, double* buf) {
    buf[threadIdx.x] = v;
    __syncthreads();
    for (unsigned int half = blockDim.x / 2; half > 0; half /= 2) {
        if (threadIdx.x < half) {
            buf[threadIdx.x] += buf[threadIdx.x + half];
        }
        __syncthreads();
    }
    double r = buf[0];
    __syncthreads();
    return r;
}

__device__ long long bnAt(int n, int c, int s, int ch, long long j) {
    long long i = j / s;
    return (i * c + ch) * s + j % s;
}

extern "C" __global__ void batchNormForwardTraining(int n, int c, int s, float momentum, float eps, const float* x,
                                                    float* y, const float* gamma, const float* beta, float* runMean,
                                                    float* runVar, float* saveMean, float* saveInvStd) {
    __shared__ double buf[BN_THREADS];
    long long m = (long long) n * s;
    for (int ch = blockIdx.x; ch < c; ch += gridDim.x) {
        double sum = 0;
        for (long long j = threadIdx.x; j < m; j += blockDim.x) {
            sum += x[bnAt(n, c, s, ch, j)];
        }
        double mean = blockSum(sum, buf) / m;
        double sq = 0;
        for (long long j = threadIdx.x; j < m; j += blockDim.x) {
            double d = x[bnAt(n, c, s, ch, j)] - mean;
            sq += d * d;
        }
        double var = blockSum(sq, buf) / m;
        float invStd = (float) (1.0 / sqrt(var + eps));
        float scale = gamma[ch] * invStd;
        float fmean = (float) mean;
        for (long long j = threadIdx.x; j < m; j += blockDim.x) {
            long long at = bnAt(n, c, s, ch, j);
            y[at] = (x[at] - fmean) * scale + beta[ch];
        }
        if (threadIdx.x == 0) {
            saveMean[ch] = fmean;
            saveInvStd[ch] = invStd;
            double unbiased = m > 1 ? var * m / (m - 1) : var;
            runMean[ch] = (float) ((1 - momentum) * runMean[ch] + momentum * mean);
            runVar[ch] = (float) ((1 - momentum) * runVar[ch] + momentum * unbiased);
        }
        __syncthreads();
    }
}

extern "C" __global__ void batchNormForwardInference(long long total, int c, int s, float eps, const float* x, float* y,
                                                     const float* gamma, const float* beta, const float* runMean,
                                                     const float* runVar) {
    GRID_STRIDE(i, total) {
        int ch = (int) ((i / s) % c);
        float invStd = (float) (1.0 / sqrt(runVar[ch] + (double) eps));
        y[i] = (x[i] - runMean[ch]) * (gamma[ch] * invStd) + beta[ch];
    }
}

extern "C" __global__ void batchNormBackward(int n, int c, int s, const float* x, const float* dy, float* dx,
                                             const float* gamma, const float* saveMean, const float* saveInvStd,
                                             float* dGamma, float* dBeta) {
    __shared__ double buf[BN_THREADS];
    long long m = (long long) n * s;
    for (int ch = blockIdx.x; ch < c; ch += gridDim.x) {
        float mean = saveMean[ch];
        float invStd = saveInvStd[ch];
        double sDy = 0;
        double sDyX = 0;
        for (long long j = threadIdx.x; j < m; j += blockDim.x) {
            long long at = bnAt(n, c, s, ch, j);
            float g = dy[at];
            sDy += g;
            sDyX += g * (x[at] - mean) * invStd;
        }
        double sumDy = blockSum(sDy, buf);
        double sumDyXhat = blockSum(sDyX, buf);
        float k = gamma[ch] * invStd / m;
        float fDy = (float) sumDy;
        float fDyX = (float) sumDyXhat;
        for (long long j = threadIdx.x; j < m; j += blockDim.x) {
            long long at = bnAt(n, c, s, ch, j);
            float xhat = (x[at] - mean) * invStd;
            dx[at] = k * (m * dy[at] - fDy - xhat * fDyX);
        }
        if (threadIdx.x == 0) {
            dGamma[ch] = (float) (dGamma[ch] + sumDyXhat);
            dBeta[ch] = (float) (dBeta[ch] + sumDy);
        }
        __syncthreads();
    }
}
