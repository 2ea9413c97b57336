package io.jtrain.backend.cpu;

import io.jtrain.backend.Activation;
import io.jtrain.backend.TensorStats;
import io.jtrain.util.CounterRng;
import io.jtrain.tensor.HostMemory;
import io.jtrain.tensor.Tensor;

/** Element-wise activations, row softmax, dropout and statistics on host buffers. */
final class CpuMath {
    private CpuMath() { }

    static float sigmoid(float x) {
        if (x >= 0) {
            return (float) (1.0 / (1.0 + Math.exp(-x)));
        }
        double e = Math.exp(x);
        return (float) (e / (1.0 + e));
    }

    /**
     * All ones when the float with bits {@code b} is {@code > 0} (positive, not zero, not NaN), else 0:
     * b must be in (0, 0x7f800000] as a signed int.
     */
    static int positive(int b) {
        return (-b & ~b) >> 31 & (b - 0x7f800001) >> 31;
    }

    /**
     * tanh in float without {@link Math#tanh} (a call into fdlibm that cost as much as dlfs's matrix
     * products): Eigen's rational approximation (odd degree-13 over even degree-6 polynomial, the one
     * TensorFlow's and XLA's CPU kernels use), clamped to ±1 beyond 7.905; x itself below 4e-4, NaN through.
     * Within 4e-7 absolute (6 float ulps) of the exact value (TanhTest); about 3 ns instead of 13.
     */
    static float tanh(float x) {
        float ax = Math.abs(x);
        if (ax < 0.0004f) {
            return x;
        }
        if (!(ax <= 7.90531110763549805f)) {
            return x != x ? x : x > 0 ? 1f : -1f;
        }
        float x2 = x * x;
        float p = -2.76076847742355e-16f;
        p = p * x2 + 2.00018790482477e-13f;
        p = p * x2 - 8.60467152213735e-11f;
        p = p * x2 + 5.12229709037114e-08f;
        p = p * x2 + 1.48572235717979e-05f;
        p = p * x2 + 6.37261928875436e-04f;
        p = p * x2 + 4.89352455891786e-03f;
        float q = 1.19825839466702e-06f;
        q = q * x2 + 1.18534705686654e-04f;
        q = q * x2 + 2.26843463243900e-03f;
        q = q * x2 + 4.89352518554385e-03f;
        return x * p / q;
    }

    static void activationForward(Activation act, HostMemory x, HostMemory y, int from, int n) {
        float a = act.alpha();
        switch (act.kind()) {
            case RELU -> reluForward(x, y, from, n);
            case LEAKY_RELU -> {
                for (int i = from; i < n; i++) {
                    float v = x.get(i);
                    y.put(i, v > 0 ? v : a * v);
                }
            }
            case ELU -> {
                for (int i = from; i < n; i++) {
                    float v = x.get(i);
                    y.put(i, v > 0 ? v : (float) (a * Math.expm1(v)));
                }
            }
            case TANH -> {
                for (int i = from; i < n; i++) {
                    y.put(i, tanh(x.get(i)));
                }
            }
            case SIGMOID -> {
                for (int i = from; i < n; i++) {
                    y.put(i, sigmoid(x.get(i)));
                }
            }
            case LINEAR -> {
                for (int i = from; i < n; i++) {
                    y.put(i, x.get(i));
                }
            }
            default -> throw new IllegalStateException("unknown activation " + act);
        }
    }

    static void activationBackward(Activation act, HostMemory x, HostMemory y, HostMemory dy, HostMemory dx,
                                   int from, int n) {
        float a = act.alpha();
        if (act.kind() == Activation.Kind.RELU) {
            reluBackward(x, dy, dx, from, n);
            return;
        }
        for (int i = from; i < n; i++) {
            float g = dy.get(i);
            float d = switch (act.kind()) {
                case RELU -> x.get(i) > 0 ? g : 0f;
                case LEAKY_RELU -> x.get(i) > 0 ? g : a * g;
                case ELU -> x.get(i) > 0 ? g : g * (y.get(i) + a);
                case TANH -> {
                    float t = y.get(i);
                    yield g * (1f - t * t);
                }
                case SIGMOID -> {
                    float s = y.get(i);
                    yield g * s * (1f - s);
                }
                case LINEAR -> g;
            };
            dx.put(i, d);
        }
    }

    /**
     * y = x > 0 ? x : 0 over [from, n), without a data-dependent branch (it mispredicts on half the inputs): on
     * the bits, in int[] chunks the JIT compiles to vector instructions ({@link Chunks}).
     */
    static void reluForward(HostMemory x, HostMemory y, int from, int n) {
        int[] xs = Chunks.ints(0);
        for (int at = from; at < n; at += Chunks.SIZE) {
            int len = Math.min(Chunks.SIZE, n - at);
            x.getBits(at, xs, 0, len);
            for (int i = 0; i < len; i++) {
                int xb = xs[i];
                xs[i] = xb & positive(xb);
            }
            y.putBits(at, xs, 0, len);
        }
    }

    /** dx = x > 0 ? dy : 0 over [from, n) (+0 where x ≤ 0 or NaN, whatever dy is), as {@link #reluForward}. */
    static void reluBackward(HostMemory x, HostMemory dy, HostMemory dx, int from, int n) {
        int[] xs = Chunks.ints(0);
        int[] gs = Chunks.ints(1);
        for (int at = from; at < n; at += Chunks.SIZE) {
            int len = Math.min(Chunks.SIZE, n - at);
            x.getBits(at, xs, 0, len);
            dy.getBits(at, gs, 0, len);
            for (int i = 0; i < len; i++) {
                gs[i] &= positive(xs[i]);
            }
            dx.putBits(at, gs, 0, len);
        }
    }

    /** out = a · b element by element over [from, to), over {@link Chunks} (out may be a or b). */
    static void multiply(HostMemory a, HostMemory b, HostMemory out, int from, int to) {
        float[] as = Chunks.floats(0);
        float[] bs = Chunks.floats(1);
        for (int at = from; at < to; at += Chunks.SIZE) {
            int len = Math.min(Chunks.SIZE, to - at);
            a.get(at, as, 0, len);
            b.get(at, bs, 0, len);
            for (int i = 0; i < len; i++) {
                as[i] *= bs[i];
            }
            out.put(at, as, 0, len);
        }
    }

    /** y[rows, f] += b[f] on every row, over {@link Chunks} of columns. */
    static void addRowBias(HostMemory y, HostMemory b, int rows, int f) {
        float[] ys = Chunks.floats(0);
        float[] bs = Chunks.floats(1);
        for (int j0 = 0; j0 < f; j0 += Chunks.SIZE) {
            int len = Math.min(Chunks.SIZE, f - j0);
            b.get(j0, bs, 0, len);
            for (int r = 0; r < rows; r++) {
                int at = r * f + j0;
                y.get(at, ys, 0, len);
                for (int i = 0; i < len; i++) {
                    ys[i] += bs[i];
                }
                y.put(at, ys, 0, len);
            }
        }
    }

    /**
     * db[f] += column sums of dy[rows, f], each summed in double from row 0 down: row by row over {@link Chunks}
     * of columns (reading dy once, in order) instead of column by column.
     */
    static void rowBiasGrad(HostMemory dy, HostMemory db, int rows, int f) {
        float[] ds = Chunks.floats(0);
        double[] acc = Chunks.doubles(0);
        for (int j0 = 0; j0 < f; j0 += Chunks.SIZE) {
            int len = Math.min(Chunks.SIZE, f - j0);
            java.util.Arrays.fill(acc, 0, len, 0.0);
            for (int r = 0; r < rows; r++) {
                dy.get(r * f + j0, ds, 0, len);
                for (int i = 0; i < len; i++) {
                    acc[i] += ds[i];
                }
            }
            for (int i = 0; i < len; i++) {
                db.put(j0 + i, (float) (db.get(j0 + i) + acc[i]));
            }
        }
    }

    static void softmaxRows(HostMemory x, HostMemory y, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, x.get(o + j));
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                float e = (float) Math.exp(x.get(o + j) - max);
                y.put(o + j, e);
                sum += e;
            }
            float inv = (float) (1.0 / sum);
            for (int j = 0; j < cols; j++) {
                y.put(o + j, y.get(o + j) * inv);
            }
        }
    }

    static void softmaxRowsBackward(HostMemory y, HostMemory dy, HostMemory dx, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            double dot = 0;
            for (int j = 0; j < cols; j++) {
                dot += (double) y.get(o + j) * dy.get(o + j);
            }
            for (int j = 0; j < cols; j++) {
                dx.put(o + j, (float) (y.get(o + j) * (dy.get(o + j) - dot)));
            }
        }
    }

    /** y[0, n) += alpha * x[0, n), over {@link Chunks} (the same operations as the element loop). */
    static void axpy(float alpha, HostMemory x, HostMemory y, int n) {
        float[] xs = Chunks.floats(0);
        float[] ys = Chunks.floats(1);
        for (int at = 0; at < n; at += Chunks.SIZE) {
            int len = Math.min(Chunks.SIZE, n - at);
            x.get(at, xs, 0, len);
            y.get(at, ys, 0, len);
            for (int i = 0; i < len; i++) {
                ys[i] += alpha * xs[i];
            }
            y.put(at, ys, 0, len);
        }
    }

    /**
     * Dropout over [from, to): mask = u >= p ? 1 / (1 - p) : +0 with u = {@link CounterRng#uniform}(seed, i), y = x * mask.
     * u < p is compared on u's 24 bits as an integer against ceil(p · 2^24), and the mask made as keep · (0 or 1), so
     * no branch depends on the data (it would mispredict on a fraction p of elements) and the values are those of
     * the float comparison; over {@link Chunks}.
     */
    static void dropoutForward(HostMemory x, HostMemory mask, HostMemory y, int from, int to, float p, long seed) {
        float keep = p >= 1f ? 0f : 1f / (1f - p);
        int threshold = (int) Math.ceil(p * (double) (1 << 24));
        float[] ms = Chunks.floats(0);
        float[] xs = Chunks.floats(1);
        for (int at = from; at < to; at += Chunks.SIZE) {
            int len = Math.min(Chunks.SIZE, to - at);
            for (int i = 0; i < len; i++) {
                int u = CounterRng.bits24(seed, at + i);
                ms[i] = keep * (float) (1 + ((u - threshold) >> 31));
            }
            x.get(at, xs, 0, len);
            for (int i = 0; i < len; i++) {
                xs[i] *= ms[i];
            }
            mask.put(at, ms, 0, len);
            y.put(at, xs, 0, len);
        }
    }

    /**
     * Statistics of b[0, n): on one thread the element loop {@link TensorStats#of}; split over {@code par}'s
     * threads when large, each part's statistics combined in part order (the sums then differ from one
     * thread's in the last bits; the same thread count always gives the same bits).
     */
    static TensorStats stats(HostMemory b, int n, Parallel par) {
        int parts = n < Parallel.MIN_SPLIT_ELEMENTS ? 1 : par.threads();
        if (parts <= 1) {
            return TensorStats.of(n, b::get);
        }
        TensorStats[] each = new TensorStats[parts];
        par.parts(parts, p -> {
            int from = (int) ((long) n * p / parts);
            int to = (int) ((long) n * (p + 1) / parts);
            each[p] = TensorStats.of(to - from, i -> b.get(from + i));
        });
        TensorStats all = each[0];
        for (int p = 1; p < parts; p++) {
            TensorStats s = each[p];
            all = new TensorStats(all.count() + s.count(), all.sum() + s.sum(), all.sumSquares() + s.sumSquares(),
                Math.min(all.min(), s.min()), Math.max(all.max(), s.max()), all.nonFinite() + s.nonFinite(),
                all.zeros() + s.zeros());
        }
        return all;
    }

    /** Per-unit statistics of y [N, U, S...] into out[U, 4] (see {@link io.jtrain.backend.Backend#unitStats}). */
    static void unitStats(Tensor y, float hi, float lo, Tensor out) {
        int n = y.dim(0);
        int u = y.shape().rank() > 1 ? y.dim(1) : 1;
        int s = (int) (y.size() / ((long) n * u));
        CpuChecks.checkAtLeast(out, 4L * u, "unitStats");
        HostMemory v = y.mem();
        HostMemory o = out.mem();
        for (int c = 0; c < u; c++) {
            float max = Float.NEGATIVE_INFINITY;
            long above = 0;
            long below = 0;
            long bad = 0;
            for (int i = 0; i < n; i++) {
                int base = (i * u + c) * s;
                for (int j = 0; j < s; j++) {
                    float x = v.get(base + j);
                    if (!Float.isFinite(x)) {
                        bad++;
                        continue;
                    }
                    max = Math.max(max, x);
                    above += x > hi ? 1 : 0;
                    below += x < lo ? 1 : 0;
                }
            }
            o.put(4 * c, max);
            o.put(4 * c + 1, above);
            o.put(4 * c + 2, below);
            o.put(4 * c + 3, bad);
        }
    }
}
