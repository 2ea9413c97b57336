// Reductions, all deterministic (fixed tree order, no atomics) and in FP32:
// - channelPartials: per channel of x viewed as [N, C, S] (S = H*W, or 1 for [N, F]), partial sums over a
//   chunk of the samples. 2-D grid: blockIdx.x = chunk (of `chunks`, chosen by the host from N and C only,
//   so results do not depend on the GPU), blockIdx.y = channel (grid-stride). Each thread walks its
//   elements with 32-bit index arithmetic (the host checks N*S < 2^31), warp-shuffle trees then a shared
//   tree combine the block. Modes: 0 sum of a (bias gradients); 1 moments of a shifted by the channel's
//   first element (batch-norm statistics: the shift keeps the one-pass variance accurate); 2 sum of dy and
//   of dy*(x - mean) (batch-norm backward); 3 unit statistics (max, count above hi, count below lo,
//   non-finite count; the live doctor). Writes partial[(channel * chunks + chunk) * 4 + q].
// - the finalisers: one warp per channel combines that channel's chunks (lane-strided, then a shuffle tree).
// - sumSquaresPartial / statsPartial (over fixed parts of the input) with their single-block finalisers
//   (gradient clipping, tensor statistics).
// Every result depends only on the inputs and the chunk/part counts the host passes, never on the grid.
// Memory traffic: each input read once; partials are a few floats per block.
#include "common.cuh"

#define CH_SUM 0
#define CH_MOMENTS 1
#define CH_BN_BACKWARD 2
#define CH_UNIT_STATS 3

extern "C" __global__ void channelPartials(int n, int c, int s, int chunks, int mode, const float* a, const float* b,
                                           const float* mean, float hi, float lo, float* partial) {
    __shared__ float shared[REDUCE_THREADS / WARP];
    for (int chunk = blockIdx.x; chunk < chunks; chunk += gridDim.x) {
        int n0 = (int) ((long long) chunk * n / chunks);
        int n1 = (int) ((long long) (chunk + 1) * n / chunks);
        int count = (n1 - n0) * s;
        for (int ch = blockIdx.y; ch < c; ch += gridDim.y) {
            float shift = mode == CH_MOMENTS ? a[(long long) ch * s] : 0.0f;
            float mu = mode == CH_BN_BACKWARD ? mean[ch] : 0.0f;
            float q0 = mode == CH_UNIT_STATS ? -INFINITY : 0.0f;
            float q1 = 0.0f;
            float q2 = 0.0f;
            float q3 = 0.0f;
            for (int j = threadIdx.x; j < count; j += blockDim.x) {
                int ni = n0 + j / s;
                int si = j - (j / s) * s;
                long long at = ((long long) ni * c + ch) * s + si;
                float v = a[at];
                if (mode == CH_SUM) {
                    q0 += v;
                } else if (mode == CH_MOMENTS) {
                    float d = v - shift;
                    q0 += d;
                    q1 += d * d;
                } else if (mode == CH_BN_BACKWARD) {
                    float g = b[at];
                    q0 += g;
                    q1 += g * (v - mu);
                } else if (isFiniteValue(v)) {
                    q0 = fmaxf(q0, v);
                    q1 += v > hi ? 1.0f : 0.0f;
                    q2 += v < lo ? 1.0f : 0.0f;
                } else {
                    q3 += 1.0f;
                }
            }
            float r0 = mode == CH_UNIT_STATS ? blockMax(q0, shared) : blockSum(q0, shared);
            float r1 = blockSum(q1, shared);
            float r2 = blockSum(q2, shared);
            float r3 = blockSum(q3, shared);
            if (threadIdx.x == 0) {
                float* p = partial + ((long long) ch * chunks + chunk) * 4;
                p[0] = r0;
                p[1] = r1;
                p[2] = r2;
                p[3] = r3;
            }
        }
    }
}

// The combined value of quantity q of channel ch over its chunks, on every lane of the calling warp's lane 0.
__device__ inline float chunkSum(const float* partial, int ch, int chunks, int q) {
    int lane = threadIdx.x % WARP;
    float v = 0.0f;
    for (int k = lane; k < chunks; k += WARP) {
        v += partial[((long long) ch * chunks + k) * 4 + q];
    }
    return warpSum(v);
}

__device__ inline float chunkMax(const float* partial, int ch, int chunks, int q) {
    int lane = threadIdx.x % WARP;
    float v = -INFINITY;
    for (int k = lane; k < chunks; k += WARP) {
        v = fmaxf(v, partial[((long long) ch * chunks + k) * 4 + q]);
    }
    return warpMax(v);
}

// One warp per channel: warp w of block b handles channel b * (blockDim / 32) + w, grid-stride.
#define FOR_CHANNEL_WARP(ch, c) \
    for (int ch = (int) ((blockIdx.x * blockDim.x + threadIdx.x) / WARP); ch < (c); \
         ch += (int) (gridDim.x * blockDim.x / WARP))

// out[ch] += sum of quantity 0 (bias gradients accumulate).
extern "C" __global__ void channelSumFinalize(int c, int chunks, const float* partial, float* out) {
    FOR_CHANNEL_WARP(ch, c) {
        float v = chunkSum(partial, ch, chunks, 0);
        if (threadIdx.x % WARP == 0) {
            out[ch] = out[ch] + v;
        }
    }
}

// Batch statistics from the shifted moments: mean, biased variance, 1/std saved for the backward pass;
// running statistics move by momentum with the unbiased variance.
extern "C" __global__ void bnStatsFinalize(int c, int chunks, long long m, int s, float momentum, float eps,
                                           const float* x, const float* partial, float* runMean, float* runVar,
                                           float* saveMean, float* saveInvStd) {
    FOR_CHANNEL_WARP(ch, c) {
        float s1 = chunkSum(partial, ch, chunks, 0);
        float s2 = chunkSum(partial, ch, chunks, 1);
        if (threadIdx.x % WARP == 0) {
            float fm = (float) m;
            float d = s1 / fm;
            float mean = x[(long long) ch * s] + d;
            float var = fmaxf(0.0f, s2 / fm - d * d);
            float invStd = 1.0f / sqrtf(var + eps);
            saveMean[ch] = mean;
            saveInvStd[ch] = invStd;
            float unbiased = m > 1 ? var * fm / (fm - 1.0f) : var;
            runMean[ch] = (1.0f - momentum) * runMean[ch] + momentum * mean;
            runVar[ch] = (1.0f - momentum) * runVar[ch] + momentum * unbiased;
        }
    }
}

// dGamma += sum(dy * xhat), dBeta += sum(dy); sums[2ch] = sum(dy), sums[2ch + 1] = sum(dy * xhat) for dx.
extern "C" __global__ void bnBackwardFinalize(int c, int chunks, const float* partial, const float* invStd,
                                              float* dGamma, float* dBeta, float* sums) {
    FOR_CHANNEL_WARP(ch, c) {
        float sumDy = chunkSum(partial, ch, chunks, 0);
        float sumDyXmu = chunkSum(partial, ch, chunks, 1);
        if (threadIdx.x % WARP == 0) {
            float sumDyXhat = sumDyXmu * invStd[ch];
            dGamma[ch] = dGamma[ch] + sumDyXhat;
            dBeta[ch] = dBeta[ch] + sumDy;
            sums[2 * ch] = sumDy;
            sums[2 * ch + 1] = sumDyXhat;
        }
    }
}

// out[ch * 4 ..] = {max of finite values, count above hi, count below lo, non-finite count}.
extern "C" __global__ void unitStatsFinalize(int c, int chunks, const float* partial, float* out) {
    FOR_CHANNEL_WARP(ch, c) {
        float mx = chunkMax(partial, ch, chunks, 0);
        float above = chunkSum(partial, ch, chunks, 1);
        float below = chunkSum(partial, ch, chunks, 2);
        float bad = chunkSum(partial, ch, chunks, 3);
        if (threadIdx.x % WARP == 0) {
            out[ch * 4] = mx;
            out[ch * 4 + 1] = above;
            out[ch * 4 + 2] = below;
            out[ch * 4 + 3] = bad;
        }
    }
}

// Part p of `parts` equal ranges of x: partial[p] = sum of x[i]^2 over the range (the parts, not the grid,
// fix the summation order, so the result does not depend on the launch).
extern "C" __global__ void sumSquaresPartial(long long n, int parts, const float* x, float* partial) {
    __shared__ float shared[REDUCE_THREADS / WARP];
    for (int part = blockIdx.x; part < parts; part += gridDim.x) {
        long long from = (long long) part * n / parts;
        long long to = (long long) (part + 1) * n / parts;
        float s = 0.0f;
        for (long long i = from + threadIdx.x; i < to; i += blockDim.x) {
            float v = x[i];
            s += v * v;
        }
        s = blockSum(s, shared);
        if (threadIdx.x == 0) {
            partial[part] = s;
        }
    }
}

// Single block: the global norm over `count` partial sums of squares; out = {norm, scale}, scale = 1 when
// the norm is within maxNorm, else maxNorm / (norm + 1e-6) (what the CPU backend computes).
extern "C" __global__ void clipFinalize(int count, const float* partial, float maxNorm, float* out) {
    __shared__ float shared[REDUCE_THREADS / WARP];
    float s = 0.0f;
    for (int i = threadIdx.x; i < count; i += blockDim.x) {
        s += partial[i];
    }
    s = blockSum(s, shared);
    if (threadIdx.x == 0) {
        float norm = sqrtf(s);
        out[0] = norm;
        out[1] = norm > maxNorm ? maxNorm / (norm + 1e-6f) : 1.0f;
    }
}

// Block-combines the six statistics of the calling threads and thread 0 stores them at p[0..6).
__device__ inline void storeStats(float sum, float sq, float mn, float mx, float bad, float zeros, float* shared,
                                  float* p) {
    float r0 = blockSum(sum, shared);
    float r1 = blockSum(sq, shared);
    float r2 = -blockMax(-mn, shared);
    float r3 = blockMax(mx, shared);
    float r4 = blockSum(bad, shared);
    float r5 = blockSum(zeros, shared);
    if (threadIdx.x == 0) {
        p[0] = r0;
        p[1] = r1;
        p[2] = r2;
        p[3] = r3;
        p[4] = r4;
        p[5] = r5;
    }
}

// Part p of `parts` equal ranges of x: {sum, sum of squares, min, max} of its finite values, then its
// {non-finite, zero} counts, into partial[p * 6 ..].
extern "C" __global__ void statsPartial(long long n, int parts, const float* x, float* partial) {
    __shared__ float shared[REDUCE_THREADS / WARP];
    for (int part = blockIdx.x; part < parts; part += gridDim.x) {
        long long from = (long long) part * n / parts;
        long long to = (long long) (part + 1) * n / parts;
        float sum = 0.0f;
        float sq = 0.0f;
        float mn = INFINITY;
        float mx = -INFINITY;
        float bad = 0.0f;
        float zeros = 0.0f;
        for (long long i = from + threadIdx.x; i < to; i += blockDim.x) {
            float v = x[i];
            if (isFiniteValue(v)) {
                sum += v;
                sq += v * v;
                mn = fminf(mn, v);
                mx = fmaxf(mx, v);
                zeros += v == 0.0f ? 1.0f : 0.0f;
            } else {
                bad += 1.0f;
            }
        }
        storeStats(sum, sq, mn, mx, bad, zeros, shared, partial + (long long) part * 6);
    }
}

// Single block: combines `blocks` statsPartial results into out[0..5] (same layout).
extern "C" __global__ void statsFinalize(int blocks, const float* partial, float* out) {
    __shared__ float shared[REDUCE_THREADS / WARP];
    float sum = 0.0f;
    float sq = 0.0f;
    float mn = INFINITY;
    float mx = -INFINITY;
    float bad = 0.0f;
    float zeros = 0.0f;
    for (int i = threadIdx.x; i < blocks; i += blockDim.x) {
        const float* p = partial + (long long) i * 6;
        sum += p[0];
        sq += p[1];
        mn = fminf(mn, p[2]);
        mx = fmaxf(mx, p[3]);
        bad += p[4];
        zeros += p[5];
    }
    storeStats(sum, sq, mn, mx, bad, zeros, shared, out);
}
