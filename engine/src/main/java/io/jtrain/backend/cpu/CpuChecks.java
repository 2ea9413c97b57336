package io.jtrain.backend.cpu;

import io.jtrain.tensor.Tensor;

/** Size checks of the CPU backend's ops beyond {@link io.jtrain.backend.OpChecks}'s shape checks. */
final class CpuChecks {
    private CpuChecks() { }

    static void checkDivides(Tensor t, int f, String op) {
        if (f == 0 || t.size() % f != 0) {
            throw new IllegalArgumentException(op + ": " + t.shape() + " is not a whole number of rows of " + f);
        }
    }

    static void checkSize(Tensor t, long expected, String op) {
        if (t.size() != expected) {
            throw new IllegalArgumentException(op + ": " + t.shape() + " should hold " + expected + " values");
        }
    }

    static void checkAtLeast(Tensor t, long n, String op) {
        if (t.size() < n) {
            throw new IllegalArgumentException(op + ": " + t.shape() + " should hold at least " + n + " values");
        }
    }

    static void checkSameSize(Tensor a, Tensor b, String op) {
        if (a.size() != b.size()) {
            throw new IllegalArgumentException(op + ": sizes differ, " + a.shape() + " vs " + b.shape());
        }
    }
}
