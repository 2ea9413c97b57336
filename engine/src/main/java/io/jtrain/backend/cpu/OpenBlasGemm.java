package io.jtrain.backend.cpu;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;

import io.jtrain.tensor.HostMemory;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * cblas_sgemm from OpenBLAS (bytedeco's no-LAPACK build) on the tensors' off-heap memory: the native
 * call receives raw addresses, nothing is copied.
 *
 * <p>Threads: OpenBLAS itself always runs on one thread. A product of at least {@link #PARALLEL_MACS}
 * multiply-adds is split into row (or column) blocks of C, one single-threaded call each on {@link Parallel}'s
 * threads; smaller ones run whole on the calling thread. Small products lose with more threads (dlfs's are
 * 4.2 M multiply-adds at most: on 2 OpenBLAS threads it trained at 0.6× its one-thread speed, LeNet-5 at 0.8×),
 * both from waking the threads and from OpenBLAS's idle threads spinning against oneDNN's and the Java loops';
 * Parallel's idle threads sleep. Changing OpenBLAS's own thread count per product instead cost more than it saved
 * (it re-sizes per-thread buffers: mlp fell from 44k to 25k samples/s). Which path a product takes depends on its
 * shape and the thread count only, never on timing or history, so runs (and resumed runs) repeat exactly.
 */
final class OpenBlasGemm implements Gemm {
    /** Products with at least this many multiply-adds (m·n·k) are split over the threads. */
    static final long PARALLEL_MACS = 1L << 23;
    /** The smallest block of rows or columns of C a thread gets. */
    private static final int MIN_BLOCK = 16;
    private final AddressPointer pa = new AddressPointer();
    private final AddressPointer pb = new AddressPointer();
    private final AddressPointer pc = new AddressPointer();
    private final int threads;
    private Parallel par;

    private OpenBlasGemm(int threads) {
        this.threads = threads;
    }

    /** Loads the native library (OpenBLAS on one thread); throws {@link LinkageError} when it cannot load. */
    static OpenBlasGemm load(int threads) {
        Loader.load(openblas_nolapack.class);
        org.bytedeco.openblas.presets.openblas_nolapack.blas_set_num_threads(1);
        return new OpenBlasGemm(threads);
    }

    /** The threads large products are split over (the backend's). */
    void use(Parallel p) {
        this.par = p;
    }

    @Override
    public void sgemm(Dims d, float alpha, Mat a, Mat b, float beta, Mat c) {
        if (d.m() == 0 || d.n() == 0) {
            return;
        }
        boolean byRows = d.m() >= d.n();
        int span = byRows ? d.m() : d.n();
        int parts = par == null || (long) d.m() * d.n() * d.k() < PARALLEL_MACS ? 1
            : Math.min(par.threads(), span / MIN_BLOCK);
        if (parts <= 1) {
            call(d, alpha, a, b, beta, c, pa, pb, pc);
            return;
        }
        par.parts(parts, p -> {
            int from = (int) ((long) span * p / parts);
            int to = (int) ((long) span * (p + 1) / parts);
            block(d, alpha, a, b, beta, c, byRows, from, to);
        });
    }

    /** Rows (or columns) [from, to) of C, on their own pointers (the blocks run at the same time). */
    private static void block(Dims d, float alpha, Mat a, Mat b, float beta, Mat c, boolean byRows, int from, int to) {
        int len = to - from;
        Dims sub;
        Mat sa = a;
        Mat sb = b;
        Mat sc;
        if (byRows) {   // rows of op(A) and C: A's rows, or A's columns when A is transposed
            sub = new Dims(len, d.n(), d.k(), d.transA(), d.transB());
            sa = new Mat(a.t(), a.offset() + (d.transA() ? from : (long) from * a.ld()), a.ld());
            sc = new Mat(c.t(), c.offset() + (long) from * c.ld(), c.ld());
        } else {        // columns of op(B) and C: B's columns, or B's rows when B is transposed
            sub = new Dims(d.m(), len, d.k(), d.transA(), d.transB());
            sb = new Mat(b.t(), b.offset() + (d.transB() ? (long) from * b.ld() : from), b.ld());
            sc = new Mat(c.t(), c.offset() + from, c.ld());
        }
        call(sub, alpha, sa, sb, beta, sc, new AddressPointer(), new AddressPointer(), new AddressPointer());
    }

    private static void call(Dims d, float alpha, Mat a, Mat b, float beta, Mat c, AddressPointer pa,
                             AddressPointer pb, AddressPointer pc) {
        openblas_nolapack.cblas_sgemm(CblasRowMajor, d.transA() ? CblasTrans : CblasNoTrans,
            d.transB() ? CblasTrans : CblasNoTrans, d.m(), d.n(), d.k(), alpha,
            pa.at(a.t().address() + a.offset() * Float.BYTES), a.ld(),
            pb.at(b.t().address() + b.offset() * Float.BYTES), b.ld(), beta,
            pc.at(c.t().address() + c.offset() * Float.BYTES), c.ld());
    }

    @Override
    public float sumSquares(HostMemory x, int n) {
        FloatPointer p = new AddressPointer().at(x.address());
        return openblas_nolapack.cblas_sdot(n, p, 1, p, 1);
    }

    @Override
    public String description() {
        return openblas_nolapack.OPENBLAS_VERSION.trim() + ", " + threads + (threads == 1 ? " thread" : " threads")
            + (threads == 1 ? "" : " (products of " + (PARALLEL_MACS >> 20) + " M multiply-adds or more split "
            + "over them)");
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
