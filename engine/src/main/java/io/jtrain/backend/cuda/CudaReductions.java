package io.jtrain.backend.cuda;

import io.jtrain.tensor.Tensor;
import java.util.List;

/**
 * The host side of reductions.cu: per-channel reductions over many blocks per channel (bias gradients,
 * batch-norm statistics, the live doctor's unit statistics) and whole-tensor reductions (sums of squares
 * for gradient clipping, tensor statistics). The chunk and part counts depend only on the shapes, never on
 * the GPU, so results are reproducible across devices; every reduction is two launches whatever the batch.
 */
final class CudaReductions {
    static final int SUM = 0;
    static final int MOMENTS = 1;
    static final int BN_BACKWARD = 2;
    static final int UNIT_STATS = 3;
    /** Blocks a channel reduction aims for over all channels (a few per SM on current GPUs). */
    private static final int TARGET_BLOCKS = 512;
    /** Elements a reduction block should have at least before more blocks pay. */
    private static final int MIN_BLOCK_WORK = 8192;
    private static final int MAX_PARTS = 64;
    private final CudaBackend be;

    CudaReductions(CudaBackend be) {
        this.be = be;
    }

    /** Partial results of a channel reduction: [C, chunks, 4] floats. */
    record Partials(Tensor tensor, int chunks) { }

    /** Chunks of the N samples per channel: enough blocks to fill the GPU, each with real work. */
    static int chunks(int n, int c, int s) {
        long byBlocks = (TARGET_BLOCKS + c - 1) / c;
        long byWork = ((long) n * s + MIN_BLOCK_WORK - 1) / MIN_BLOCK_WORK;
        return (int) Math.max(1, Math.min(Math.min(byBlocks, byWork), Math.min(n, 1024)));
    }

    /** Blocks of the finalisers: one warp per channel, 8 warps per block. */
    static int finalizeGrid(int c) {
        return Math.max(1, (c + Kernels.BLOCK / 32 - 1) / (Kernels.BLOCK / 32));
    }

    /** One channelPartials launch over a [N, C, S] view (mode as in reductions.cu). */
    Partials channelPartials(int n, int c, int s, int mode, Tensor a, Tensor b, Tensor mean, float hi, float lo) {
        if ((long) n * s >= Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a per-channel reduction over " + ((long) n * s) + " values (N " + n
                + " x " + s + ") exceeds the GPU kernels' 32-bit index; use a smaller batch");
        }
        int chunks = chunks(n, c, s);
        Tensor partial = be.scratch(CudaBackend.Slot.PARTIALS, 4L * c * chunks);
        be.kernels().launchGrid("channelPartials", Math.min(chunks, Kernels.MAX_GRID), Math.min(c, Kernels.MAX_GRID_Y),
            n, c, s, chunks, mode, be.dp(a), be.dp(b), be.dp(mean), hi, lo, be.dp(partial));
        return new Partials(partial, chunks);
    }

    /** out[c] += sum over N and S of x viewed as [N, C, S] (bias gradients). */
    void channelSum(int n, int c, int s, Tensor x, Tensor out) {
        Partials p = channelPartials(n, c, s, SUM, x, null, null, 0f, 0f);
        be.kernels().launchGrid("channelSumFinalize", finalizeGrid(c), 1, c, p.chunks(), be.dp(p.tensor()), be.dp(out));
    }

    /** out[u * 4 ..] = unit statistics of y viewed as [N, U, S]. */
    void unitStats(Tensor y, float hi, float lo, Tensor out) {
        int n = y.dim(0);
        int u = y.shape().rank() > 1 ? y.dim(1) : 1;
        int s = (int) (y.size() / ((long) n * u));
        if (out.size() < 4L * u) {
            throw new IllegalArgumentException("unitStats: " + out.shape() + " should hold at least " + 4L * u
                + " values");
        }
        Partials p = channelPartials(n, u, s, UNIT_STATS, y, null, null, hi, lo);
        be.kernels().launchGrid("unitStatsFinalize", finalizeGrid(u), 1, u, p.chunks(), be.dp(p.tensor()), be.dp(out));
    }

    /** Parts of a whole-tensor reduction of n elements. */
    static int parts(long n) {
        return (int) Math.max(1, Math.min(MAX_PARTS, (n + 8191) / 8192));
    }

    /** out[0..6) = statistics of x (see Backend#reduceStats). */
    void stats(Tensor x, Tensor out) {
        int parts = parts(x.size());
        Tensor partial = be.scratch(CudaBackend.Slot.PARTIALS, 6L * parts);
        be.kernels().launchGrid("statsPartial", parts, 1, x.size(), parts, be.dp(x), be.dp(partial));
        be.kernels().launchGrid("statsFinalize", 1, 1, parts, be.dp(partial), be.dp(out));
    }

    /** Gradient clipping by the global norm: per tensor a partial sum of squares, one finaliser, per tensor a scale. */
    void clip(List<Tensor> grads, float maxNorm, Tensor out) {
        long total = 0;
        for (Tensor g : grads) {
            total += parts(g.size());
        }
        Tensor partial = be.scratch(CudaBackend.Slot.CLIP_PARTIALS, Math.max(1, total));
        long offset = 0;
        for (Tensor g : grads) {
            int parts = parts(g.size());
            be.kernels().launchGrid("sumSquaresPartial", parts, 1, g.size(), parts, be.dp(g),
                new CudaApi.DevPtr(partial.address() + 4 * offset));
            offset += parts;
        }
        be.kernels().launchGrid("clipFinalize", 1, 1, (int) total, be.dp(partial), maxNorm, be.dp(out));
        CudaApi.DevPtr factor = new CudaApi.DevPtr(out.address() + 4);
        for (Tensor g : grads) {
            be.kernels().launch("scaleByDeviceScalar", g.size(), g.size(), factor, be.dp(g));
        }
    }

    /** The sum of squares of x, read back (one download). */
    double sumSquares(Tensor x) {
        int parts = parts(x.size());
        Tensor partial = be.scratch(CudaBackend.Slot.PARTIALS, parts);
        be.kernels().launchGrid("sumSquaresPartial", parts, 1, x.size(), parts, be.dp(x), be.dp(partial));
        float[] h = new float[parts];
        be.download(partial.slice(0, parts), h, 0);
        double s = 0;
        for (float v : h) {
            s += v;
        }
        return s;
    }
}
