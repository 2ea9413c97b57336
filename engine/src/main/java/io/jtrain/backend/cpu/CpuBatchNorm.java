package io.jtrain.backend.cpu;

import io.jtrain.backend.BatchNormTensors;
import io.jtrain.tensor.Tensor;
import io.jtrain.tensor.HostMemory;

/** Batch normalisation over x viewed as [N, C, S]: statistics per channel c over N and S. */
final class CpuBatchNorm {
    private CpuBatchNorm() { }

    private record Dims(int n, int c, int s) {
        static Dims of(Tensor x) {
            int n = x.dim(0);
            int c = x.dim(1);
            return new Dims(n, c, (int) (x.size() / ((long) n * c)));
        }

        Dims check(BatchNormTensors bn, Tensor... same) {
            for (Tensor t : new Tensor[] {bn.gamma(), bn.beta(), bn.runningMean(), bn.runningVar(), bn.savedMean(),
                bn.savedInvStd()}) {
                CpuChecks.checkSize(t, c, "batch norm");
            }
            for (Tensor t : same) {
                CpuChecks.checkSize(t, (long) n * c * s, "batch norm");
            }
            return this;
        }

        int at(int ni, int ci) {
            return (ni * c + ci) * s;
        }
    }

    static void forwardTraining(Tensor x, Tensor y, BatchNormTensors bn, float momentum, float eps, Parallel par) {
        Dims d = Dims.of(x).check(bn, y);
        par.range(d.c, (long) d.n * d.s * 3, (a, z) -> forwardTraining(x.mem(), y.mem(), bn, momentum, eps, d, a, z));
    }

    private static void forwardTraining(HostMemory xb, HostMemory yb, BatchNormTensors bn, float momentum, float eps,
                                        Dims d, int from, int to) {
        long m = (long) d.n * d.s;
        float[] v = Chunks.floats(0);
        double[] acc = new double[4];
        for (int c = from; c < to; c++) {
            java.util.Arrays.fill(acc, 0);
            for (int n = 0; n < d.n; n++) {
                for (int at = 0; at < d.s; at += Chunks.SIZE) {
                    int len = Math.min(Chunks.SIZE, d.s - at);
                    xb.get(d.at(n, c) + at, v, 0, len);
                    accumulate(v, len, 0, false, acc);
                }
            }
            double mean = total(acc) / m;
            java.util.Arrays.fill(acc, 0);
            for (int n = 0; n < d.n; n++) {
                for (int at = 0; at < d.s; at += Chunks.SIZE) {
                    int len = Math.min(Chunks.SIZE, d.s - at);
                    xb.get(d.at(n, c) + at, v, 0, len);
                    accumulate(v, len, mean, true, acc);
                }
            }
            double var = total(acc) / m;
            float invStd = (float) (1.0 / Math.sqrt(var + eps));
            normalize(xb, yb, d, c, (float) mean, invStd, bn);
            bn.savedMean().mem().put(c, (float) mean);
            bn.savedInvStd().mem().put(c, invStd);
            double unbiased = m > 1 ? var * m / (m - 1) : var;
            HostMemory rm = bn.runningMean().mem();
            HostMemory rv = bn.runningVar().mem();
            rm.put(c, (float) ((1 - momentum) * rm.get(c) + momentum * mean));
            rv.put(c, (float) ((1 - momentum) * rv.get(c) + momentum * unbiased));
        }
    }

    /**
     * Whether the training forward's output, over m values per channel, can hold no NaN and no −∞. A finite mean
     * (summed in double, which no float input can overflow) means every input was finite; each input then lies
     * within sqrt(m · var) of the mean (its squared deviation is one term of m · var), so every output lies within
     * |gamma| · sqrt(m) + |beta| of 0 — no overflow, no NaN while that bound, gamma and beta are finite.
     */
    static boolean noNaNOrNegInfOut(BatchNormTensors bn, long m) {
        double root = Math.sqrt((double) m);
        for (int c = 0; c < bn.savedMean().size(); c++) {
            float mean = bn.savedMean().mem().get(c);
            float invStd = bn.savedInvStd().mem().get(c);
            double bound = Math.abs((double) bn.gamma().mem().get(c)) * root + Math.abs(bn.beta().mem().get(c));
            if (!Float.isFinite(mean) || !Float.isFinite(invStd) || !(bound < 1e37)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether inference's output can hold no NaN and no −∞, for an input that holds neither and no negative value
     * (a ReLU's output: numbers ≥ 0 and +∞). Per channel, with {@code scale = gamma / sqrt(runVar + eps)} finite and
     * positive and runMean, beta finite: +∞ maps to +∞; a finite x below the running mean is within |runMean| of it,
     * so its output lies within |runMean| · scale + |beta| of 0, and the bound keeps it from overflowing to −∞.
     */
    static boolean noNaNOrNegInfInference(BatchNormTensors bn, float eps) {
        for (int c = 0; c < bn.runningMean().size(); c++) {
            double mean = bn.runningMean().mem().get(c);
            double scale = bn.gamma().mem().get(c) / Math.sqrt(bn.runningVar().mem().get(c) + (double) eps);
            double beta = bn.beta().mem().get(c);
            if (!(scale > 0) || !Double.isFinite(scale) || !Double.isFinite(mean) || !Double.isFinite(beta)
                || !(Math.abs(mean) * scale + Math.abs(beta) < 1e37)) {
                return false;
            }
        }
        return true;
    }

    /**
     * acc[i % 4] += v[i] - mu, or its square when {@code square}, in double: four independent chains of additions
     * (one chain waits on each addition's latency).
     */
    private static void accumulate(float[] v, int len, double mu, boolean square, double[] acc) {
        double a = acc[0];
        double b = acc[1];
        double c = acc[2];
        double e = acc[3];
        int i = 0;
        for (; i + 3 < len; i += 4) {
            double p = v[i] - mu;
            double q = v[i + 1] - mu;
            double r = v[i + 2] - mu;
            double u = v[i + 3] - mu;
            a += square ? p * p : p;
            b += square ? q * q : q;
            c += square ? r * r : r;
            e += square ? u * u : u;
        }
        for (; i < len; i++) {
            double p = v[i] - mu;
            a += square ? p * p : p;
        }
        acc[0] = a;
        acc[1] = b;
        acc[2] = c;
        acc[3] = e;
    }

    private static double total(double[] acc) {
        return (acc[0] + acc[1]) + (acc[2] + acc[3]);
    }

    static void forwardInference(Tensor x, Tensor y, BatchNormTensors bn, float eps, Parallel par) {
        Dims d = Dims.of(x).check(bn, y);
        par.range(d.c, (long) d.n * d.s, (from, to) -> {
            for (int c = from; c < to; c++) {
                float invStd = (float) (1.0 / Math.sqrt(bn.runningVar().mem().get(c) + (double) eps));
                normalize(x.mem(), y.mem(), d, c, bn.runningMean().mem().get(c), invStd, bn);
            }
        });
    }

    private static void normalize(HostMemory xb, HostMemory yb, Dims d, int c, float mean, float invStd,
                                  BatchNormTensors bn) {
        float gamma = bn.gamma().mem().get(c);
        float beta = bn.beta().mem().get(c);
        float scale = gamma * invStd;
        float[] v = Chunks.floats(1);
        for (int n = 0; n < d.n; n++) {
            for (int at = 0; at < d.s; at += Chunks.SIZE) {
                int len = Math.min(Chunks.SIZE, d.s - at);
                int o = d.at(n, c) + at;
                xb.get(o, v, 0, len);
                for (int i = 0; i < len; i++) {
                    v[i] = (v[i] - mean) * scale + beta;
                }
                yb.put(o, v, 0, len);
            }
        }
    }

    /** dx = gamma*invStd/M * (M*dy - sum(dy) - xhat*sum(dy*xhat)); dGamma += sum(dy*xhat); dBeta += sum(dy). */
    static void backward(Tensor x, Tensor dy, Tensor dx, BatchNormTensors bn, Parallel par) {
        Dims d = Dims.of(x).check(bn, dy, dx);
        CpuChecks.checkSize(bn.dGamma(), d.c, "batch norm");
        CpuChecks.checkSize(bn.dBeta(), d.c, "batch norm");
        par.range(d.c, (long) d.n * d.s * 3, (a, z) -> backward(x.mem(), dy.mem(), dx.mem(), bn, d, a, z));
    }

    private static void backward(HostMemory xb, HostMemory dyb, HostMemory dxb, BatchNormTensors bn, Dims d, int from,
                                 int to) {
        long m = (long) d.n * d.s;
        float[] xs = Chunks.floats(0);
        float[] gs = Chunks.floats(1);
        double[] acc = new double[8];
        for (int c = from; c < to; c++) {
            float mean = bn.savedMean().mem().get(c);
            float invStd = bn.savedInvStd().mem().get(c);
            java.util.Arrays.fill(acc, 0);
            for (int n = 0; n < d.n; n++) {
                for (int at = 0; at < d.s; at += Chunks.SIZE) {
                    int len = Math.min(Chunks.SIZE, d.s - at);
                    int o = d.at(n, c) + at;
                    xb.get(o, xs, 0, len);
                    dyb.get(o, gs, 0, len);
                    gradientSums(xs, gs, len, mean, invStd, acc);
                }
            }
            double sumDy = (acc[0] + acc[1]) + (acc[2] + acc[3]);
            double sumDyXhat = (acc[4] + acc[5]) + (acc[6] + acc[7]);
            float gamma = bn.gamma().mem().get(c);
            float k = gamma * invStd / m;
            float meanDy = (float) sumDy;
            float meanDyX = (float) sumDyXhat;
            float fm = m;
            for (int n = 0; n < d.n; n++) {
                for (int at = 0; at < d.s; at += Chunks.SIZE) {
                    int len = Math.min(Chunks.SIZE, d.s - at);
                    int o = d.at(n, c) + at;
                    xb.get(o, xs, 0, len);
                    dyb.get(o, gs, 0, len);
                    for (int i = 0; i < len; i++) {
                        float xhat = (xs[i] - mean) * invStd;
                        gs[i] = k * (fm * gs[i] - meanDy - xhat * meanDyX);
                    }
                    dxb.put(o, gs, 0, len);
                }
            }
            HostMemory dg = bn.dGamma().mem();
            HostMemory db = bn.dBeta().mem();
            dg.put(c, (float) (dg.get(c) + sumDyXhat));
            db.put(c, (float) (db.get(c) + sumDy));
        }
    }

    /** acc[i % 4] += dy[i] and acc[4 + i % 4] += dy[i]·x̂[i] (the product in float, as before the chunks). */
    private static void gradientSums(float[] x, float[] g, int len, float mean, float invStd, double[] acc) {
        double s0 = acc[0];
        double s1 = acc[1];
        double s2 = acc[2];
        double s3 = acc[3];
        double p0 = acc[4];
        double p1 = acc[5];
        double p2 = acc[6];
        double p3 = acc[7];
        int i = 0;
        for (; i + 3 < len; i += 4) {
            s0 += g[i];
            s1 += g[i + 1];
            s2 += g[i + 2];
            s3 += g[i + 3];
            p0 += g[i] * (x[i] - mean) * invStd;
            p1 += g[i + 1] * (x[i + 1] - mean) * invStd;
            p2 += g[i + 2] * (x[i + 2] - mean) * invStd;
            p3 += g[i + 3] * (x[i + 3] - mean) * invStd;
        }
        for (; i < len; i++) {
            s0 += g[i];
            p0 += g[i] * (x[i] - mean) * invStd;
        }
        acc[0] = s0;
        acc[1] = s1;
        acc[2] = s2;
        acc[3] = s3;
        acc[4] = p0;
        acc[5] = p1;
        acc[6] = p2;
        acc[7] = p3;
    }
}
