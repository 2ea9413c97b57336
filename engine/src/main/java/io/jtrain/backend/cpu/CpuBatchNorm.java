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
                CpuBackend.checkSize(t, c, "batch norm");
            }
            for (Tensor t : same) {
                CpuBackend.checkSize(t, (long) n * c * s, "batch norm");
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
        for (int c = from; c < to; c++) {
            double sum = 0;
            for (int n = 0; n < d.n; n++) {
                int o = d.at(n, c);
                for (int i = 0; i < d.s; i++) {
                    sum += xb.get(o + i);
                }
            }
            double mean = sum / m;
            double sq = 0;
            for (int n = 0; n < d.n; n++) {
                int o = d.at(n, c);
                for (int i = 0; i < d.s; i++) {
                    double v = xb.get(o + i) - mean;
                    sq += v * v;
                }
            }
            double var = sq / m;
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

    static void forwardInference(Tensor x, Tensor y, BatchNormTensors bn, float eps) {
        Dims d = Dims.of(x).check(bn, y);
        for (int c = 0; c < d.c; c++) {
            float invStd = (float) (1.0 / Math.sqrt(bn.runningVar().mem().get(c) + (double) eps));
            normalize(x.mem(), y.mem(), d, c, bn.runningMean().mem().get(c), invStd, bn);
        }
    }

    private static void normalize(HostMemory xb, HostMemory yb, Dims d, int c, float mean, float invStd,
                                  BatchNormTensors bn) {
        float gamma = bn.gamma().mem().get(c);
        float beta = bn.beta().mem().get(c);
        float scale = gamma * invStd;
        for (int n = 0; n < d.n; n++) {
            int o = d.at(n, c);
            for (int i = 0; i < d.s; i++) {
                yb.put(o + i, (xb.get(o + i) - mean) * scale + beta);
            }
        }
    }

    /** dx = gamma*invStd/M * (M*dy - sum(dy) - xhat*sum(dy*xhat)); dGamma += sum(dy*xhat); dBeta += sum(dy). */
    static void backward(Tensor x, Tensor dy, Tensor dx, BatchNormTensors bn, Parallel par) {
        Dims d = Dims.of(x).check(bn, dy, dx);
        CpuBackend.checkSize(bn.dGamma(), d.c, "batch norm");
        CpuBackend.checkSize(bn.dBeta(), d.c, "batch norm");
        par.range(d.c, (long) d.n * d.s * 3, (a, z) -> backward(x.mem(), dy.mem(), dx.mem(), bn, d, a, z));
    }

    private static void backward(HostMemory xb, HostMemory dyb, HostMemory dxb, BatchNormTensors bn, Dims d, int from,
                                 int to) {
        long m = (long) d.n * d.s;
        for (int c = from; c < to; c++) {
            float mean = bn.savedMean().mem().get(c);
            float invStd = bn.savedInvStd().mem().get(c);
            double sumDy = 0;
            double sumDyXhat = 0;
            for (int n = 0; n < d.n; n++) {
                int o = d.at(n, c);
                for (int i = 0; i < d.s; i++) {
                    float g = dyb.get(o + i);
                    sumDy += g;
                    sumDyXhat += g * (xb.get(o + i) - mean) * invStd;
                }
            }
            float gamma = bn.gamma().mem().get(c);
            float k = gamma * invStd / m;
            float meanDy = (float) sumDy;
            float meanDyX = (float) sumDyXhat;
            for (int n = 0; n < d.n; n++) {
                int o = d.at(n, c);
                for (int i = 0; i < d.s; i++) {
                    float xhat = (xb.get(o + i) - mean) * invStd;
                    dxb.put(o + i, k * (m * dyb.get(o + i) - meanDy - xhat * meanDyX));
                }
            }
            HostMemory dg = bn.dGamma().mem();
            HostMemory db = bn.dBeta().mem();
            dg.put(c, (float) (dg.get(c) + sumDyXhat));
            db.put(c, (float) (db.get(c) + sumDy));
        }
    }
}
