package io.jtrain.init;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Weight initialisers. Fan-in and fan-out of a [out, in] weight are in and out; of a [K, C, kh, kw]
 * kernel, C*kh*kw and K*kh*kw (as in PyTorch's {@code torch.nn.init}). Normal variants draw from an
 * untruncated normal, as PyTorch does.
 *
 * @param kind the rule
 * @param value the constant for {@link Kind#CONSTANT}
 */
public record Initializer(Kind kind, float value) {

    /** The rules; their ids are used in job files. */
    public enum Kind {
        GLOROT_UNIFORM, GLOROT_NORMAL, HE_UNIFORM, HE_NORMAL, LECUN_UNIFORM, LECUN_NORMAL, ZEROS, CONSTANT;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static Initializer of(Kind kind) {
        return new Initializer(kind, 0f);
    }

    /** Parses an id such as "he_normal", "xavier_uniform" (alias of glorot) or "constant". */
    public static Kind parse(String id) {
        String s = id.toLowerCase(Locale.ROOT).replace('-', '_').replace("xavier", "glorot");
        for (Kind k : Kind.values()) {
            if (k.id().equals(s)) {
                return k;
            }
        }
        throw new io.jtrain.util.UsageException("unknown initializer '" + id + "'; allowed: glorot_uniform, "
            + "glorot_normal, he_uniform, he_normal, lecun_uniform, lecun_normal, zeros, constant");
    }

    /** Fills {@code dst} for a tensor with the given fans, drawing from {@code rnd}. */
    public void fill(float[] dst, int fanIn, int fanOut, SplittableRandom rnd) {
        switch (kind) {
            case ZEROS -> java.util.Arrays.fill(dst, 0f);
            case CONSTANT -> java.util.Arrays.fill(dst, value);
            case GLOROT_UNIFORM -> uniform(dst, Math.sqrt(6.0 / (fanIn + fanOut)), rnd);
            case HE_UNIFORM -> uniform(dst, Math.sqrt(6.0 / fanIn), rnd);
            case LECUN_UNIFORM -> uniform(dst, Math.sqrt(3.0 / fanIn), rnd);
            case GLOROT_NORMAL -> normal(dst, Math.sqrt(2.0 / (fanIn + fanOut)), rnd);
            case HE_NORMAL -> normal(dst, Math.sqrt(2.0 / fanIn), rnd);
            case LECUN_NORMAL -> normal(dst, Math.sqrt(1.0 / fanIn), rnd);
            default -> throw new IllegalStateException("unknown initializer " + kind);
        }
    }

    private static void uniform(float[] dst, double limit, SplittableRandom rnd) {
        for (int i = 0; i < dst.length; i++) {
            dst[i] = (float) ((rnd.nextDouble() * 2 - 1) * limit);
        }
    }

    /** Box-Muller, so that the stream is the same on every JDK. */
    private static void normal(float[] dst, double std, SplittableRandom rnd) {
        for (int i = 0; i < dst.length; i += 2) {
            double u1 = 1.0 - rnd.nextDouble();
            double u2 = rnd.nextDouble();
            double r = Math.sqrt(-2 * Math.log(u1));
            dst[i] = (float) (std * r * Math.cos(2 * Math.PI * u2));
            if (i + 1 < dst.length) {
                dst[i + 1] = (float) (std * r * Math.sin(2 * Math.PI * u2));
            }
        }
    }

    @Override
    public String toString() {
        return kind == Kind.CONSTANT ? "constant(" + value + ")" : kind.id();
    }
}
