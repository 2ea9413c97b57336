// Losses with their gradients, and the row softmax: one thread per row for softmax cross-entropy and the
// softmax (numerically stable log-sum-exp in double), one thread per element for binary cross-entropy and
// mean squared error. Each writes its per-row (per-element) loss; the host sums them in order, so the
// result is deterministic. Launch: 1-D grid-stride. Memory traffic: reads logits (and targets) twice per
// row, writes the gradient once.
#include "common.cuh"

// target: class indices as floats; dz = (softmax - onehot) * gradScale / rows.
extern "C" __global__ void softmaxCrossEntropy(long long rows, int cols, const float* z, const float* target,
                                               float* dz, float gradScale, float* rowLoss) {
    float g = gradScale / rows;
    GRID_STRIDE(r, rows) {
        const float* zr = z + r * cols;
        float mx = zr[0];
        for (int j = 1; j < cols; j++) {
            mx = fmaxf(mx, zr[j]);
        }
        double sum = 0;
        for (int j = 0; j < cols; j++) {
            sum += exp((double) (zr[j] - mx));
        }
        double logSum = log(sum) + mx;
        int label = (int) target[r];
        double loss = 0;
        for (int j = 0; j < cols; j++) {
            double logP = zr[j] - logSum;
            double t = j == label ? 1.0 : 0.0;
            if (t != 0) {
                loss -= logP;
            }
            dz[r * cols + j] = (float) ((exp(logP) - t) * g);
        }
        rowLoss[r] = (float) loss;
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
        double sum = 0;
        for (int j = 0; j < cols; j++) {
            float e = (float) exp((double) (xr[j] - mx));
            yr[j] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int j = 0; j < cols; j++) {
            yr[j] = yr[j] * inv;
        }
    }
}

__device__ float sigmoidStable(float x) {
    if (x >= 0) {
        return (float) (1.0 / (1.0 + exp((double) -x)));
    }
    double e = exp((double) x);
    return (float) (e / (1.0 + e));
}

extern "C" __global__ void bceWithLogits(long long n, const float* z, const float* t, float* dz, float gradScale,
                                         float* loss) {
    float g = gradScale / n;
    GRID_STRIDE(i, n) {
        float zi = z[i];
        float ti = t[i];
        loss[i] = (float) (fmaxf(zi, 0.0f) - zi * ti + log1p(exp(-fabs((double) zi))));
        dz[i] = (sigmoidStable(zi) - ti) * g;
    }
}

extern "C" __global__ void meanSquaredError(long long n, const float* p, const float* t, float* dp, float gradScale,
                                            float* loss) {
    float g = 2.0f * gradScale / n;
    GRID_STRIDE(i, n) {
        float d = p[i] - t[i];
        loss[i] = d * d;
        dp[i] = d * g;
    }
}
