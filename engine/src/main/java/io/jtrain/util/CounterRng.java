package io.jtrain.util;

/**
 * A counter-based random generator: the value at (seed, index) is a pure function of both, so the CPU
 * backend and a CUDA kernel draw identical dropout masks in any order and with any number of threads.
 * SplitMix64's finaliser over {@code seed + (index + 1) * golden}.
 */
public final class CounterRng {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private CounterRng() { }

    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A uniform float in [0, 1) with 24 random bits: {@link #bits24} · 2^-24. */
    public static float uniform(long seed, long index) {
        return bits24(seed, index) * 0x1.0p-24f;
    }

    /** The 24 random bits at (seed, index), as an int in [0, 2^24). */
    public static int bits24(long seed, long index) {
        return (int) (mix(seed + (index + 1) * GOLDEN) >>> 40);
    }

    /** Derives a child seed (e.g. per layer, per step) from a parent seed and a label. */
    public static long derive(long seed, long label) {
        return mix(seed ^ mix(label + GOLDEN));
    }
}
