package io.jtrain.util;

import java.util.Collection;

/** "Did you mean": the closest of a set of names by edit distance, when it is close enough to be a typo. */
public final class Suggest {
    private Suggest() { }

    /** The name in {@code names} closest to {@code typed} (at most 2 edits, or 1 for short names), or null. */
    public static String closest(String typed, Collection<String> names) {
        String best = null;
        int bestD = Integer.MAX_VALUE;
        for (String n : names) {
            int d = distance(typed, n);
            if (d < bestD) {
                bestD = d;
                best = n;
            }
        }
        int limit = typed.length() <= 4 ? 1 : 2;
        return bestD <= limit || best != null && best.startsWith(typed) && typed.length() >= 3 ? best : null;
    }

    /** {@code "; did you mean 'x'?"} for the closest name, or an empty string. */
    public static String didYouMean(String typed, Collection<String> names) {
        String c = closest(typed, names);
        return c == null ? "" : "; did you mean '" + c + "'?";
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int c = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + c);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
