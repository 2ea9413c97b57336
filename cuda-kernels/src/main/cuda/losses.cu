// Losses with their gradients, and the row softmax, in FP32. The loss kernels write three per-item arrays
// (item[0..n) loss, item[n..2n) correct, item[2n..3n) invalid target) and lossAccumulate sums them into a
// device accumulator acc[4] = {loss sum, correct count, invalid targets, rows} in a fixed tree order, so a
// training step reads its loss and accuracy with one small download and the logits never leave the
// device. Softmax cross-entropy: one thread per row (numerically stable log-sum-exp); targets are class
// indices (mode 0; a label that is not an integer in [0, C) counts as invalid and contributes nothing) or
// probability rows (mode 1); "correct" is argmax(logits) == label (first maximum, NaN never wins). BCE and
// MSE: one thread per element, its "correct" item the absolute error (for the MAE); BCE's "correct" is the sign match of each logit with its 0/1 target.
// Launch: 1-D grid-stride (lossAccumulate: one block). Memory traffic: logits and targets read twice per
// row, the gradient written once.
#include "common.cuh"

__device__ inline int rowArgmax(const float* v, int cols) {
    int best = 0;
    for (int j = 1; j < cols; j++) {
        if (v[j] > v[best]) {
            best = j;
        }
    }
    return best;
}

extern "C" __global__ void softmaxCrossEntropy(long long rows, int cols, int mode, const float* z, const float* target,
                                               float* dz, float gradScale, float* item) {
    float g = gradScale / rows;
    GRID_STRIDE(r, rows) {
        const float* zr = z + r * cols;
        float* dr = dz + r * cols;
        const float* tr = mode == 0 ? 0 : target + r * cols;
        float lv = mode == 0 ? target[r] : 0.0f;
        int label = (int) lv;
        bool valid = mode != 0 || ((float) label == lv && label >= 0 && label < cols);
        if (!valid) {
            for (int j = 0; j < cols; j++) {
                dr[j] = 0.0f;
            }
            item[r] = 0.0f;
            item[rows + r] = 0.0f;
            item[2 * rows + r] = 1.0f;
            continue;
        }
        float mx = zr[0];
        for (int j = 1; j < cols; j++) {
            mx = fmaxf(mx, zr[j]);
        }
        float sum = 0.0f;
        for (int j = 0; j < cols; j++) {
            sum += expf(zr[j] - mx);
        }
        float logSum = logf(sum) + mx;
        float loss = 0.0f;
        for (int j = 0; j < cols; j++) {
            float logP = zr[j] - logSum;
            float t = mode == 0 ? (j == label ? 1.0f : 0.0f) : tr[j];
            if (t != 0.0f) {
                loss -= t * logP;
            }
            dr[j] = (expf(logP) - t) * g;
        }
        int want = mode == 0 ? label : rowArgmax(tr, cols);
        item[r] = loss;
        item[rows + r] = rowArgmax(zr, cols) == want ? 1.0f : 0.0f;
        item[2 * rows + r] = 0.0f;
    }
}

extern "C" __global__ void softmaxRows(long long rows, int cols, const float* x, float* y) {
    GRID_STRIDE(r, rows) {
        const float* xr = x + r * cols;
        float* yr = y + r * cols;
        float mx = xr[0];
        for (int j = 1; j < cols; j++) {
            mx = fmaxf(mx, xr[j]);
        }
        float sum = 0.0f;
        for (int j = 0; j < cols; j++) {
            float e = expf(xr[j] - mx);
            yr[j] = e;
            sum += e;
        }
        float inv = 1.0f / sum;
        for (int j = 0; j < cols; j++) {
            yr[j] = yr[j] * inv;
        }
    }
}

// dx = y * (dy - sum(dy * y)) per row.
extern "C" __global__ void softmaxRowsBackward(long long rows, int cols, const float* y, const float* dy, float* dx) {
    GRID_STRIDE(r, rows) {
        const float* yr = y + r * cols;
        const float* gr = dy + r * cols;
        float dot = 0.0f;
        for (int j = 0; j < cols; j++) {
            dot += yr[j] * gr[j];
        }
        for (int j = 0; j < cols; j++) {
            dx[r * cols + j] = yr[j] * (gr[j] - dot);
        }
    }
}

__device__ inline float sigmoidStable(float x) {
    if (x >= 0) {
        return 1.0f / (1.0f + expf(-x));
    }
    float e = expf(x);
    return e / (1.0f + e);
}

extern "C" __global__ void bceWithLogits(long long n, const float* z, const float* t, float* dz, float gradScale,
                                         float* item) {
    float g = gradScale / n;
    GRID_STRIDE(i, n) {
        float zi = z[i];
        float ti = t[i];
        bool valid = ti >= 0.0f && ti <= 1.0f;
        if (!valid) {
            dz[i] = 0.0f;
            item[i] = 0.0f;
            item[n + i] = 0.0f;
            item[2 * n + i] = 1.0f;
            continue;
        }
        item[i] = fmaxf(zi, 0.0f) - zi * ti + log1pf(expf(-fabsf(zi)));
        item[n + i] = (zi > 0.0f) == (ti > 0.5f) ? 1.0f : 0.0f;
        item[2 * n + i] = 0.0f;
        dz[i] = (sigmoidStable(zi) - ti) * g;
    }
}

extern "C" __global__ void meanSquaredError(long long n, const float* p, const float* t, float* dp, float gradScale,
                                            float* item) {
    float g = 2.0f * gradScale / n;
    GRID_STRIDE(i, n) {
        float ti = t[i];
        if (!isFiniteValue(ti)) {
            dp[i] = 0.0f;
            item[i] = 0.0f;
            item[n + i] = 0.0f;
            item[2 * n + i] = 1.0f;
            continue;
        }
        float d = p[i] - ti;
        item[i] = d * d;
        item[n + i] = fabsf(d);
        item[2 * n + i] = 0.0f;
        dp[i] = d * g;
    }
}

// One block: acc[0] += lossScale * sum(loss), acc[1] += correctScale * sum(correct), acc[2] += sum(invalid),
// acc[3] += rows.
extern "C" __global__ void lossAccumulate(long long n, float lossScale, float correctScale, float rows,
                                          const float* item, float* acc) {
    __shared__ float shared[REDUCE_THREADS / WARP];
    float l = 0.0f;
    float c = 0.0f;
    float bad = 0.0f;
    for (long long i = threadIdx.x; i < n; i += blockDim.x) {
        l += item[i];
        c += item[n + i];
        bad += item[2 * n + i];
    }
    l = blockSum(l, shared);
    c = blockSum(c, shared);
    bad = blockSum(bad, shared);
    if (threadIdx.x == 0) {
        acc[0] = acc[0] + l * lossScale;
        acc[1] = acc[1] + c * correctScale;
        acc[2] = acc[2] + bad;
        acc[3] = acc[3] + rows;
    }
}
