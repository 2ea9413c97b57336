// Max and average pooling over N*C planes of H x W (the engine's semantics: max-pooling routes the
// gradient to the first maximum of each window, NaN wins, padding never does; average pooling divides by
// kh*kw, padding counted). Backward passes gather per input pixel over the windows that contain it
// (deterministic, no atomics). Launch: 1-D grid-stride over outputs (forward) or inputs (backward).
// Memory traffic: forward reads each window (kh*kw floats per output); backward re-reads them.
#include "common.cuh"

struct PoolGeo {
    int h, w, kh, kw, sh, sw, ph, pw, oh, ow;
};

__device__ int windowArgmax(PoolGeo g, const float* plane, int r, int q) {
    int h0 = r * g.sh - g.ph;
    int w0 = q * g.sw - g.pw;
    int best = -1;
    float bv = 0.0f;
    for (int ih = h0 < 0 ? 0 : h0; ih < (h0 + g.kh < g.h ? h0 + g.kh : g.h); ih++) {
        for (int iw = w0 < 0 ? 0 : w0; iw < (w0 + g.kw < g.w ? w0 + g.kw : g.w); iw++) {
            float v = plane[ih * g.w + iw];
            if (best < 0 || v > bv || (v != v && bv == bv)) {
                best = ih * g.w + iw;
                bv = v;
            }
        }
    }
    return best;
}

extern "C" __global__ void maxPoolForward(long long planes, PoolGeo g, const float* x, float* y) {
    GRID_STRIDE(e, planes * g.oh * g.ow) {
        long long p = e / ((long long) g.oh * g.ow);
        int r = (int) ((e / g.ow) % g.oh);
        int q = (int) (e % g.ow);
        const float* plane = x + p * g.h * g.w;
        y[e] = plane[windowArgmax(g, plane, r, q)];
    }
}

extern "C" __global__ void maxPoolBackward(long long planes, PoolGeo g, const float* x, const float* dy, float* dx) {
    GRID_STRIDE(e, planes * g.h * g.w) {
        long long p = e / ((long long) g.h * g.w);
        int at = (int) (e % ((long long) g.h * g.w));
        int ih = at / g.w;
        int iw = at % g.w;
        const float* plane = x + p * g.h * g.w;
        float s = 0.0f;
        for (int r = 0; r < g.oh; r++) {
            int h0 = r * g.sh - g.ph;
            if (ih < h0 || ih >= h0 + g.kh) {
                continue;
            }
            for (int q = 0; q < g.ow; q++) {
                int w0 = q * g.sw - g.pw;
                if (iw >= w0 && iw < w0 + g.kw && windowArgmax(g, plane, r, q) == at) {
                    s += dy[(p * g.oh + r) * g.ow + q];
                }
            }
        }
        dx[e] = s;
    }
}

extern "C" __global__ void avgPoolForward(long long planes, PoolGeo g, const float* x, float* y) {
    float inv = 1.0f / (g.kh * g.kw);
    GRID_STRIDE(e, planes * g.oh * g.ow) {
        long long p = e / ((long long) g.oh * g.ow);
        int r = (int) ((e / g.ow) % g.oh);
        int q = (int) (e % g.ow);
        const float* plane = x + p * g.h * g.w;
        int h0 = r * g.sh - g.ph;
        int w0 = q * g.sw - g.pw;
        float s = 0.0f;
        for (int ih = h0 < 0 ? 0 : h0; ih < (h0 + g.kh < g.h ? h0 + g.kh : g.h); ih++) {
            for (int iw = w0 < 0 ? 0 : w0; iw < (w0 + g.kw < g.w ? w0 + g.kw : g.w); iw++) {
                s += plane[ih * g.w + iw];
            }
        }
        y[e] = s * inv;
    }
}

extern "C" __global__ void avgPoolBackward(long long planes, PoolGeo g, const float* dy, float* dx) {
    float inv = 1.0f / (g.kh * g.kw);
    GRID_STRIDE(e, planes * g.h * g.w) {
        long long p = e / ((long long) g.h * g.w);
        int at = (int) (e % ((long long) g.h * g.w));
        int ih = at / g.w;
        int iw = at % g.w;
        float s = 0.0f;
        for (int r = 0; r < g.oh; r++) {
            int h0 = r * g.sh - g.ph;
            if (ih < h0 || ih >= h0 + g.kh) {
                continue;
            }
            for (int q = 0; q < g.ow; q++) {
                int w0 = q * g.sw - g.pw;
                if (iw >= w0 && iw < w0 + g.kw) {
                    s += dy[(p * g.oh + r) * g.ow + q] * inv;
                }
            }
        }
        dx[e] = s;
    }
}
