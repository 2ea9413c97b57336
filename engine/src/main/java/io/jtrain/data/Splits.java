package io.jtrain.data;

import java.util.SplittableRandom;

/** Carves a validation split from training data with a seed. */
public final class Splits {
    private Splits() { }

    /**
     * Splits {@code train} into (train, validation): {@code validation} is a fraction in (0, 1) or a count
     * (>= 1); 0 means no validation split.
     */
    public static Dataset[] carve(Dataset train, double validation, long seed) {
        int n = train.size();
        int nVal = validation <= 0 ? 0 : validation < 1 ? (int) Math.round(n * validation) : (int) validation;
        if (nVal >= n) {
            throw new io.jtrain.util.UsageException("validation split of " + nVal + " samples leaves no training data (" + n
                + " samples); use a smaller validation fraction or count");
        }
        int[] perm = permutation(n, seed);
        int[] tr = new int[n - nVal];
        int[] va = new int[nVal];
        System.arraycopy(perm, 0, tr, 0, n - nVal);
        System.arraycopy(perm, n - nVal, va, 0, nVal);
        java.util.Arrays.sort(tr);
        java.util.Arrays.sort(va);
        return new Dataset[] {train.subset(tr, train.name() + "/train"), nVal == 0 ? null : train.subset(va,
            train.name() + "/validation")};
    }

    /** A Fisher-Yates permutation of [0, n) from {@code seed}. */
    public static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        shuffle(p, new SplittableRandom(seed));
        return p;
    }

    public static void shuffle(int[] p, SplittableRandom r) {
        for (int i = p.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
    }
}
