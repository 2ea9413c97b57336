package io.jtrain.data;

import java.util.SplittableRandom;

/**
 * Random image augmentation applied to training batches on the host: a rotation by up to
 * {@code maxRotationDegrees}, a shift by up to {@code maxShift} of the width/height, and a horizontal
 * flip with probability 1/2, with bilinear sampling and zero fill. Draws come from a generator seeded
 * per (run seed, epoch, step), so resumed runs draw the same augmentations.
 */
public record Augmentation(double maxShift, boolean horizontalFlip, double maxRotationDegrees) {

    public static Augmentation none() {
        return new Augmentation(0, false, 0);
    }

    public Augmentation {
        if (maxShift < 0 || maxShift > 0.5 || maxRotationDegrees < 0 || maxRotationDegrees > 180) {
            throw new io.jtrain.util.UsageException("augmentation out of range: shift in [0, 0.5], rotation in [0, 180] "
                + "degrees");
        }
    }

    public boolean enabled() {
        return maxShift > 0 || horizontalFlip || maxRotationDegrees > 0;
    }

    /** Transforms one [C, H, W] sample at {@code off} of {@code x} in place, using {@code tmp} (C*H*W). */
    public void apply(float[] x, int off, int c, int h, int w, float[] tmp, SplittableRandom r) {
        double angle = Math.toRadians((r.nextDouble() * 2 - 1) * maxRotationDegrees);
        double dy = (r.nextDouble() * 2 - 1) * maxShift * h;
        double dx = (r.nextDouble() * 2 - 1) * maxShift * w;
        boolean flip = horizontalFlip && r.nextBoolean();
        System.arraycopy(x, off, tmp, 0, c * h * w);
        double cy = (h - 1) / 2.0;
        double cx = (w - 1) / 2.0;
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        for (int i = 0; i < h; i++) {
            for (int j = 0; j < w; j++) {
                double ox = (flip ? w - 1 - j : j) - cx - dx;
                double oy = i - cy - dy;
                double sx = cos * ox + sin * oy + cx;
                double sy = -sin * ox + cos * oy + cy;
                for (int ch = 0; ch < c; ch++) {
                    x[off + (ch * h + i) * w + j] = bilinear(tmp, ch * h * w, h, w, sy, sx);
                }
            }
        }
    }

    private static float bilinear(float[] img, int off, int h, int w, double y, double x) {
        int y0 = (int) Math.floor(y);
        int x0 = (int) Math.floor(x);
        double fy = y - y0;
        double fx = x - x0;
        return (float) (pixel(img, off, h, w, y0, x0) * (1 - fy) * (1 - fx)
            + pixel(img, off, h, w, y0, x0 + 1) * (1 - fy) * fx
            + pixel(img, off, h, w, y0 + 1, x0) * fy * (1 - fx)
            + pixel(img, off, h, w, y0 + 1, x0 + 1) * fy * fx);
    }

    private static float pixel(float[] img, int off, int h, int w, int y, int x) {
        return y < 0 || y >= h || x < 0 || x >= w ? 0f : img[off + y * w + x];
    }
}
