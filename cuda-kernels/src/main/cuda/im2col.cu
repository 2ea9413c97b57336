// im2col and col2im over a whole batch (or a chunk of it) for convolutions through cuBLAS when cuDNN is not
// used, so that a convolution is one im2col launch and one (strided-batched) GEMM whatever the batch size.
// Column layout: sample s, column-matrix row `row` (= (c*kh + ki)*kw + kj) and output pixel p (= r*ow + q)
// live at col[s*sampleStride + row*rowStride + p]: per-sample blocks for the forward and backward-data GEMMs
// (sampleStride = C*kh*kw*OH*OW, rowStride = OH*OW), one wide matrix [C*kh*kw, N*OH*OW] for the
// backward-filter GEMM (sampleStride = OH*OW, rowStride = N*OH*OW).
// im2col: one thread per (sample, channel, output pixel) writes its kh*kw column entries (Caffe's scheme).
// col2im: one thread per input pixel gathers the entries of exactly the windows that contain it (the
// window range is computed, not searched; deterministic, no atomics). transposeNK turns dy [N, K, S] into
// [K, N*S] for the backward-filter GEMM. Launch: 1-D grid-stride, 32-bit index arithmetic while the index
// fits. Memory traffic: im2col reads each input pixel about kh*kw/(sh*sw) times and writes the column
// matrix once; col2im the reverse; transposeNK reads and writes each element once.
#include "common.cuh"

struct ConvGeo {
    int c, h, w, kh, kw, sh, sw, ph, pw, oh, ow;
};

template <typename I>
__device__ inline void im2colOne(I e, ConvGeo g, const float* x, float* col, long long sampleStride,
                                 long long rowStride) {
    int q = (int) (e % g.ow);
    I t = e / g.ow;
    int r = (int) (t % g.oh);
    t = t / g.oh;
    int ch = (int) (t % g.c);
    long long s = (long long) (t / g.c);
    const float* plane = x + (s * g.c + ch) * g.h * g.w;
    float* out = col + s * sampleStride + (long long) ch * g.kh * g.kw * rowStride + (long long) r * g.ow + q;
    int h0 = r * g.sh - g.ph;
    int w0 = q * g.sw - g.pw;
    for (int ki = 0; ki < g.kh; ki++) {
        int ih = h0 + ki;
        for (int kj = 0; kj < g.kw; kj++) {
            int iw = w0 + kj;
            float v = ih >= 0 && ih < g.h && iw >= 0 && iw < g.w ? plane[ih * g.w + iw] : 0.0f;
            out[(long long) (ki * g.kw + kj) * rowStride] = v;
        }
    }
}

extern "C" __global__ void im2colBatch(ConvGeo g, int n, const float* x, float* col, long long sampleStride,
                                       long long rowStride) {
    long long total = (long long) n * g.c * g.oh * g.ow;
    GRID_STRIDE(e, total) {
        if (total < 2147483647LL) {
            im2colOne<int>((int) e, g, x, col, sampleStride, rowStride);
        } else {
            im2colOne<long long>(e, g, x, col, sampleStride, rowStride);
        }
    }
}

template <typename I>
__device__ inline float col2imOne(I e, ConvGeo g, const float* col, long long sampleStride, long long rowStride) {
    int iw = (int) (e % g.w);
    I t = e / g.w;
    int ih = (int) (t % g.h);
    t = t / g.h;
    int ch = (int) (t % g.c);
    long long s = (long long) (t / g.c);
    int hp = ih + g.ph;
    int wp = iw + g.pw;
    int r0 = hp < g.kh ? 0 : (hp - g.kh) / g.sh + 1;
    int r1 = min(g.oh - 1, hp / g.sh);
    int q0 = wp < g.kw ? 0 : (wp - g.kw) / g.sw + 1;
    int q1 = min(g.ow - 1, wp / g.sw);
    const float* base = col + s * sampleStride + (long long) ch * g.kh * g.kw * rowStride;
    float sum = 0.0f;
    for (int r = r0; r <= r1; r++) {
        int ki = hp - r * g.sh;
        for (int q = q0; q <= q1; q++) {
            int kj = wp - q * g.sw;
            sum += base[(long long) (ki * g.kw + kj) * rowStride + (long long) r * g.ow + q];
        }
    }
    return sum;
}

extern "C" __global__ void col2imBatch(ConvGeo g, int n, const float* col, long long sampleStride,
                                       long long rowStride, float* dx) {
    long long total = (long long) n * g.c * g.h * g.w;
    GRID_STRIDE(e, total) {
        dx[e] = total < 2147483647LL ? col2imOne<int>((int) e, g, col, sampleStride, rowStride)
                                     : col2imOne<long long>(e, g, col, sampleStride, rowStride);
    }
}

// dst[k, n, s] = src[n, k, s]: [N, K, S] to [K, N*S].
extern "C" __global__ void transposeNK(int n, int k, int s, const float* src, float* dst) {
    long long total = (long long) n * k * s;
    GRID_STRIDE(e, total) {
        int si = modIndex(e, s);
        int kk = divModIndex(e, s, k);
        long long ni = total < 2147483647LL ? (long long) ((unsigned int) e / (unsigned int) (s * k)) : e / ((long long) s * k);
        dst[((long long) kk * n + ni) * s + si] = src[e];
    }
}
