package io.jtrain.ref;

/**
 * Naive reference implementations in double precision: plain loops that mirror the maths, no tricks.
 * The production backends are checked against these; gradient checks differentiate these numerically.
 */
public final class Ref {
    private Ref() { }

    /** y[N,O] = x[N,I] w[O,I]^T + b[O] (b may be null). */
    public static double[] dense(double[] x, double[] w, double[] b, int n, int in, int out) {
        double[] y = new double[n * out];
        for (int i = 0; i < n; i++) {
            for (int o = 0; o < out; o++) {
                double s = b == null ? 0 : b[o];
                for (int k = 0; k < in; k++) {
                    s += x[i * in + k] * w[o * in + k];
                }
                y[i * out + o] = s;
            }
        }
        return y;
    }

    /** Geometry of conv/pool: input [n, c, h, w], window kh x kw, stride, padding. */
    public record Geo(int n, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw) {
        public int oh() {
            return (h + 2 * ph - kh) / sh + 1;
        }

        public int ow() {
            return (w + 2 * pw - kw) / sw + 1;
        }
    }

    /** y[N,K,OH,OW] = sum_{c,i,j} x[n,c,oh*sh-ph+i,ow*sw-pw+j] w[k,c,i,j] + b[k]. */
    public static double[] conv2d(double[] x, double[] w, double[] b, Geo g, int k) {
        int oh = g.oh();
        int ow = g.ow();
        double[] y = new double[g.n() * k * oh * ow];
        for (int n = 0; n < g.n(); n++) {
            for (int kk = 0; kk < k; kk++) {
                for (int r = 0; r < oh; r++) {
                    for (int q = 0; q < ow; q++) {
                        double s = b == null ? 0 : b[kk];
                        for (int c = 0; c < g.c(); c++) {
                            for (int i = 0; i < g.kh(); i++) {
                                for (int j = 0; j < g.kw(); j++) {
                                    int ih = r * g.sh() - g.ph() + i;
                                    int iw = q * g.sw() - g.pw() + j;
                                    if (ih >= 0 && ih < g.h() && iw >= 0 && iw < g.w()) {
                                        s += x[((n * g.c() + c) * g.h() + ih) * g.w() + iw]
                                            * w[((kk * g.c() + c) * g.kh() + i) * g.kw() + j];
                                    }
                                }
                            }
                        }
                        y[((n * k + kk) * oh + r) * ow + q] = s;
                    }
                }
            }
        }
        return y;
    }

    /** Max (or mean, divisor kh*kw) over each window; padding never wins the max. */
    public static double[] pool(double[] x, Geo g, boolean max) {
        int oh = g.oh();
        int ow = g.ow();
        double[] y = new double[g.n() * g.c() * oh * ow];
        for (int p = 0; p < g.n() * g.c(); p++) {
            for (int r = 0; r < oh; r++) {
                for (int q = 0; q < ow; q++) {
                    double m = Double.NEGATIVE_INFINITY;
                    double s = 0;
                    for (int i = 0; i < g.kh(); i++) {
                        for (int j = 0; j < g.kw(); j++) {
                            int ih = r * g.sh() - g.ph() + i;
                            int iw = q * g.sw() - g.pw() + j;
                            if (ih >= 0 && ih < g.h() && iw >= 0 && iw < g.w()) {
                                double v = x[(p * g.h() + ih) * g.w() + iw];
                                m = Math.max(m, v);
                                s += v;
                            }
                        }
                    }
                    y[(p * oh + r) * ow + q] = max ? m : s / (g.kh() * g.kw());
                }
            }
        }
        return y;
    }

    /** Batch norm in training mode over [N, C, S]: batch mean and biased variance per channel. */
    public static double[] batchNorm(double[] x, double[] gamma, double[] beta, int n, int c, int s, double eps) {
        double[] y = new double[x.length];
        for (int ch = 0; ch < c; ch++) {
            double[] st = channelStats(x, n, c, s, ch);
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < s; k++) {
                    int at = (i * c + ch) * s + k;
                    y[at] = gamma[ch] * (x[at] - st[0]) / Math.sqrt(st[1] + eps) + beta[ch];
                }
            }
        }
        return y;
    }

    /** {mean, biased variance} of channel ch of [N, C, S]. */
    public static double[] channelStats(double[] x, int n, int c, int s, int ch) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < s; k++) {
                sum += x[(i * c + ch) * s + k];
            }
        }
        double mean = sum / (n * s);
        double sq = 0;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < s; k++) {
                double d = x[(i * c + ch) * s + k] - mean;
                sq += d * d;
            }
        }
        return new double[] {mean, sq / (n * s)};
    }

    public static double activation(String kind, double alpha, double v) {
        return switch (kind) {
            case "relu" -> Math.max(0, v);
            case "leaky_relu" -> v > 0 ? v : alpha * v;
            case "elu" -> v > 0 ? v : alpha * (Math.exp(v) - 1);
            case "tanh" -> Math.tanh(v);
            case "sigmoid" -> 1 / (1 + Math.exp(-v));
            case "linear" -> v;
            default -> throw new IllegalArgumentException(kind);
        };
    }

    public static double[] activation(String kind, double alpha, double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = activation(kind, alpha, x[i]);
        }
        return y;
    }

    public static double[] softmax(double[] x, int rows, int cols) {
        double[] y = new double[x.length];
        for (int r = 0; r < rows; r++) {
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                sum += Math.exp(x[r * cols + j]);
            }
            for (int j = 0; j < cols; j++) {
                y[r * cols + j] = Math.exp(x[r * cols + j]) / sum;
            }
        }
        return y;
    }

    /** Mean over rows of -log softmax(z)[label]. */
    public static double crossEntropy(double[] z, int[] labels, int cols) {
        double[] p = softmax(z, labels.length, cols);
        double s = 0;
        for (int r = 0; r < labels.length; r++) {
            s -= Math.log(p[r * cols + labels[r]]);
        }
        return s / labels.length;
    }

    /** Mean over rows of -sum t log softmax(z). */
    public static double crossEntropyDense(double[] z, double[] t, int rows, int cols) {
        double[] p = softmax(z, rows, cols);
        double s = 0;
        for (int i = 0; i < z.length; i++) {
            s -= t[i] * Math.log(p[i]);
        }
        return s / rows;
    }

    /** Mean of -(t log sigmoid(z) + (1-t) log(1 - sigmoid(z))). */
    public static double bce(double[] z, double[] t) {
        double s = 0;
        for (int i = 0; i < z.length; i++) {
            double p = 1 / (1 + Math.exp(-z[i]));
            s -= t[i] * Math.log(p) + (1 - t[i]) * Math.log(1 - p);
        }
        return s / z.length;
    }

    public static double mse(double[] p, double[] t) {
        double s = 0;
        for (int i = 0; i < p.length; i++) {
            s += (p[i] - t[i]) * (p[i] - t[i]);
        }
        return s / p.length;
    }
}
