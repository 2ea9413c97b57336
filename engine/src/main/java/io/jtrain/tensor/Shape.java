package io.jtrain.tensor;

import java.util.Arrays;

/**
 * An immutable tensor shape. Images are NCHW ({@code [N, C, H, W]}), features are {@code [N, F]}.
 * Shapes used at model build time describe one sample (no batch dimension).
 */
public final class Shape {
    private final int[] dims;

    private Shape(int[] dims) {
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(dims));
            }
        }
        this.dims = dims.clone();
    }

    /** A shape from its dimensions, outermost first. */
    public static Shape of(int... dims) {
        return new Shape(dims);
    }

    public int rank() {
        return dims.length;
    }

    public int dim(int i) {
        return dims[i < 0 ? dims.length + i : i];
    }

    public int[] dims() {
        return dims.clone();
    }

    /** Number of elements. */
    public long size() {
        long s = 1;
        for (int d : dims) {
            s *= d;
        }
        return s;
    }

    /** This shape with a leading batch dimension of {@code n}. */
    public Shape withBatch(int n) {
        int[] d = new int[dims.length + 1];
        d[0] = n;
        System.arraycopy(dims, 0, d, 1, dims.length);
        return new Shape(d);
    }

    /** This shape without its leading (batch) dimension. */
    public Shape perSample() {
        return new Shape(Arrays.copyOfRange(dims, 1, dims.length));
    }

    /** Elements per entry of the leading dimension. */
    public long sampleSize() {
        return dims.length == 0 ? 1 : size() / Math.max(1, dims[0]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
