package io.jtrain.backend.cpu;

import io.jtrain.backend.TensorStats;
import io.jtrain.tensor.HostMemory;
import io.jtrain.tensor.Tensor;

/** The CPU backend's whole-tensor reductions (the monitor's samples and gradient clipping read them). */
final class CpuReductions {
    private CpuReductions() { }

    /** The sum of squares of x's values, in double. */
    static double sumSquares(Tensor x) {
        HostMemory b = x.mem();
        int n = (int) x.size();
        double s = 0;
        for (int i = 0; i < n; i++) {
            double v = b.get(i);
            s += v * v;
        }
        return s;
    }

    /** out[0..5] = sum, sum of squares, min, max, non-finite count, zero count of {@code st}. */
    static void reduceStats(TensorStats st, Tensor out) {
        HostMemory o = out.mem();
        o.put(0, (float) st.sum());
        o.put(1, (float) st.sumSquares());
        o.put(2, st.min());
        o.put(3, st.max());
        o.put(4, st.nonFinite());
        o.put(5, st.zeros());
    }

    /**
     * out[1] = the sum of squares through {@link Gemm#sumSquares} (OpenBLAS's SIMD dot product, accumulated in float:
     * 10× the element loop of the full statistics), out[4] = 0 non-finite values; false (nothing written) when the
     * sum comes out non-finite — a NaN or an infinity among the values, or a float overflow — where the caller's
     * full statistics count them exactly.
     */
    static boolean reduceSquares(Tensor x, Tensor out, Gemm gemm) {
        float sq = gemm.sumSquares(x.mem(), (int) x.size());
        if (!Float.isFinite(sq)) {
            return false;
        }
        HostMemory o = out.mem();
        o.put(1, sq);
        o.put(4, 0f);
        return true;
    }
}
