package io.jtrain.data;

import io.jtrain.tensor.Shape;
import java.util.Arrays;

/**
 * Samples held in host memory: inputs {@code x} ([N, sampleShape...] row-major) and targets {@code y}
 * (class indices as floats, [N], or dense targets [N, targetSize]).
 *
 * @param classNames names of the classes (may be generated), or an empty array for regression
 */
public record Dataset(String name, Shape sampleShape, float[] x, float[] y, int targetSize, int numClasses,
                      String[] classNames) {

    public int size() {
        return (int) (x.length / sampleShape.size());
    }

    public int sampleSize() {
        return (int) sampleShape.size();
    }

    /** The samples at {@code indices}, in that order. */
    public Dataset subset(int[] indices, String newName) {
        int ss = sampleSize();
        float[] nx = new float[indices.length * ss];
        float[] ny = new float[indices.length * targetSize];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(x, indices[i] * ss, nx, i * ss, ss);
            System.arraycopy(y, indices[i] * targetSize, ny, i * targetSize, targetSize);
        }
        return new Dataset(newName, sampleShape, nx, ny, targetSize, numClasses, classNames);
    }

    /** The first {@code n} samples. */
    /** {@code n} samples spaced evenly through this set (so that a file sorted by class stays balanced). */
    public Dataset evenlySpaced(int n, String newName) {
        int[] every = new int[n];
        for (int i = 0; i < n; i++) {
            every[i] = (int) ((long) i * size() / n);
        }
        return subset(every, newName);
    }

    public Dataset head(int n) {
        int[] idx = new int[Math.min(n, size())];
        Arrays.setAll(idx, i -> i);
        return subset(idx, name);
    }

    /** Counts of each class label (classification only). */
    public long[] classCounts() {
        long[] c = new long[Math.max(1, numClasses)];
        if (targetSize == 1 && numClasses > 0) {
            for (float v : y) {
                int k = (int) v;
                if (k >= 0 && k < c.length) {
                    c[k]++;
                }
            }
        }
        return c;
    }

    /** Checks every label is an integer in [0, numClasses); names the first bad sample. */
    public void checkLabels(String where) {
        if (targetSize != 1 || numClasses <= 0) {
            return;
        }
        for (int i = 0; i < y.length; i++) {
            float v = y[i];
            if (v != Math.rint(v) || v < 0 || v >= numClasses) {
                throw new DataException(where + ": label " + v + " of sample " + i + " is outside the class range [0, "
                    + (numClasses - 1) + "]; fix the labels or the number of classes");
            }
        }
    }
}
