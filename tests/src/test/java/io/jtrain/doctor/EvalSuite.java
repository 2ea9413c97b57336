package io.jtrain.doctor;

import io.jtrain.data.Dataset;
import io.jtrain.doctor.EvalData.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The extended evaluation suite of the doctor: per fault kind, 3 data sets x 2 architectures x 2 magnitudes
 * x 3 seeds, plus a healthy look-alike per fault kind on every data set and seed. A magnitude is either on
 * the faulty side of a detection threshold ("above", expected to be named) or on the healthy side within 2x
 * of it ("below", expected not to be named), or, for faults without a threshold, a mild and a strong form
 * (both expected). Half of the cases (by a hash of their name) are held out: the figures in
 * docs/diagnosis.md are measured on that half, which was frozen (committed) before any threshold was tuned.
 * Revision 2 (its own commit, before the threshold change it is designed around) changed two families whose
 * labels the jobs' own training histories contradicted: the healthy-side unnormalised image jobs and the mild
 * CIFAR-shaped overfitting jobs (see the comments there and docs/diagnosis.md); names, and so the held-out
 * half, are unchanged.
 */
final class EvalSuite {
    private EvalSuite() { }

    /**
     * One job: its name, the fault it carries (null: none), the data, the job's YAML without the data
     * section's name, the target error (null: none), and whether it is in the held-out half.
     */
    record Case(String name, String fault, Supplier<Dataset> data, String yaml, Double targetError, boolean heldOut) { }

    static final List<String> KINDS = List.of("unnormalized_inputs", "learning_rate_too_high", "bad_initialization",
        "final_activation_mismatch", "class_imbalance", "dead_relu", "vanishing_gradients", "overfitting",
        "underfitting", "nan_in_data", "label_out_of_range");

    static boolean heldOut(String name) {
        int h = name.hashCode() * 0x9E3779B1;
        return ((h >>> 16) & 1) == 0;
    }

    /** Layers of the two architectures: A without batch norm, B with it; {@code hidden} is the injection point. */
    static String layers(Kind d, boolean bn, int classes, String hidden, String last) {
        StringBuilder sb = new StringBuilder("model:\n  layers:\n");
        if (d.images()) {
            sb.append("    - {type: conv2d, filters: 8, kernel: 3, padding: 1}\n");
            sb.append(bn ? "    - {type: batch_norm}\n" : "").append("    - {type: relu}\n");
            sb.append("    - {type: max_pool2d, kernel: 2}\n");
            sb.append("    - {type: conv2d, filters: 16, kernel: 3, padding: 1}\n");
            sb.append(bn ? "    - {type: batch_norm}\n" : "").append("    - {type: relu}\n");
            sb.append("    - {type: max_pool2d, kernel: 2}\n    - {type: flatten}\n");
        } else {
            sb.append("    - {type: dense, units: 64}\n").append(bn ? "    - {type: batch_norm}\n" : "");
            sb.append("    - {type: relu}\n");
        }
        sb.append("    - {type: dense, units: ").append(bn ? 64 : 32).append(hidden).append("}\n");
        sb.append("    - {type: relu}\n");
        sb.append("    - {type: dense, units: ").append(classes).append(last).append("}\n");
        return sb.toString();
    }

    static String job(Kind d, long seed, String norm, String model, String rest) {
        return "data:\n  validation: 0.2\n  normalization: " + (norm != null ? norm : d.images() ? "global"
            : "per_feature") + "\n" + model + rest + "training:\n  epochs: 3\n  batch_size: 32\n  device: cpu\n"
            + "  seed: " + seed + "\n";
    }

    static int classes(Kind d) {
        return d == Kind.TABULAR ? 3 : 10;
    }

    static List<Case> cases() {
        List<Case> cs = new ArrayList<>();
        for (Kind d : Kind.values()) {
            for (long seed = 1; seed <= 3; seed++) {
                for (boolean bn : new boolean[] {false, true}) {
                    for (int m = 0; m < 2; m++) {
                        faults(cs, d, seed, bn, m);
                    }
                }
                lookAlikes(cs, d, seed);
            }
        }
        return cs;
    }

    private static void add(List<Case> cs, String name, String fault, Supplier<Dataset> data, String yaml,
                            Double target) {
        cs.add(new Case(name, fault, data, yaml, target, heldOut(name)));
    }

    /** The faults at magnitude m (0: below the threshold or mild, 1: above or strong). */
    private static void faults(List<Case> cs, Kind d, long seed, boolean bn, int m) {
        String tag = d.name().toLowerCase() + (bn ? " bn" : "") + " seed " + seed;
        int c = classes(d);
        String plain = layers(d, bn, c, "", "");
        Supplier<Dataset> base = () -> EvalData.make(d, seed, false);
        // unnormalized inputs: thresholds are a feature-scale ratio of 100 (tabular) and a deviation of 0.1
        // (revision 2: was 0.05 with magnitudes 0.025 / 0.1, but the "healthy" 0.1 jobs did not train)
        boolean above = m == 1;
        double factor = above ? 200 : 50;
        double std = above ? 0.05 : 0.2;
        add(cs, "unnormalized " + (above ? "above " : "below ") + tag, above ? "unnormalized_inputs" : null,
            () -> EvalData.rescale(base.get(), factor, std), job(d, seed, "none", plain, ""), null);
        // learning rate too high: SGD at 10 and 100 (mild and strong)
        add(cs, "lr high " + (above ? "strong " : "mild ") + tag, "learning_rate_too_high", base,
            job(d, seed, null, plain, "optimizer:\n  name: sgd\n  lr: " + (above ? 100 : 10) + "\n"), null);
        // bad initialisation: every weight equal (0.05 mild, 0 strong)
        String init = above ? ", init: zeros" : ", init: 0.05";
        add(cs, "bad init " + (above ? "zeros " : "constant ") + tag, "bad_initialization", base,
            job(d, seed, null, layers(d, bn, c, init, init), ""), null);
        // final activation: a sigmoid before the softmax of the loss (mild), sigmoid + mse on class labels (strong)
        String sig = plain + "    - {type: sigmoid}\n";
        add(cs, "final act " + (above ? "sigmoid mse " : "sigmoid softmax ") + tag, "final_activation_mismatch", base,
            job(d, seed, null, sig, above ? "loss: mse\n" : ""), null);
        // class imbalance: threshold ratio 10; 5 below, 20 above
        double ratio = above ? 20 : 5;
        add(cs, "imbalance " + (above ? "above " : "below ") + tag, above ? "class_imbalance" : null,
            () -> EvalData.imbalance(EvalData.make(d, seed, false), ratio, seed), job(d, seed, null, plain, ""), null);
        // dead ReLU: negative biases on the last hidden layer (-4 mild, -20 strong)
        add(cs, "dead relu " + (above ? "strong " : "mild ") + tag, "dead_relu", base,
            job(d, seed, null, layers(d, bn, c, ", bias_init: " + (above ? -20 : -4), ""), ""), null);
        // vanishing gradients: a deep stack of sigmoids (8 mild, 14 strong), without batch norm in between
        add(cs, "vanishing " + (above ? "14 " : "8 ") + tag, "vanishing_gradients", base,
            job(d, seed, null, sigmoidStack(d, bn, c, above ? 14 : 8), ""), null);
        // overfitting: a wide model on few samples for many epochs (120 mild, 40 strong); the CIFAR-shaped
        // images are the grey, noisy variant (revision 2: the base set is learnt from 60 samples, no overfitting)
        int few = above ? 40 : 120;
        Supplier<Dataset> scarce = d == Kind.CIFAR ? () -> EvalData.cifar(seed, EvalData.N, 0, 0.6) : base;
        add(cs, "overfit " + (above ? "40 " : "120 ") + tag, "overfitting", () -> EvalData.head(scarce.get(), few),
            job(d, seed, null, layers(d, bn, c, "", ""), "").replace("validation: 0.2", "validation: 0.5")
                .replace("epochs: 3", "epochs: 12").replace("units: 32}", "units: 256}").replace("units: 64}",
                "units: 256}"), null);
        // underfitting: a bottleneck of 2 (mild) or 1 (strong) units on a task needing more, target error 0.02
        add(cs, "underfit " + (above ? "1 unit " : "2 units ") + tag, "underfitting",
            () -> EvalData.make(d, seed, true), job(d, seed, null, layers(d, bn, c, "", "").replace("units: "
                + (bn ? 64 : 32) + "}", "units: " + (above ? 1 : 2) + "}"), ""), 0.02);
        // NaN in the data (0.1 % mild, 2 % strong)
        double nan = above ? 0.02 : 0.001;
        add(cs, "nan " + (above ? "2% " : "0.1% ") + tag, "nan_in_data", () -> EvalData.withNaN(base.get(), nan, seed),
            job(d, seed, null, plain, ""), null);
        // labels beyond the outputs (1 label mild, 5 % strong)
        int bad = above ? EvalData.N / 20 : 1;
        add(cs, "label range " + (above ? "5% " : "one ") + tag, "label_out_of_range",
            () -> EvalData.badLabels(base.get(), bad, c + 2, seed), job(d, seed, null, plain, ""), null);
    }

    private static String sigmoidStack(Kind d, boolean wide, int classes, int depth) {
        StringBuilder sb = new StringBuilder("model:\n  layers:\n");
        if (d.images()) {
            sb.append("    - {type: flatten}\n");
        }
        for (int i = 0; i < depth; i++) {
            sb.append("    - {type: dense, units: ").append(wide ? 64 : 32).append("}\n    - {type: sigmoid}\n");
        }
        sb.append("    - {type: dense, units: ").append(classes).append("}\n");
        return sb.toString();
    }

    /** A healthy job that resembles each fault (expected: no warning or error at all). */
    private static void lookAlikes(List<Case> cs, Kind d, long seed) {
        String tag = d.name().toLowerCase() + " seed " + seed;
        int c = classes(d);
        String plain = layers(d, false, c, "", "");
        Supplier<Dataset> base = () -> EvalData.make(d, seed, false);
        add(cs, "healthy standardised without normalization " + tag, null, d.images() ? base
            : base, job(d, seed, d.images() ? "global" : "none", plain, ""), null);
        add(cs, "healthy adam 1e-3 " + tag, null, base, job(d, seed, null, plain, "optimizer:\n  name: adam\n"
            + "  lr: 0.001\n"), null);
        add(cs, "healthy he init " + tag, null, base, job(d, seed, null, layers(d, false, c, ", init: he_uniform",
            ""), ""), null);
        add(cs, "healthy softmax output " + tag, null, base, job(d, seed, null, plain + "    - {type: softmax}\n", ""),
            null);
        add(cs, "healthy imbalance 3 " + tag, null, () -> EvalData.imbalance(EvalData.make(d, seed, false), 3, seed),
            job(d, seed, null, plain, ""), null);
        add(cs, "healthy positive biases " + tag, null, base, job(d, seed, null, layers(d, false, c,
            ", bias_init: 0.1", ""), ""), null);
        add(cs, "healthy shallow sigmoid " + tag, null, base, job(d, seed, null, sigmoidStack(d, false, c, 2), ""),
            null);
        add(cs, "healthy small model on all data " + tag, null, base, job(d, seed, null, plain, ""), null);
        add(cs, "healthy reachable target " + tag, null, base, job(d, seed, null, plain, ""), 0.3);
        add(cs, "healthy sparse zeros " + tag, null, () -> EvalData.zeros(base.get(), 0.3, seed),
            job(d, seed, null, plain, ""), null);
        add(cs, "healthy rare last class " + tag, null, () -> EvalData.badLabels(base.get(), 3, c - 1, seed),
            job(d, seed, null, plain, ""), null);
    }
}
