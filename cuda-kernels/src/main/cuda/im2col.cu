// im2col and col2im for convolutions through cuBLAS GEMM when cuDNN is not used. One sample at a time:
// im2col writes the [C*kh*kw, OH*OW] column block of sample x (at column offset colOff of a matrix with
// leading dimension ld); col2im sums it back into dx with a gather per input pixel (deterministic, no
// atomics). Launch: 1-D grid-stride over output elements. Memory traffic: im2col reads each input pixel
// kh*kw/(sh*sw) times on average and writes C*kh*kw*OH*OW floats; col2im the reverse.
#include "common.cuh"

struct ConvGeo {
    int c, h, w, kh, kw, sh, sw, ph, pw, oh, ow;
};

extern "C" __global__ void im2col(ConvGeo g, const float* x, float* col, int ld, int colOff) {
    long long total = (long long) g.c * g.kh * g.kw * g.oh * g.ow;
    GRID_STRIDE(e, total) {
        int q = (int) (e % g.ow);
        int r = (int) ((e / g.ow) % g.oh);
        int row = (int) (e / ((long long) g.ow * g.oh));
        int kj = row % g.kw;
        int ki = (row / g.kw) % g.kh;
        int c = row / (g.kw * g.kh);
        int ih = r * g.sh - g.ph + ki;
        int iw = q * g.sw - g.pw + kj;
        float v = ih >= 0 && ih < g.h && iw >= 0 && iw < g.w ? x[((long long) c * g.h + ih) * g.w + iw] : 0.0f;
        col[(long long) row * ld + colOff + (long long) r * g.ow + q] = v;
    }
}

extern "C" __global__ void col2im(ConvGeo g, const float* col, int ld, int colOff, float* dx) {
    long long total = (long long) g.c * g.h * g.w;
    GRID_STRIDE(e, total) {
        int iw = (int) (e % g.w);
        int ih = (int) ((e / g.w) % g.h);
        int c = (int) (e / ((long long) g.w * g.h));
        double s = 0;
        for (int ki = 0; ki < g.kh; ki++) {
            int t = ih + g.ph - ki;
            if (t < 0 || t % g.sh != 0 || t / g.sh >= g.oh) {
                continue;
            }
            int r = t / g.sh;
            for (int kj = 0; kj < g.kw; kj++) {
                int u = iw + g.pw - kj;
                if (u < 0 || u % g.sw != 0 || u / g.sw >= g.ow) {
                    continue;
                }
                int q = u / g.sw;
                int row = (c * g.kh + ki) * g.kw + kj;
                s += col[(long long) row * ld + colOff + (long long) r * g.ow + q];
            }
        }
        dx[e] = (float) s;
    }
}
