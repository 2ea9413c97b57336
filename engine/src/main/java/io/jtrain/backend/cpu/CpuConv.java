package io.jtrain.backend.cpu;

import io.jtrain.backend.ConvSpec;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.nio.FloatBuffer;

/**
 * Convolution as im2col + GEMM, one sample at a time so the workspace stays at
 * {@code C*kh*kw x OH*OW} floats. Filters are [K, C, kh, kw] (PyTorch layout), i.e. a [K, C*kh*kw]
 * row-major matrix.
 */
final class CpuConv {
    private final Gemm gemm;

    CpuConv(Gemm gemm) {
        this.gemm = gemm;
    }

    static long workspaceElements(Shape x, Shape w, ConvSpec s) {
        long ckk = (long) x.dim(1) * s.kh() * s.kw();
        return ckk * s.outH(x.dim(2)) * s.outW(x.dim(3));
    }

    /** y[N,K,OH,OW] = w[K,CKK] * col(x_n)[CKK, OHW] (+ b). */
    void forward(Tensor x, Tensor w, Tensor b, Tensor y, ConvSpec s, Tensor ws) {
        Geometry g = Geometry.of(x, w, s);
        checkWorkspace(ws, g);
        for (int n = 0; n < g.n; n++) {
            im2col(x.host(), (long) n * g.inSample, ws.host(), g);
            gemm.sgemm(new Gemm.Dims(g.k, g.ohw, g.ckk, false, false), 1f, new Gemm.Mat(w, 0, g.ckk),
                new Gemm.Mat(ws, 0, g.ohw), 0f, new Gemm.Mat(y, (long) n * g.outSample, g.ohw));
        }
        if (b != null) {
            addChannelBias(y.host(), b.host(), g);
        }
    }

    /** dcol = w^T dy_n; dx_n = col2im(dcol). */
    void backwardData(Tensor dy, Tensor w, Tensor dx, ConvSpec s, Tensor ws) {
        Geometry g = Geometry.of(dx, w, s);
        checkWorkspace(ws, g);
        for (int n = 0; n < g.n; n++) {
            gemm.sgemm(new Gemm.Dims(g.ckk, g.ohw, g.k, true, false), 1f, new Gemm.Mat(w, 0, g.ckk),
                new Gemm.Mat(dy, (long) n * g.outSample, g.ohw), 0f, new Gemm.Mat(ws, 0, g.ohw));
            col2im(ws.host(), dx.host(), (long) n * g.inSample, g);
        }
    }

    /** dw += dy_n col(x_n)^T; db += per-channel sums of dy. */
    void backwardFilter(Tensor x, Tensor dy, Tensor dw, Tensor db, ConvSpec s, Tensor ws) {
        Geometry g = Geometry.of(x, dw, s);
        checkWorkspace(ws, g);
        for (int n = 0; n < g.n; n++) {
            im2col(x.host(), (long) n * g.inSample, ws.host(), g);
            gemm.sgemm(new Gemm.Dims(g.k, g.ckk, g.ohw, false, true), 1f,
                new Gemm.Mat(dy, (long) n * g.outSample, g.ohw), new Gemm.Mat(ws, 0, g.ohw), 1f,
                new Gemm.Mat(dw, 0, g.ckk));
        }
        if (db != null) {
            channelBiasGrad(dy.host(), db.host(), g);
        }
    }

    void close() {
        // nothing native is held here: the workspace belongs to the caller
    }

    private static void checkWorkspace(Tensor ws, Geometry g) {
        if (ws == null || ws.size() < (long) g.ckk * g.ohw) {
            throw new IllegalArgumentException("convolution workspace too small: need " + ((long) g.ckk * g.ohw)
                + " floats, got " + (ws == null ? 0 : ws.size()));
        }
    }

    static void im2col(FloatBuffer x, long xOff, FloatBuffer col, Geometry g) {
        ConvSpec s = g.spec;
        int row = 0;
        for (int c = 0; c < g.c; c++) {
            int plane = (int) (xOff + (long) c * g.h * g.w);
            for (int ki = 0; ki < s.kh(); ki++) {
                for (int kj = 0; kj < s.kw(); kj++, row++) {
                    int dst = row * g.ohw;
                    for (int oh = 0; oh < g.oh; oh++) {
                        int ih = oh * s.sh() - s.ph() + ki;
                        if (ih < 0 || ih >= g.h) {
                            for (int ow = 0; ow < g.ow; ow++) {
                                col.put(dst++, 0f);
                            }
                            continue;
                        }
                        int src = plane + ih * g.w;
                        for (int ow = 0; ow < g.ow; ow++) {
                            int iw = ow * s.sw() - s.pw() + kj;
                            col.put(dst++, iw >= 0 && iw < g.w ? x.get(src + iw) : 0f);
                        }
                    }
                }
            }
        }
    }

    static void col2im(FloatBuffer col, FloatBuffer dx, long dxOff, Geometry g) {
        ConvSpec s = g.spec;
        int sample = g.c * g.h * g.w;
        for (int i = 0; i < sample; i++) {
            dx.put((int) (dxOff + i), 0f);
        }
        int row = 0;
        for (int c = 0; c < g.c; c++) {
            int plane = (int) (dxOff + (long) c * g.h * g.w);
            for (int ki = 0; ki < s.kh(); ki++) {
                for (int kj = 0; kj < s.kw(); kj++, row++) {
                    int src = row * g.ohw;
                    for (int oh = 0; oh < g.oh; oh++) {
                        int ih = oh * s.sh() - s.ph() + ki;
                        if (ih < 0 || ih >= g.h) {
                            src += g.ow;
                            continue;
                        }
                        int dst = plane + ih * g.w;
                        for (int ow = 0; ow < g.ow; ow++, src++) {
                            int iw = ow * s.sw() - s.pw() + kj;
                            if (iw >= 0 && iw < g.w) {
                                dx.put(dst + iw, dx.get(dst + iw) + col.get(src));
                            }
                        }
                    }
                }
            }
        }
    }

    private static void addChannelBias(FloatBuffer y, FloatBuffer b, Geometry g) {
        for (int n = 0; n < g.n; n++) {
            for (int k = 0; k < g.k; k++) {
                float bv = b.get(k);
                int base = n * g.outSample + k * g.ohw;
                for (int i = 0; i < g.ohw; i++) {
                    y.put(base + i, y.get(base + i) + bv);
                }
            }
        }
    }

    private static void channelBiasGrad(FloatBuffer dy, FloatBuffer db, Geometry g) {
        for (int k = 0; k < g.k; k++) {
            double s = 0;
            for (int n = 0; n < g.n; n++) {
                int base = n * g.outSample + k * g.ohw;
                for (int i = 0; i < g.ohw; i++) {
                    s += dy.get(base + i);
                }
            }
            db.put(k, (float) (db.get(k) + s));
        }
    }

    /** Sizes of one convolution, derived from the input [N,C,H,W] and filters [K,C,kh,kw]. */
    static final class Geometry {
        final int n, c, h, w, k, oh, ow, ohw, ckk, inSample, outSample;
        final ConvSpec spec;

        private Geometry(Shape x, Shape wShape, ConvSpec s) {
            n = x.dim(0);
            c = x.dim(1);
            h = x.dim(2);
            w = x.dim(3);
            k = wShape.dim(0);
            if (wShape.dim(1) != c || wShape.dim(2) != s.kh() || wShape.dim(3) != s.kw()) {
                throw new IllegalArgumentException("filters " + wShape + " do not match input " + x + " and " + s);
            }
            spec = s;
            oh = s.outH(h);
            ow = s.outW(w);
            ohw = oh * ow;
            ckk = c * s.kh() * s.kw();
            inSample = c * h * w;
            outSample = k * ohw;
        }

        static Geometry of(Tensor x, Tensor w, ConvSpec s) {
            return new Geometry(x.shape(), w.shape(), s);
        }
    }
}
