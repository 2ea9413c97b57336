package io.jtrain.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jtrain.tensor.CpuMemoryPool;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The row-bias loops over {@link Chunks} of columns, bit for bit against the element loops they replaced (the
 * same additions in the same order), with rows wider than a chunk (2,500 = 2 chunks + 452) and narrower (7).
 */
class RowBiasChunkTest {
    @Test
    void addRowBiasAndRowBiasGradMatchTheElementLoopsBitForBit() {
        try (CpuBackend be = CpuBackend.create(new CpuMemoryPool(64L << 20), 1)) {
            for (int f : new int[] {2500, 7, Chunks.SIZE}) {
                int rows = 5;
                SplittableRandom r = new SplittableRandom(f);
                Tensor y = be.allocate(Shape.of(rows, f), MemoryCategory.ACTIVATIONS);
                Tensor b = be.allocate(Shape.of(f), MemoryCategory.ACTIVATIONS);
                for (int i = 0; i < rows * f; i++) {
                    y.mem().put(i, (float) r.nextGaussian() * 1e3f);
                }
                for (int j = 0; j < f; j++) {
                    b.mem().put(j, (float) r.nextGaussian());
                }
                float[] sum = new float[rows * f];
                float[] grad = new float[f];
                for (int j = 0; j < f; j++) {
                    double s = 0;
                    for (int i = 0; i < rows; i++) {
                        s += y.mem().get(i * f + j);
                    }
                    grad[j] = (float) (b.mem().get(j) + s);
                }
                be.rowBiasGrad(y, b);
                for (int j = 0; j < f; j++) {
                    assertEquals(Float.floatToRawIntBits(grad[j]), Float.floatToRawIntBits(b.mem().get(j)), "db " + j);
                }
                float[] bias = new float[f];
                b.mem().get(0, bias, 0, f);
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < f; j++) {
                        sum[i * f + j] = y.mem().get(i * f + j) + bias[j];
                    }
                }
                be.addRowBias(y, b);
                for (int i = 0; i < rows * f; i++) {
                    assertEquals(Float.floatToRawIntBits(sum[i]), Float.floatToRawIntBits(y.mem().get(i)), "y " + i);
                }
                y.close();
                b.close();
            }
        }
    }
}
