package io.jtrain.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jtrain.TestBackends;
import io.jtrain.backend.ConvSpec;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Max pooling where it is easy to get wrong: ties (the first maximum wins, −0 ties +0), NaN (the first NaN wins)
 * and infinities, for the 2×2/stride-2 fast path and the generic path, against a naive reference.
 */
class MaxPoolTiesTest {
    private static final float[] VALUES = {-1f, -0f, 0f, 1f, 2f, Float.NaN, Float.NEGATIVE_INFINITY,
        Float.POSITIVE_INFINITY};

    @Test
    void twoByTwoFastPath() {
        check(ConvSpec.square(2, 2, 0), 9, 8);
        check(ConvSpec.square(2, 2, 0), 7, 9); // odd width: the last column is outside every window
        check(ConvSpec.square(2, 2, 0), 28, 28); // rows with and without a NaN: the chunked and the scalar row
        check(ConvSpec.square(2, 2, 0), 29, 27);
    }

    @Test
    void genericPath() {
        check(ConvSpec.square(3, 2, 1), 9, 8);
    }

    private static void check(ConvSpec s, int h, int w) {
        int n = 3;
        int c = 4;
        int oh = s.outH(h);
        int ow = s.outW(w);
        float[] x = new float[n * c * h * w];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < x.length; i++) {
            float v = VALUES[r.nextInt(VALUES.length)];
            x[i] = v != v && r.nextInt(4) != 0 ? 1f : v;   // fewer NaNs, so most windows have none
        }
        float[] dy = new float[n * c * oh * ow];
        for (int i = 0; i < dy.length; i++) {
            dy[i] = i + 1;
        }
        float[] y = new float[dy.length];
        float[] dx = new float[x.length];
        for (int pl = 0; pl < n * c; pl++) {
            for (int a = 0; a < oh; a++) {
                for (int b = 0; b < ow; b++) {
                    int best = first(x, pl * h * w, h, w, a, b, s);
                    y[pl * oh * ow + a * ow + b] = x[best];
                    dx[best] += dy[pl * oh * ow + a * ow + b];
                }
            }
        }
        try (CpuBackend be = TestBackends.cpu();
             Tensor tx = be.allocate(Shape.of(n, c, h, w), MemoryCategory.ACTIVATIONS);
             Tensor ty = be.allocate(Shape.of(n, c, oh, ow), MemoryCategory.ACTIVATIONS);
             Tensor tdy = be.allocate(Shape.of(n, c, oh, ow), MemoryCategory.ACTIVATIONS);
             Tensor tdx = be.allocate(Shape.of(n, c, h, w), MemoryCategory.ACTIVATIONS)) {
            be.upload(x, 0, tx);
            be.upload(dy, 0, tdy);
            be.maxPoolForward(tx, ty, s);
            float[] stale = new float[x.length];
            java.util.Arrays.fill(stale, Float.NaN);
            be.upload(stale, 0, tdx); // dx is overwritten everywhere, also outside the windows
            be.maxPoolBackward(tx, ty, tdy, tdx, s);
            float[] gotY = TestBackends.get(be, ty);
            float[] gotDx = TestBackends.get(be, tdx);
            for (int i = 0; i < y.length; i++) {
                assertEquals(Float.floatToRawIntBits(y[i]), Float.floatToRawIntBits(gotY[i]), "y[" + i + "]");
            }
            for (int i = 0; i < dx.length; i++) {
                assertEquals(dx[i], gotDx[i], "dx[" + i + "]");
            }
        }
    }

    /** Index of the first maximum of a window (NaN beats numbers, ties keep the first), padding skipped. */
    private static int first(float[] x, int base, int h, int w, int a, int b, ConvSpec s) {
        int best = -1;
        float bv = 0;
        for (int i = 0; i < s.kh(); i++) {
            for (int j = 0; j < s.kw(); j++) {
                int ih = a * s.sh() - s.ph() + i;
                int iw = b * s.sw() - s.pw() + j;
                if (ih < 0 || ih >= h || iw < 0 || iw >= w) {
                    continue;
                }
                float v = x[base + ih * w + iw];
                if (best < 0 || v > bv || (Float.isNaN(v) && !Float.isNaN(bv))) {
                    best = base + ih * w + iw;
                    bv = v;
                }
            }
        }
        return best;
    }
}
