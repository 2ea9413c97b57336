// Element-wise ops of the Backend interface: fill, axpy, scale, multiply, clamp, and the row bias of
// dense layers. Launch: 1-D grid, any block size (256 used); each thread handles elements i, i + stride, ...
// Memory traffic: one read per input and one write per output element; rowBiasGrad reads dy once.
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

extern "C" __global__ void multiplyValues(long long n, const float* a, const float* b, float* out) {
    GRID_STRIDE(i, n) { out[i] = a[i] * b[i]; }
}

extern "C" __global__ void clampValues(long long n, float lo, float hi, float* x) {
    GRID_STRIDE(i, n) { x[i] = fmaxf(lo, fminf(hi, x[i])); }
}

// y[r, j] += b[j] for y [rows, f]
extern "C" __global__ void addRowBias(long long rows, int f, const float* b, float* y) {
    GRID_STRIDE(i, rows * f) { y[i] = y[i] + b[i % f]; }
}

// db[j] += sum_r dy[r, j]; one thread per column, rows summed in order (deterministic), in double.
extern "C" __global__ void rowBiasGrad(long long rows, int f, const float* dy, float* db) {
    GRID_STRIDE(j, (long long) f) {
        double s = 0;
        for (long long r = 0; r < rows; r++) {
            s += dy[r * f + j];
        }
        db[j] = (float) (db[j] + s);
    }
}

// y[n, k, s] += b[k] for y [N, K, S] (convolution bias)
extern "C" __global__ void addChannelBias(long long total, int k, int s, const float* b, float* y) {
    GRID_STRIDE(i, total) { y[i] = y[i] + b[(i / s) % k]; }
}

// db[k] += sum over n and s of dy[n, k, s]; one thread per channel, in a fixed order, in double.
extern "C" __global__ void channelBiasGrad(int n, int k, int s, const float* dy, float* db) {
    GRID_STRIDE(c, (long long) k) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            const float* p = dy + ((long long) i * k + c) * s;
            for (int j = 0; j < s; j++) {
                sum += p[j];
            }
        }
        db[c] = (float) (db[c] + sum);
    }
}
