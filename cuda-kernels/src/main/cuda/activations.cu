// Activations, forward and backward, with the Activation.Kind ordinals of the engine:
// 0 ReLU, 1 LeakyReLU(alpha), 2 ELU(alpha), 3 tanh, 4 sigmoid, 5 linear. Launch: 1-D grid-stride.
// FP32 throughout (expf, expm1f, tanhf). Memory traffic: forward reads x, writes y; backward reads x, y, dy and
// writes dx. NaN semantics match the CPU backend: ReLU maps NaN to 0 (x > 0 is false for NaN).
#include "common.cuh"

__device__ inline float sigmoidf(float x) {
    if (x >= 0) {
        return 1.0f / (1.0f + expf(-x));
    }
    float e = expf(x);
    return e / (1.0f + e);
}

extern "C" __global__ void activationForward(long long n, int kind, float alpha, const float* x, float* y) {
    GRID_STRIDE(i, n) {
        float v = x[i];
        float r;
        switch (kind) {
            case 0: r = v > 0 ? v : 0.0f; break;
            case 1: r = v > 0 ? v : alpha * v; break;
            case 2: r = v > 0 ? v : alpha * expm1f(v); break;
            case 3: r = tanhf(v); break;
            case 4: r = sigmoidf(v); break;
            default: r = v; break;
        }
        y[i] = r;
    }
}

extern "C" __global__ void activationBackward(long long n, int kind, float alpha, const float* x, const float* y,
                                              const float* dy, float* dx) {
    GRID_STRIDE(i, n) {
        float g = dy[i];
        float d;
        switch (kind) {
            case 0: d = x[i] > 0 ? g : 0.0f; break;
            case 1: d = x[i] > 0 ? g : alpha * g; break;
            case 2: d = x[i] > 0 ? g : g * (y[i] + alpha); break;
            case 3: d = g * (1.0f - y[i] * y[i]); break;
            case 4: d = g * y[i] * (1.0f - y[i]); break;
            default: d = g; break;
        }
        dx[i] = d;
    }
}
