package io.jtrain.backend.cpu;

import io.jtrain.backend.ConvSpec;
import io.jtrain.tensor.Tensor;
import io.jtrain.tensor.HostMemory;

/** Max and average pooling over each (n, c) plane of NCHW tensors. */
final class CpuPooling {
    private CpuPooling() { }

    static void maxForward(Tensor x, Tensor y, ConvSpec s, Parallel par) {
        Planes p = Planes.of(x, s).check(y, x, "max-pool");
        par.range(p.count, (long) p.h * p.w, (a, z) -> maxForward(x.mem(), y.mem(), p, a, z));
    }

    private static void maxForward(HostMemory xb, HostMemory yb, Planes p, int a, int z) {
        if (p.isTwoByTwo()) {
            max2x2Forward(xb, yb, p, a, z);
            return;
        }
        for (int pl = a; pl < z; pl++) {
            int xo = pl * p.h * p.w;
            int yo = pl * p.oh * p.ow;
            for (int oh = 0; oh < p.oh; oh++) {
                for (int ow = 0; ow < p.ow; ow++) {
                    yb.put(yo + oh * p.ow + ow, xb.get(xo + argmax(xb, xo, p, oh, ow)));
                }
            }
        }
    }

    /** dx = dy routed to each window's first maximum; y is the forward output of x (used to find it). */
    static void maxBackward(Tensor x, Tensor y, Tensor dy, Tensor dx, ConvSpec s, Parallel par) {
        Planes p = Planes.of(x, s).check(dy, dx, "max-pool backward");
        CpuChecks.checkSameSize(x, dx, "max-pool backward");
        if (p.isTwoByTwo()) {
            par.range(p.count, (long) p.h * p.w, (a, z) -> max2x2Backward(x.mem(), y.mem(), dy.mem(), dx.mem(), p,
                a, z));
            return;
        }
        dx.mem().zero(0, (int) dx.size());
        par.range(p.count, (long) p.h * p.w, (a, z) -> maxBackward(x.mem(), dy.mem(), dx.mem(), p, a, z));
    }

    private static void maxBackward(HostMemory xb, HostMemory dyb, HostMemory dxb, Planes p, int a, int z) {
        for (int pl = a; pl < z; pl++) {
            int xo = pl * p.h * p.w;
            int yo = pl * p.oh * p.ow;
            for (int oh = 0; oh < p.oh; oh++) {
                for (int ow = 0; ow < p.ow; ow++) {
                    int at = xo + argmax(xb, xo, p, oh, ow);
                    dxb.put(at, dxb.get(at) + dyb.get(yo + oh * p.ow + ow));
                }
            }
        }
    }

    /**
     * 2×2 / stride 2 forward: the maximum of each window, the value the first-maximum rule picks: of -0 and +0
     * (which tie) the first zero; in a window with a NaN, what {@link Math#max} returns (the first NaN operand).
     */
    private static void max2x2Forward(HostMemory xb, HostMemory yb, Planes p, int a, int z) {
        for (int pl = a; pl < z; pl++) {
            int xo = pl * p.h * p.w;
            int yo = pl * p.oh * p.ow;
            for (int oh = 0; oh < p.oh; oh++) {
                int r = xo + 2 * oh * p.w;
                int yi = yo + oh * p.ow;
                for (int ow = 0; ow < p.ow; ow++, r += 2) {
                    int v0 = Float.floatToRawIntBits(xb.get(r));
                    int v1 = Float.floatToRawIntBits(xb.get(r + 1));
                    int v2 = Float.floatToRawIntBits(xb.get(r + p.w));
                    int v3 = Float.floatToRawIntBits(xb.get(r + p.w + 1));
                    if ((isNaN(v0) | isNaN(v1) | isNaN(v2) | isNaN(v3)) != 0) {   // rare: the NaN rule
                        yb.put(yi + ow, withNaN(v0, v1, v2, v3));
                        continue;
                    }
                    // without data-dependent branches: order-preserving ints, an int maximum, and the bits of the
                    // first element equal to it (so of -0 and +0 the first zero, as PyTorch's first-maximum rule)
                    int sa = sortable(v0);
                    int sb = sortable(v1);
                    int sc = sortable(v2);
                    int sd = sortable(v3);
                    int mx = Math.max(Math.max(sa, sb), Math.max(sc, sd));
                    int ka = same(sa, mx);
                    int kb = same(sb, mx) & ~ka;
                    int kc = same(sc, mx) & ~(ka | kb);
                    int kd = ~(ka | kb | kc);
                    yb.put(yi + ow, Float.intBitsToFloat(v0 & ka | v1 & kb | v2 & kc | v3 & kd));
                }
            }
        }
    }

    /**
     * 2×2 / stride 2 backward writing every element of dx once (the windows do not overlap): dy at the window's
     * first maximum — the first element bitwise equal to the forward output y — and 0 elsewhere, including the
     * last row or column an odd size leaves outside every window. A NaN maximum (or a y that is not this x's
     * output) takes the general rule ({@link #first2x2}).
     */
    private static void max2x2Backward(HostMemory xb, HostMemory yb, HostMemory dyb, HostMemory dxb, Planes p, int a,
                                       int z) {
        int w = p.w;
        for (int pl = a; pl < z; pl++) {
            int xo = pl * p.h * w;
            int yo = pl * p.oh * p.ow;
            for (int oh = 0; oh < p.oh; oh++) {
                int r = xo + 2 * oh * w;
                for (int ow = 0; ow < p.ow; ow++, r += 2) {
                    int yi = yo + oh * p.ow + ow;
                    int m = Float.floatToRawIntBits(yb.get(yi));
                    // all-ones masks, without branches on the data: e? = "bitwise equal to y", k? = "the first such"
                    int ea = same(Float.floatToRawIntBits(xb.get(r)), m);
                    int eb = same(Float.floatToRawIntBits(xb.get(r + 1)), m);
                    int ec = same(Float.floatToRawIntBits(xb.get(r + w)), m);
                    int ed = same(Float.floatToRawIntBits(xb.get(r + w + 1)), m);
                    int kb = eb & ~ea;
                    int kc = ec & ~(ea | eb);
                    int kd = ed & ~(ea | eb | ec);
                    if (((ea | eb | ec | ed) == 0) | isNaN(m) == 1) {   // rare: the general rule
                        int k = first2x2(xb, r, w);
                        ea = k == 0 ? -1 : 0;
                        kb = k == 1 ? -1 : 0;
                        kc = k == w ? -1 : 0;
                        kd = k == w + 1 ? -1 : 0;
                    }
                    int g = Float.floatToRawIntBits(dyb.get(yi));
                    dxb.put(r, Float.intBitsToFloat(g & ea));
                    dxb.put(r + 1, Float.intBitsToFloat(g & kb));
                    dxb.put(r + w, Float.intBitsToFloat(g & kc));
                    dxb.put(r + w + 1, Float.intBitsToFloat(g & kd));
                }
                if ((w & 1) == 1) {
                    dxb.put(r, 0f);
                    dxb.put(r + w, 0f);
                }
            }
            if ((p.h & 1) == 1) {
                dxb.zero(xo + (p.h - 1) * w, w);
            }
        }
    }

    /**
     * Offset from {@code r} of the first maximum of the 2×2 window at r (row length w); NaN wins. Without
     * branches on the data: the floats become {@link #sortable} ints, the maximum an int max and the choice of
     * the first index conditional moves (compare-and-branch mispredicts on about half of real windows).
     */
    private static int first2x2(HostMemory xb, int r, int w) {
        int a = Float.floatToRawIntBits(xb.get(r));
        int b = Float.floatToRawIntBits(xb.get(r + 1));
        int c = Float.floatToRawIntBits(xb.get(r + w));
        int d = Float.floatToRawIntBits(xb.get(r + w + 1));
        if ((isNaN(a) | isNaN(b) | isNaN(c) | isNaN(d)) != 0) {
            return isNaN(a) == 1 ? 0 : isNaN(b) == 1 ? 1 : isNaN(c) == 1 ? w : w + 1;
        }
        a = sortable(a);
        b = sortable(b);
        c = sortable(c);
        d = sortable(d);
        int m = Math.max(Math.max(a, b), Math.max(c, d));
        int best = d == m ? w + 1 : 0;
        best = c == m ? w : best;
        best = b == m ? 1 : best;
        return a == m ? 0 : best;
    }

    /** Float bits → an int with the same order (−0 as +0); NaN excluded by the caller. */
    static int sortable(int bits) {
        int b = bits == 0x80000000 ? 0 : bits;
        return b ^ ((b >> 31) & 0x7fffffff);
    }

    /** The maximum of a window holding a NaN, by {@link Math#max}, which returns the first NaN operand. */
    private static float withNaN(int a, int b, int c, int d) {
        return Math.max(Math.max(Float.intBitsToFloat(a), Float.intBitsToFloat(b)), Math.max(Float.intBitsToFloat(c),
            Float.intBitsToFloat(d)));
    }

    /** -1 (all ones) when {@code a == b}, else 0. */
    private static int same(int a, int b) {
        int d = a ^ b;
        return ~((d | -d) >> 31);
    }

    /** 1 when the float with these bits is NaN, else 0. */
    private static int isNaN(int bits) {
        return (0x7f800000 - (bits & 0x7fffffff)) >>> 31;
    }

    /** Offset (within the plane) of the first maximum of window (oh, ow); NaN wins, padding never does. */
    private static int argmax(HostMemory xb, int xo, Planes p, int oh, int ow) {
        ConvSpec s = p.spec;
        int h0 = oh * s.sh() - s.ph();
        int w0 = ow * s.sw() - s.pw();
        int best = -1;
        float bv = Float.NEGATIVE_INFINITY;
        for (int ih = Math.max(0, h0); ih < Math.min(p.h, h0 + s.kh()); ih++) {
            for (int iw = Math.max(0, w0); iw < Math.min(p.w, w0 + s.kw()); iw++) {
                float v = xb.get(xo + ih * p.w + iw);
                if (best < 0 || v > bv || (v != v && bv == bv)) {
                    best = ih * p.w + iw;
                    bv = v;
                }
            }
        }
        return best;
    }

    static void avgForward(Tensor x, Tensor y, ConvSpec s) {
        Planes p = Planes.of(x, s).check(y, x, "avg-pool");
        HostMemory xb = x.mem();
        HostMemory yb = y.mem();
        float inv = 1f / (s.kh() * s.kw());
        for (int pl = 0; pl < p.count; pl++) {
            int xo = pl * p.h * p.w;
            int yo = pl * p.oh * p.ow;
            for (int oh = 0; oh < p.oh; oh++) {
                int h0 = oh * s.sh() - s.ph();
                for (int ow = 0; ow < p.ow; ow++) {
                    int w0 = ow * s.sw() - s.pw();
                    float sum = 0f;
                    for (int ih = Math.max(0, h0); ih < Math.min(p.h, h0 + s.kh()); ih++) {
                        for (int iw = Math.max(0, w0); iw < Math.min(p.w, w0 + s.kw()); iw++) {
                            sum += xb.get(xo + ih * p.w + iw);
                        }
                    }
                    yb.put(yo + oh * p.ow + ow, sum * inv);
                }
            }
        }
    }

    static void avgBackward(Tensor dy, Tensor dx, ConvSpec s) {
        Planes p = Planes.of(dx, s).check(dy, dx, "avg-pool backward");
        HostMemory dyb = dy.mem();
        HostMemory dxb = dx.mem();
        int n = (int) dx.size();
        for (int i = 0; i < n; i++) {
            dxb.put(i, 0f);
        }
        float inv = 1f / (s.kh() * s.kw());
        for (int pl = 0; pl < p.count; pl++) {
            int xo = pl * p.h * p.w;
            int yo = pl * p.oh * p.ow;
            for (int oh = 0; oh < p.oh; oh++) {
                int h0 = oh * s.sh() - s.ph();
                for (int ow = 0; ow < p.ow; ow++) {
                    int w0 = ow * s.sw() - s.pw();
                    float g = dyb.get(yo + oh * p.ow + ow) * inv;
                    for (int ih = Math.max(0, h0); ih < Math.min(p.h, h0 + s.kh()); ih++) {
                        for (int iw = Math.max(0, w0); iw < Math.min(p.w, w0 + s.kw()); iw++) {
                            int at = xo + ih * p.w + iw;
                            dxb.put(at, dxb.get(at) + g);
                        }
                    }
                }
            }
        }
    }

    /** N*C planes of H x W pooled to OH x OW. */
    private record Planes(int count, int h, int w, int oh, int ow, ConvSpec spec) {
        static Planes of(Tensor x, ConvSpec s) {
            if (x.shape().rank() != 4) {
                throw new IllegalArgumentException("pooling needs [N, C, H, W], got " + x.shape());
            }
            int h = x.dim(2);
            int w = x.dim(3);
            return new Planes(x.dim(0) * x.dim(1), h, w, s.outH(h), s.outW(w), s);
        }

        boolean isTwoByTwo() {
            return spec.kh() == 2 && spec.kw() == 2 && spec.sh() == 2 && spec.sw() == 2 && spec.ph() == 0
                && spec.pw() == 0;
        }

        Planes check(Tensor y, Tensor x, String op) {
            CpuChecks.checkSize(y, (long) count * oh * ow, op);
            CpuChecks.checkSize(x, (long) count * h * w, op);
            return this;
        }
    }
}
