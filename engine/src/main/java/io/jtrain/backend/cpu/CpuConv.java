package io.jtrain.backend.cpu;

import io.jtrain.backend.ConvSpec;
import io.jtrain.tensor.HostMemory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;

/**
 * Convolution as im2col + GEMM over chunks of S samples at once, so that one GEMM has S*OH*OW columns
 * (small channel counts make per-sample GEMMs inefficient). Filters are [K, C, kh, kw] (PyTorch layout),
 * i.e. a [K, C*kh*kw] row-major matrix. Workspace: a column buffer [C*kh*kw, S*OH*OW] and a staging
 * buffer [K, S*OH*OW]; S is chosen so that both hold at most {@link #targetWorkspace} floats.
 */
final class CpuConv {
    /** Floats of workspace a chunk aims for (16 MiB); tests lower it to exercise several chunks. */
    static long targetWorkspace = 4L << 20;
    private final Gemm gemm;
    private final Parallel par;

    CpuConv(Gemm gemm, Parallel par) {
        this.gemm = gemm;
        this.par = par;
    }

    static long workspaceElements(Shape x, Shape w, ConvSpec s) {
        Geometry g = new Geometry(x, w, s);
        return (long) g.chunk * g.perSample;
    }

    /** y[N,K,OH,OW] = w[K,CKK] * col(x)[CKK, S*OHW] (+ b), chunk by chunk. */
    void forward(Tensor x, Tensor w, Tensor b, Tensor y, ConvSpec s, Tensor ws) {
        Geometry g = Geometry.of(x, w, s).checkOut(y, "convolution").checkWorkspace(ws);
        if (b != null) {
            CpuChecks.checkSize(b, g.k, "convolution bias");
        }
        HostMemory ym = y.mem();
        for (int n0 = 0; n0 < g.n; n0 += g.chunk) {
            int sn = Math.min(g.chunk, g.n - n0);
            int ld = sn * g.ohw;
            int first = n0;
            par.range(sn, (long) g.ckk * g.ohw, (a, z) -> {
                for (int j = a; j < z; j++) {
                    im2col(x.mem(), (first + j) * g.inSample, ws.mem(), j * g.ohw, ld, g);
                }
            });
            long tmp = (long) g.ckk * ld;
            gemm.sgemm(new Gemm.Dims(g.k, ld, g.ckk, false, false), 1f, new Gemm.Mat(w, 0, g.ckk),
                new Gemm.Mat(ws, 0, ld), 0f, new Gemm.Mat(ws, tmp, ld));
            par.range(sn, (long) g.outSample, (a, z) -> scatter(ym, ws.mem(), b, tmp, first, a, z, ld, g));
        }
    }

    /** y[n0+j, k, :] = tmp[k, j*OHW ..] (+ b[k]) for j in [a, z). */
    private static void scatter(HostMemory ym, HostMemory wm, Tensor b, long tmp, int n0, int a, int z, int ld,
                                Geometry g) {
        for (int j = a; j < z; j++) {
            {
                for (int k = 0; k < g.k; k++) {
                    int dst = (n0 + j) * g.outSample + k * g.ohw;
                    int src = (int) (tmp + (long) k * ld + (long) j * g.ohw);
                    if (b == null) {
                        ym.copyFrom(dst, wm, src, g.ohw);
                    } else {
                        float bv = b.mem().get(k);
                        for (int i = 0; i < g.ohw; i++) {
                            ym.put(dst + i, wm.get(src + i) + bv);
                        }
                    }
                }
            }
        }
    }

    /** dcol = w^T dY (chunk); dx = col2im(dcol). */
    void backwardData(Tensor dy, Tensor w, Tensor dx, ConvSpec s, Tensor ws) {
        Geometry g = Geometry.of(dx, w, s).checkOut(dy, "convolution backward").checkWorkspace(ws);
        for (int n0 = 0; n0 < g.n; n0 += g.chunk) {
            int sn = Math.min(g.chunk, g.n - n0);
            int ld = sn * g.ohw;
            long tmp = (long) g.ckk * ld;
            gather(dy.mem(), ws.mem(), (int) tmp, n0, sn, g);
            gemm.sgemm(new Gemm.Dims(g.ckk, ld, g.k, true, false), 1f, new Gemm.Mat(w, 0, g.ckk),
                new Gemm.Mat(ws, tmp, ld), 0f, new Gemm.Mat(ws, 0, ld));
            int first = n0;
            par.range(sn, (long) g.ckk * g.ohw, (a, z) -> {
                for (int j = a; j < z; j++) {
                    col2im(ws.mem(), j * g.ohw, ld, dx.mem(), (first + j) * g.inSample, g);
                }
            });
        }
    }

    /** dw += dY col^T (chunk by chunk); db += per-channel sums of dy. */
    void backwardFilter(Tensor x, Tensor dy, Tensor dw, Tensor db, ConvSpec s, Tensor ws) {
        Geometry g = Geometry.of(x, dw, s).checkOut(dy, "convolution backward").checkWorkspace(ws);
        for (int n0 = 0; n0 < g.n; n0 += g.chunk) {
            int sn = Math.min(g.chunk, g.n - n0);
            int ld = sn * g.ohw;
            int first = n0;
            par.range(sn, (long) g.ckk * g.ohw, (a, z) -> {
                for (int j = a; j < z; j++) {
                    im2col(x.mem(), (first + j) * g.inSample, ws.mem(), j * g.ohw, ld, g);
                }
            });
            long tmp = (long) g.ckk * ld;
            gather(dy.mem(), ws.mem(), (int) tmp, n0, sn, g);
            gemm.sgemm(new Gemm.Dims(g.k, g.ckk, ld, false, true), 1f, new Gemm.Mat(ws, tmp, ld),
                new Gemm.Mat(ws, 0, ld), 1f, new Gemm.Mat(dw, 0, g.ckk));
        }
        if (db != null) {
            CpuChecks.checkSize(db, g.k, "convolution bias gradient");
            channelBiasGrad(dy.mem(), db.mem(), g);
        }
    }

    void close() {
        // nothing native is held here: the workspace belongs to the caller
    }

    /** dY[K, S*OHW] at {@code off} of ws from dy[n0 .. n0+sn). */
    private static void gather(HostMemory dy, HostMemory ws, int off, int n0, int sn, Geometry g) {
        int ld = sn * g.ohw;
        for (int j = 0; j < sn; j++) {
            for (int k = 0; k < g.k; k++) {
                ws.copyFrom(off + k * ld + j * g.ohw, dy, (n0 + j) * g.outSample + k * g.ohw, g.ohw);
            }
        }
    }

    /** Writes sample x[xOff..] as columns [colOff, colOff+OHW) of the [CKK, ld] matrix col. */
    static void im2col(HostMemory x, int xOff, HostMemory col, int colOff, int ld, Geometry g) {
        ConvSpec s = g.spec;
        int row = 0;
        for (int c = 0; c < g.c; c++) {
            int plane = xOff + c * g.h * g.w;
            for (int ki = 0; ki < s.kh(); ki++) {
                for (int kj = 0; kj < s.kw(); kj++, row++) {
                    int dst = row * ld + colOff;
                    int lo = g.validLo(kj);
                    int hi = g.validHi(kj);
                    for (int oh = 0; oh < g.oh; oh++, dst += g.ow) {
                        int ih = oh * s.sh() - s.ph() + ki;
                        if (ih < 0 || ih >= g.h || lo >= hi) {
                            col.zero(dst, g.ow);
                            continue;
                        }
                        int src = plane + ih * g.w - s.pw() + kj;
                        if (lo > 0) {
                            col.zero(dst, lo);
                        }
                        if (s.sw() == 1) {
                            col.copyFrom(dst + lo, x, src + lo, hi - lo);
                        } else {
                            for (int ow = lo; ow < hi; ow++) {
                                col.put(dst + ow, x.get(src + ow * s.sw()));
                            }
                        }
                        if (hi < g.ow) {
                            col.zero(dst + hi, g.ow - hi);
                        }
                    }
                }
            }
        }
    }

    /** dx[dxOff..] = sum of the columns [colOff, colOff+OHW) of the [CKK, ld] matrix col, placed back. */
    static void col2im(HostMemory col, int colOff, int ld, HostMemory dx, int dxOff, Geometry g) {
        ConvSpec s = g.spec;
        dx.zero(dxOff, g.inSample);
        int row = 0;
        for (int c = 0; c < g.c; c++) {
            int plane = dxOff + c * g.h * g.w;
            for (int ki = 0; ki < s.kh(); ki++) {
                for (int kj = 0; kj < s.kw(); kj++, row++) {
                    int src = row * ld + colOff;
                    int lo = g.validLo(kj);
                    int hi = g.validHi(kj);
                    for (int oh = 0; oh < g.oh; oh++, src += g.ow) {
                        int ih = oh * s.sh() - s.ph() + ki;
                        if (ih < 0 || ih >= g.h) {
                            continue;
                        }
                        int dst = plane + ih * g.w - s.pw() + kj;
                        for (int ow = lo; ow < hi; ow++) {
                            int at = dst + ow * s.sw();
                            dx.put(at, dx.get(at) + col.get(src + ow));
                        }
                    }
                }
            }
        }
    }

    private static void channelBiasGrad(HostMemory dy, HostMemory db, Geometry g) {
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
        final int n, c, h, w, k, oh, ow, ohw, ckk, inSample, outSample, chunk;
        final long perSample;
        final ConvSpec spec;

        Geometry(Shape x, Shape wShape, ConvSpec s) {
            if (x.rank() != 4 || wShape.rank() != 4) {
                throw new IllegalArgumentException("convolution needs [N, C, H, W] input and [K, C, kh, kw] filters, got "
                    + x + " and " + wShape);
            }
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
            perSample = (long) (ckk + k) * ohw;
            chunk = (int) Math.max(1, Math.min(Math.max(1, n), targetWorkspace / Math.max(1, perSample)));
        }

        static Geometry of(Tensor x, Tensor w, ConvSpec s) {
            Geometry g = new Geometry(x.shape(), w.shape(), s);
            CpuChecks.checkSize(x, (long) g.n * g.inSample, "convolution");
            return g;
        }

        Geometry checkOut(Tensor y, String op) {
            CpuChecks.checkSize(y, (long) n * outSample, op);
            return this;
        }

        Geometry checkWorkspace(Tensor ws) {
            long need = (long) Math.min(chunk, n) * perSample;
            if (ws == null || ws.size() < need) {
                throw new IllegalArgumentException("convolution workspace too small: need " + need + " floats, got "
                    + (ws == null ? 0 : ws.size()));
            }
            return this;
        }

        /** First output column whose input column (ow*sw - pw + kj) is inside the image. */
        int validLo(int kj) {
            int v = spec.pw() - kj;
            return v <= 0 ? 0 : Math.min(ow, (v + spec.sw() - 1) / spec.sw());
        }

        /** One past the last output column whose input column is inside the image. */
        int validHi(int kj) {
            int v = w + spec.pw() - kj;
            return v <= 0 ? 0 : Math.min(ow, (v + spec.sw() - 1) / spec.sw());
        }
    }
}
