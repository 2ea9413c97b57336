package io.jtrain.backend;

/**
 * Geometry of a 2-D convolution or pooling window: kernel {@code kh x kw}, stride {@code sh x sw},
 * zero padding {@code ph x pw} on each side. Output size: {@code (H + 2ph - kh) / sh + 1}.
 */
public record ConvSpec(int kh, int kw, int sh, int sw, int ph, int pw) {
    public ConvSpec {
        if (kh <= 0 || kw <= 0 || sh <= 0 || sw <= 0 || ph < 0 || pw < 0) {
            throw new io.jtrain.util.UsageException("invalid window " + kh + "x" + kw + " stride " + sh + "x" + sw
                + " padding " + ph + "x" + pw);
        }
    }

    public static ConvSpec square(int k, int stride, int pad) {
        return new ConvSpec(k, k, stride, stride, pad, pad);
    }

    public int outH(int h) {
        return (h + 2 * ph - kh) / sh + 1;
    }

    public int outW(int w) {
        return (w + 2 * pw - kw) / sw + 1;
    }
}
