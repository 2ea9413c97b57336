package io.jtrain.backend.cpu;

import io.jtrain.backend.BatchNormTensors;
import io.jtrain.tensor.Tensor;
import java.nio.FloatBuffer;

/** Batch normalisation over x viewed as [N, C, S]: statistics per channel c over N and S. */
final class CpuBatchNorm {
    private CpuBatchNorm() { }

    private record Dims(int n, int c, int s) {
        static Dims of(Tensor x) {
            int n = x.dim(0);
            int c = x.dim(1);
            return new Dims(n, c, (int) (x.size() / ((long) n * c)));
        }

        int at(int ni, int ci) {
            return (ni * c + ci) * s;
        }
    }

    static void forwardTraining(Tensor x, Tensor y, BatchNormTensors bn, float momentum, float eps) {
        Dims d = Dims.of(x);
        FloatBuffer xb = x.host();
        FloatBuffer yb = y.host();
        long m = (long) d.n * d.s;
        for (int c = 0; c < d.c; c++) {
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
            bn.savedMean().host().put(c, (float) mean);
            bn.savedInvStd().host().put(c, invStd);
            double unbiased = m > 1 ? var * m / (m - 1) : var;
            FloatBuffer rm = bn.runningMean().host();
            FloatBuffer rv = bn.runningVar().host();
            rm.put(c, (float) ((1 - momentum) * rm.get(c) + momentum * mean));
            rv.put(c, (float) ((1 - momentum) * rv.get(c) + momentum * unbiased));
        }
    }

    static void forwardInference(Tensor x, Tensor y, BatchNormTensors bn, float eps) {
        Dims d = Dims.of(x);
        for (int c = 0; c < d.c; c++) {
            float invStd = (float) (1.0 / Math.sqrt(bn.runningVar().host().get(c) + (double) eps));
            normalize(x.host(), y.host(), d, c, bn.runningMean().host().get(c), invStd, bn);
        }
    }

    private static void normalize(FloatBuffer xb, FloatBuffer yb, Dims d, int c, float mean, float invStd,
                                  BatchNormTensors bn) {
        float gamma = bn.gamma().host().get(c);
        float beta = bn.beta().host().get(c);
        float scale = gamma * invStd;
        for (int n = 0; n < d.n; n++) {
            int o = d.at(n, c);
            for (int i = 0; i < d.s; i++) {
                yb.put(o + i, (xb.get(o + i) - mean) * scale + beta);
            }
        }
    }

    /** dx = gamma*invStd/M * (M*dy - sum(dy) - xhat*sum(dy*xhat)); dGamma += sum(dy*xhat); dBeta += sum(dy). */
    static void backward(Tensor x, Tensor dy, Tensor dx, BatchNormTensors bn) {
        Dims d = Dims.of(x);
        FloatBuffer xb = x.host();
        FloatBuffer dyb = dy.host();
        FloatBuffer dxb = dx.host();
        long m = (long) d.n * d.s;
        for (int c = 0; c < d.c; c++) {
            float mean = bn.savedMean().host().get(c);
            float invStd = bn.savedInvStd().host().get(c);
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
            float gamma = bn.gamma().host().get(c);
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
            FloatBuffer dg = bn.dGamma().host();
            FloatBuffer db = bn.dBeta().host();
            dg.put(c, (float) (dg.get(c) + sumDyXhat));
            db.put(c, (float) (db.get(c) + sumDy));
        }
    }
}
