// Optimizer updates with PyTorch's formulas (the same as the CPU backend's CpuOptim). Scalars that
// depend on the step (Adam's bias corrections) are computed once on the host and passed in, so both
// backends use the same float values. Launch: 1-D grid-stride over parameters.
// Memory traffic: SGD reads w, g (and v) and writes w (and v); Adam reads w, g, m, v and writes w, m, v.
#include "common.cuh"

// velocity may be null when momentum == 0; first != 0 on the first step (v = g).
extern "C" __global__ void sgdStep(long long n, float lr, float momentum, float wd, int nesterov, int first,
                                   float* w, const float* g, float* v) {
    GRID_STRIDE(i, n) {
        float wi = w[i];
        float gi = g[i] + wd * wi;
        if (momentum != 0.0f) {
            float vi = first ? gi : momentum * v[i] + gi;
            v[i] = vi;
            gi = nesterov ? gi + momentum * vi : vi;
        }
        w[i] = wi - lr * gi;
    }
}

// stepSize = lr / (1 - beta1^t), bc2Sqrt = sqrt(1 - beta2^t); decay = 1 - lr*wd for AdamW else 1; l2 = wd for Adam.
extern "C" __global__ void adamStep(long long n, float b1, float b2, float eps, float stepSize, float bc2Sqrt,
                                    float decay, float l2, float* w, const float* g, float* m, float* v) {
    GRID_STRIDE(i, n) {
        float w0 = w[i];
        float wi = w0 * decay;
        float gi = g[i] + l2 * w0;
        float mi = b1 * m[i] + (1 - b1) * gi;
        float vi = b2 * v[i] + (1 - b2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        float denom = sqrtf(vi) / bc2Sqrt + eps;
        w[i] = wi - stepSize * mi / denom;
    }
}

extern "C" __global__ void rmspropStep(long long n, float lr, float rho, float eps, float wd, float* w, const float* g,
                                       float* sq) {
    GRID_STRIDE(i, n) {
        float wi = w[i];
        float gi = g[i] + wd * wi;
        float s = rho * sq[i] + (1 - rho) * gi * gi;
        sq[i] = s;
        w[i] = wi - lr * gi / (sqrtf(s) + eps);
    }
}
