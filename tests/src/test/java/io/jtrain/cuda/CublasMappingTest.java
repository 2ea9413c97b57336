package io.jtrain.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.jtrain.backend.cuda.CublasMapping;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The row-major to column-major cuBLAS argument mapping, checked with a column-major sgemm emulator. */
class CublasMappingTest {

    /** Column-major sgemm semantics: C = op(A) op(B), A stored with leading dimension lda (columns). */
    static void sgemmColumnMajor(boolean ta, boolean tb, int m, int n, int k, float[] a, int lda, float[] b, int ldb,
                                 float[] c, int ldc) {
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    float av = ta ? a[p + i * lda] : a[i + p * lda];
                    float bv = tb ? b[j + p * ldb] : b[p + j * ldb];
                    s += av * bv;
                }
                c[i + j * ldc] = (float) s;
            }
        }
    }

    @ParameterizedTest(name = "M={0} N={1} K={2} transA={3} transB={4}")
    @CsvSource({"3, 5, 4, false, false", "3, 5, 4, true, false", "3, 5, 4, false, true", "3, 5, 4, true, true",
        "1, 7, 2, false, true", "6, 1, 9, true, false"})
    void mappingReproducesRowMajorProducts(int bigM, int bigN, int bigK, boolean ta, boolean tb) {
        SplittableRandom r = new SplittableRandom(bigM * 31 + bigN);
        float[] a = new float[bigM * bigK];
        float[] b = new float[bigK * bigN];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) r.nextGaussian();
        }
        float[] expect = new float[bigM * bigN];
        for (int i = 0; i < bigM; i++) {
            for (int j = 0; j < bigN; j++) {
                double s = 0;
                for (int p = 0; p < bigK; p++) {
                    s += (ta ? a[p * bigM + i] : a[i * bigK + p]) * (tb ? b[j * bigK + p] : b[p * bigN + j]);
                }
                expect[i * bigN + j] = (float) s;
            }
        }
        CublasMapping g = CublasMapping.rowMajor(ta, tb, bigM, bigN, bigK);
        float[] c = new float[bigM * bigN];
        sgemmColumnMajor(g.transFirst(), g.transSecond(), g.m(), g.n(), g.k(), b, g.ldFirst(), a, g.ldSecond(), c,
            g.ldc());
        assertArrayEquals(expect, c, 1e-5f);
    }
}
