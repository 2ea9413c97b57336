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

    static void maxBackward(Tensor x, Tensor dy, Tensor dx, ConvSpec s, Parallel par) {
        Planes p = Planes.of(x, s).check(dy, dx, "max-pool backward");
        CpuBackend.checkSameSize(x, dx, "max-pool backward");
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

        Planes check(Tensor y, Tensor x, String op) {
            CpuBackend.checkSize(y, (long) count * oh * ow, op);
            CpuBackend.checkSize(x, (long) count * h * w, op);
            return this;
        }
    }
}
