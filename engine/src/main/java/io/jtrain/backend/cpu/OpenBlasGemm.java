package io.jtrain.backend.cpu;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * cblas_sgemm from OpenBLAS (bytedeco's no-LAPACK build) on the tensors' off-heap memory: the native
 * call receives raw addresses, nothing is copied. Three reusable pointer objects avoid per-call
 * allocation.
 */
final class OpenBlasGemm implements Gemm {
    private final AddressPointer pa = new AddressPointer();
    private final AddressPointer pb = new AddressPointer();
    private final AddressPointer pc = new AddressPointer();
    private final int threads;

    private OpenBlasGemm(int threads) {
        this.threads = threads;
    }

    /** Loads the native library and sets its thread count; throws {@link LinkageError} when it cannot load. */
    static OpenBlasGemm load(int threads) {
        Loader.load(openblas_nolapack.class);
        org.bytedeco.openblas.presets.openblas_nolapack.blas_set_num_threads(threads);
        return new OpenBlasGemm(threads);
    }

    @Override
    public void sgemm(Dims d, float alpha, Mat a, Mat b, float beta, Mat c) {
        if (d.m() == 0 || d.n() == 0) {
            return;
        }
        openblas_nolapack.cblas_sgemm(CblasRowMajor, d.transA() ? CblasTrans : CblasNoTrans,
            d.transB() ? CblasTrans : CblasNoTrans, d.m(), d.n(), d.k(), alpha,
            pa.at(a.t().address() + a.offset() * Float.BYTES), a.ld(),
            pb.at(b.t().address() + b.offset() * Float.BYTES), b.ld(), beta,
            pc.at(c.t().address() + c.offset() * Float.BYTES), c.ld());
    }

    @Override
    public String description() {
        return openblas_nolapack.OPENBLAS_VERSION.trim() + ", " + threads + (threads == 1 ? " thread" : " threads");
    }

    /** A float pointer whose address is reset for each call. */
    private static final class AddressPointer extends FloatPointer {
        AddressPointer() {
            super((org.bytedeco.javacpp.Pointer) null);
        }

        FloatPointer at(long addr) {
            this.address = addr;
            this.position = 0;
            return this;
        }
    }
}
