package io.jtrain.backend.cpu;

import io.jtrain.tensor.HostMemory;

/** The pure-Java matrix product, used only when OpenBLAS cannot be loaded (announced at start-up). */
final class JavaGemm implements Gemm {

    @Override
    public float sumSquares(HostMemory x, int n) {
        float a = 0;
        float b = 0;
        float c = 0;
        float d = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            float p = x.get(i);
            float q = x.get(i + 1);
            float r = x.get(i + 2);
            float s = x.get(i + 3);
            a += p * p;
            b += q * q;
            c += r * r;
            d += s * s;
        }
        for (; i < n; i++) {
            float p = x.get(i);
            a += p * p;
        }
        return (a + b) + (c + d);
    }

    @Override
    public void sgemm(Dims d, float alpha, Mat a, Mat b, float beta, Mat c) {
        HostMemory cb = c.t().mem();
        HostMemory ab = a.t().mem();
        HostMemory bb = b.t().mem();
        for (int i = 0; i < d.m(); i++) {
            int cRow = (int) (c.offset() + (long) i * c.ld());
            for (int j = 0; j < d.n(); j++) {
                cb.put(cRow + j, beta == 0f ? 0f : beta * cb.get(cRow + j));
            }
            for (int p = 0; p < d.k(); p++) {
                float av = alpha * (d.transA() ? ab.get((int) (a.offset() + (long) p * a.ld() + i))
                                               : ab.get((int) (a.offset() + (long) i * a.ld() + p)));
                if (av == 0f) {
                    continue;
                }
                if (d.transB()) {
                    for (int j = 0; j < d.n(); j++) {
                        cb.put(cRow + j, cb.get(cRow + j) + av * bb.get((int) (b.offset() + (long) j * b.ld() + p)));
                    }
                } else {
                    int bRow = (int) (b.offset() + (long) p * b.ld());
                    for (int j = 0; j < d.n(); j++) {
                        cb.put(cRow + j, cb.get(cRow + j) + av * bb.get(bRow + j));
                    }
                }
            }
        }
    }

    @Override
    public String description() {
        return "pure-Java GEMM";
    }
}
