// Max and average pooling over N*C planes of H x W (the engine's semantics: max pooling routes the
// gradient to the first maximum of each window in row-major order, NaN wins, padding never does; average
// pooling divides by kh*kw, padding counted). Backward passes gather per input pixel over exactly the
// windows that contain it: the output rows r with r*sh - ph <= ih < r*sh - ph + kh (and likewise columns)
// are computed from ih, not searched (deterministic, no atomics). Launch: 1-D grid-stride over outputs
// (forward) or inputs (backward), 32-bit index arithmetic while the index fits. Memory traffic: forward
// reads each window (kh*kw floats per output); max backward re-reads the windows containing the pixel.
#include "common.cuh"

struct PoolGeo {
    int h, w, kh, kw, sh, sw, ph, pw, oh, ow;
};

// Index (in the plane) of the first maximum of window (r, q); NaN beats every number.
__device__ inline int windowArgmax(PoolGeo g, const float* plane, int r, int q) {
    int h0 = r * g.sh - g.ph;
    int w0 = q * g.sw - g.pw;
    int best = -1;
    float bv = 0.0f;
    int hEnd = min(h0 + g.kh, g.h);
    int wEnd = min(w0 + g.kw, g.w);
    for (int ih = max(h0, 0); ih < hEnd; ih++) {
        for (int iw = max(w0, 0); iw < wEnd; iw++) {
            float v = plane[ih * g.w + iw];
            if (best < 0 || v > bv || (v != v && bv == bv)) {
                best = ih * g.w + iw;
                bv = v;
            }
        }
    }
    return best;
}

// The first and last output index whose window (stride st, size k, padding p) contains input index i.
__device__ inline int firstWindow(int i, int k, int st, int p) {
    int ip = i + p;
    return ip < k ? 0 : (ip - k) / st + 1;
}

__device__ inline int lastWindow(int i, int st, int p, int outSize) {
    return min(outSize - 1, (i + p) / st);
}

// Decomposes an output (or input) element index e of planes of size rows x cols into (plane, row, col).
__device__ inline void planeRowCol(long long e, int rows, int cols, long long* plane, int* row, int* col) {
    if (e < 2147483647LL) {
        unsigned int u = (unsigned int) e;
        *col = (int) (u % (unsigned int) cols);
        unsigned int t = u / (unsigned int) cols;
        *row = (int) (t % (unsigned int) rows);
        *plane = t / (unsigned int) rows;
    } else {
        *col = (int) (e % cols);
        long long t = e / cols;
        *row = (int) (t % rows);
        *plane = t / rows;
    }
}

extern "C" __global__ void maxPoolForward(long long planes, PoolGeo g, const float* x, float* y) {
    GRID_STRIDE(e, planes * g.oh * g.ow) {
        long long p;
        int r;
        int q;
        planeRowCol(e, g.oh, g.ow, &p, &r, &q);
        const float* plane = x + p * g.h * g.w;
        y[e] = plane[windowArgmax(g, plane, r, q)];
    }
}

extern "C" __global__ void maxPoolBackward(long long planes, PoolGeo g, const float* x, const float* dy, float* dx) {
    GRID_STRIDE(e, planes * g.h * g.w) {
        long long p;
        int ih;
        int iw;
        planeRowCol(e, g.h, g.w, &p, &ih, &iw);
        int at = ih * g.w + iw;
        const float* plane = x + p * g.h * g.w;
        const float* dyp = dy + p * g.oh * g.ow;
        float s = 0.0f;
        int r1 = lastWindow(ih, g.sh, g.ph, g.oh);
        int q0 = firstWindow(iw, g.kw, g.sw, g.pw);
        int q1 = lastWindow(iw, g.sw, g.pw, g.ow);
        for (int r = firstWindow(ih, g.kh, g.sh, g.ph); r <= r1; r++) {
            for (int q = q0; q <= q1; q++) {
                if (windowArgmax(g, plane, r, q) == at) {
                    s += dyp[r * g.ow + q];
                }
            }
        }
        dx[e] = s;
    }
}

extern "C" __global__ void avgPoolForward(long long planes, PoolGeo g, const float* x, float* y) {
    float inv = 1.0f / (g.kh * g.kw);
    GRID_STRIDE(e, planes * g.oh * g.ow) {
        long long p;
        int r;
        int q;
        planeRowCol(e, g.oh, g.ow, &p, &r, &q);
        const float* plane = x + p * g.h * g.w;
        int h0 = r * g.sh - g.ph;
        int w0 = q * g.sw - g.pw;
        int hEnd = min(h0 + g.kh, g.h);
        int wEnd = min(w0 + g.kw, g.w);
        float s = 0.0f;
        for (int ih = max(h0, 0); ih < hEnd; ih++) {
            for (int iw = max(w0, 0); iw < wEnd; iw++) {
                s += plane[ih * g.w + iw];
            }
        }
        y[e] = s * inv;
    }
}

extern "C" __global__ void avgPoolBackward(long long planes, PoolGeo g, const float* dy, float* dx) {
    float inv = 1.0f / (g.kh * g.kw);
    GRID_STRIDE(e, planes * g.h * g.w) {
        long long p;
        int ih;
        int iw;
        planeRowCol(e, g.h, g.w, &p, &ih, &iw);
        const float* dyp = dy + p * g.oh * g.ow;
        float s = 0.0f;
        int r1 = lastWindow(ih, g.sh, g.ph, g.oh);
        int q0 = firstWindow(iw, g.kw, g.sw, g.pw);
        int q1 = lastWindow(iw, g.sw, g.pw, g.ow);
        for (int r = firstWindow(ih, g.kh, g.sh, g.ph); r <= r1; r++) {
            for (int q = q0; q <= q1; q++) {
                s += dyp[r * g.ow + q] * inv;
            }
        }
        dx[e] = s;
    }
}
