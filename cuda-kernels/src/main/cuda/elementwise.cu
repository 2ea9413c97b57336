// Element-wise ops of the Backend interface: fill, axpy, scale (by a host or a device scalar), multiply,
// clamp, and the broadcast biases of dense and convolution layers. Launch: 1-D grid, 256 threads; each
// thread handles elements i, i + stride, ... Memory traffic: one read per input and one write per output
// element. Index arithmetic is 32-bit while the index fits (modIndex). Bias gradients are reductions
// (reductions.cu).
#include "common.cuh"

extern "C" __global__ void fillValues(long long n, float v, float* x) {
    GRID_STRIDE(i, n) { x[i] = v; }
}

// y += a * x
extern "C" __global__ void axpy(long long n, float a, const float* x, float* y) {
    GRID_STRIDE(i, n) { y[i] = y[i] + a * x[i]; }
}

extern "C" __global__ void scaleValues(long long n, float a, float* x) {
    GRID_STRIDE(i, n) { x[i] = x[i] * a; }
}

// x *= s[0], a scale that lives on the device (gradient clipping without a host round trip).
extern "C" __global__ void scaleByDeviceScalar(long long n, const float* s, float* x) {
    float a = s[0];
    GRID_STRIDE(i, n) { x[i] = x[i] * a; }
}

extern "C" __global__ void multiplyValues(long long n, const float* a, const float* b, float* out) {
    GRID_STRIDE(i, n) { out[i] = a[i] * b[i]; }
}

extern "C" __global__ void clampValues(long long n, float lo, float hi, float* x) {
    GRID_STRIDE(i, n) { x[i] = fmaxf(lo, fminf(hi, x[i])); }
}

// y[r, j] += b[j] for y [rows, f]
extern "C" __global__ void addRowBias(long long rows, int f, const float* b, float* y) {
    GRID_STRIDE(i, rows * f) { y[i] = y[i] + b[modIndex(i, f)]; }
}

// y[n, k, s] += b[k] for y [N, K, S] (convolution bias)
extern "C" __global__ void addChannelBias(long long total, int k, int s, const float* b, float* y) {
    GRID_STRIDE(i, total) { y[i] = y[i] + b[divModIndex(i, s, k)]; }
}
