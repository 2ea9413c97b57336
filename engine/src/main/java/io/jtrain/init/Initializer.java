package io.jtrain.init;

import java.util.Locale;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Weight initialisers. Fan-in and fan-out of a [out, in] weight are in and out; of a [K, C, kh, kw]
 * kernel, C*kh*kw and K*kh*kw (as in PyTorch's {@code torch.nn.init}). Normal variants draw from an
 * untruncated normal, as PyTorch does. Besides the named rules, a job file may give explicit
 * distributions: {@code normal(mean, std)}, {@code uniform(low, high)}, {@code truncated_normal(std)}
 * (mean 0, redrawn beyond two deviations, as TensorFlow's), {@code constant(v)} or a number (a constant).
 *
 * @param kind the rule
 * @param a the constant, the normal's mean, the uniform's low end or the truncated normal's deviation
 * @param b the normal's deviation or the uniform's high end
 */
public record Initializer(Kind kind, double a, double b) {
    private static final Pattern CALL = Pattern.compile("\\s*([a-z_]+)\\s*\\(([^)]*)\\)\\s*");

    /** The rules; their ids are used in job files. */
    public enum Kind {
        GLOROT_UNIFORM, GLOROT_NORMAL, HE_UNIFORM, HE_NORMAL, LECUN_UNIFORM, LECUN_NORMAL, ZEROS, CONSTANT, NORMAL,
        UNIFORM, TRUNCATED_NORMAL;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A constant initialiser. */
    public Initializer(Kind kind, float value) {
        this(kind, value, 0);
    }

    public static Initializer of(Kind kind) {
        return new Initializer(kind, 0, 0);
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
            + "glorot_normal, he_uniform, he_normal, lecun_uniform, lecun_normal, zeros, constant(v), normal(mean, "
            + "std), uniform(low, high), truncated_normal(std), or a number");
    }

    /**
     * Parses a job-file value: a named rule, a call such as {@code normal(0, 0.01)}, or a number (a constant).
     * Errors are {@link io.jtrain.util.UsageException}s that say what is allowed.
     */
    public static Initializer parseSpec(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        Matcher m = CALL.matcher(t);
        if (!m.matches()) {
            try {
                return new Initializer(Kind.CONSTANT, Double.parseDouble(t), 0);
            } catch (NumberFormatException e) {
                Kind k = parse(t);
                if (k == Kind.NORMAL || k == Kind.UNIFORM || k == Kind.TRUNCATED_NORMAL) {
                    throw new io.jtrain.util.UsageException("initializer '" + text + "' needs its parameters, e.g. "
                        + k.id() + (k == Kind.TRUNCATED_NORMAL ? "(0.02)" : k == Kind.NORMAL ? "(0, 0.01)"
                            : "(-0.05, 0.05)"));
                }
                return of(k);
            }
        }
        Kind k = parse(m.group(1));
        double[] args = numbers(m.group(2), text);
        return switch (k) {
            case CONSTANT -> one(k, args, text);
            case TRUNCATED_NORMAL -> positive(one(k, args, text), text);
            case NORMAL -> {
                two(args, text, "mean, std");
                if (!(args[1] >= 0)) {
                    throw new io.jtrain.util.UsageException("initializer '" + text + "': the deviation must not be "
                        + "negative");
                }
                yield new Initializer(k, args[0], args[1]);
            }
            case UNIFORM -> {
                two(args, text, "low, high");
                if (!(args[0] <= args[1])) {
                    throw new io.jtrain.util.UsageException("initializer '" + text + "': low must not exceed high");
                }
                yield new Initializer(k, args[0], args[1]);
            }
            default -> throw new io.jtrain.util.UsageException("initializer '" + text + "': " + k.id()
                + " takes no parameters");
        };
    }

    private static double[] numbers(String list, String text) {
        String[] parts = list.split(",");
        double[] v = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                v[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new io.jtrain.util.UsageException("initializer '" + text + "': '" + parts[i].trim()
                    + "' is not a number");
            }
            if (!Double.isFinite(v[i])) {
                throw new io.jtrain.util.UsageException("initializer '" + text + "': parameters must be finite");
            }
        }
        return v;
    }

    private static Initializer one(Kind k, double[] args, String text) {
        if (args.length != 1) {
            throw new io.jtrain.util.UsageException("initializer '" + text + "' takes one number, e.g. " + k.id()
                + "(0.5)");
        }
        return new Initializer(k, args[0], 0);
    }

    private static Initializer positive(Initializer i, String text) {
        if (!(i.a() > 0)) {
            throw new io.jtrain.util.UsageException("initializer '" + text + "': the deviation must be positive");
        }
        return i;
    }

    private static void two(double[] args, String text, String what) {
        if (args.length != 2) {
            throw new io.jtrain.util.UsageException("initializer '" + text + "' takes two numbers (" + what + ")");
        }
    }

    /** Fills {@code dst} for a tensor with the given fans, drawing from {@code rnd}. */
    public void fill(float[] dst, int fanIn, int fanOut, SplittableRandom rnd) {
        switch (kind) {
            case ZEROS -> java.util.Arrays.fill(dst, 0f);
            case CONSTANT -> java.util.Arrays.fill(dst, (float) a);
            case GLOROT_UNIFORM -> symmetric(dst, Math.sqrt(6.0 / (fanIn + fanOut)), rnd);
            case HE_UNIFORM -> symmetric(dst, Math.sqrt(6.0 / fanIn), rnd);
            case LECUN_UNIFORM -> symmetric(dst, Math.sqrt(3.0 / fanIn), rnd);
            case GLOROT_NORMAL -> normal(dst, 0, Math.sqrt(2.0 / (fanIn + fanOut)), rnd);
            case HE_NORMAL -> normal(dst, 0, Math.sqrt(2.0 / fanIn), rnd);
            case LECUN_NORMAL -> normal(dst, 0, Math.sqrt(1.0 / fanIn), rnd);
            case NORMAL -> normal(dst, a, b, rnd);
            case UNIFORM -> uniform(dst, a, b, rnd);
            case TRUNCATED_NORMAL -> truncated(dst, a, rnd);
            default -> throw new IllegalStateException("unknown initializer " + kind);
        }
    }

    private static void symmetric(float[] dst, double limit, SplittableRandom rnd) {
        for (int i = 0; i < dst.length; i++) {
            dst[i] = (float) ((rnd.nextDouble() * 2 - 1) * limit);
        }
    }

    private static void uniform(float[] dst, double low, double high, SplittableRandom rnd) {
        for (int i = 0; i < dst.length; i++) {
            dst[i] = (float) (low + rnd.nextDouble() * (high - low));
        }
    }

    /** Box-Muller, so that the stream is the same on every JDK. */
    private static void normal(float[] dst, double mean, double std, SplittableRandom rnd) {
        for (int i = 0; i < dst.length; i += 2) {
            double u1 = 1.0 - rnd.nextDouble();
            double u2 = rnd.nextDouble();
            double r = Math.sqrt(-2 * Math.log(u1));
            dst[i] = (float) (mean + std * r * Math.cos(2 * Math.PI * u2));
            if (i + 1 < dst.length) {
                dst[i + 1] = (float) (mean + std * r * Math.sin(2 * Math.PI * u2));
            }
        }
    }

    /** Mean 0, deviation {@code std} before truncation, every value redrawn until within two deviations. */
    private static void truncated(float[] dst, double std, SplittableRandom rnd) {
        float[] one = new float[2];
        for (int i = 0; i < dst.length; i++) {
            double v;
            do {
                normal(one, 0, std, rnd);
                v = one[0];
            } while (Math.abs(v) > 2 * std);
            dst[i] = (float) v;
        }
    }

    @Override
    public String toString() {
        return switch (kind) {
            case CONSTANT -> "constant(" + a + ")";
            case NORMAL -> "normal(" + a + ", " + b + ")";
            case UNIFORM -> "uniform(" + a + ", " + b + ")";
            case TRUNCATED_NORMAL -> "truncated_normal(" + a + ")";
            default -> kind.id();
        };
    }
}
