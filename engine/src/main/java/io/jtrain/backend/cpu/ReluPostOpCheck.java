package io.jtrain.backend.cpu;

import io.jtrain.backend.ConvSpec;
import io.jtrain.tensor.CpuMemoryPool;
import io.jtrain.tensor.HostMemory;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.MemoryPool;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;

/**
 * Whether oneDNN's ReLU post-op on a convolution is jtrain's ReLU bit for bit ({@code y = x > 0 ? x : +0}, NaN to
 * +0): a 1×1 convolution with weight 1 and no bias passes each special value through, the post-op maps it, and the
 * result is compared with {@link CpuMath#positive}'s mask. Run once per backend; where it differs, convolutions and
 * ReLUs stay separate ops.
 */
final class ReluPostOpCheck {
    private static final float[] SPECIAL = {0f, -0f, Float.NaN, Float.intBitsToFloat(0xffc00000),
        Float.intBitsToFloat(0x7f800001), Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
        -Float.MIN_VALUE, 1.5f, -2.5f, Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_NORMAL, -Float.MIN_NORMAL, 3e-39f};

    private ReluPostOpCheck() { }

    static boolean run(OneDnnConv conv) {
        int n = SPECIAL.length;
        MemoryPool pool = new CpuMemoryPool(1 << 20);
        try (Tensor x = Tensor.allocate(pool, Shape.of(1, 1, 1, n), MemoryCategory.WORKSPACE, true);
             Tensor w = Tensor.allocate(pool, Shape.of(1, 1, 1, 1), MemoryCategory.WORKSPACE, true);
             Tensor y = Tensor.allocate(pool, Shape.of(1, 1, 1, n), MemoryCategory.WORKSPACE, true)) {
            x.mem().put(0, SPECIAL, 0, n);
            w.mem().put(0, 1f);
            if (!conv.forwardReluUnchecked(x, w, null, y, ConvSpec.square(1, 1, 0))) {
                return false;
            }
            HostMemory out = y.mem();
            for (int i = 0; i < n; i++) {
                int xb = Float.floatToRawIntBits(SPECIAL[i]);
                if (Float.floatToRawIntBits(out.get(i)) != (xb & CpuMath.positive(xb))) {
                    return false;
                }
            }
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }
}
