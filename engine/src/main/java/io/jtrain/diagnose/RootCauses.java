package io.jtrain.diagnose;

import io.jtrain.diagnose.Finding.Severity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Root causes before their symptoms, the same rule for {@code jtrain doctor}'s report and for the live
 * diagnosis in {@code train}: when a warning- or error-level root cause is present, the symptoms and the
 * later root causes it explains are downgraded to info and say so. Observed facts (nan_in_training) keep
 * their severity.
 */
public final class RootCauses {
    /** Root causes, most fundamental first. */
    static final List<String> ORDER = List.of("nan_in_data", "label_out_of_range", "class_imbalance",
        "final_activation_mismatch", "unnormalized_inputs", "bad_initialization", "learning_rate_too_high",
        "dead_relu", "vanishing_gradients", "overfitting", "underfitting", "split_mismatch");
    /** Symptoms that the root causes explain. */
    static final List<String> SYMPTOMS = List.of("loss_not_decreasing", "accuracy_flat", "output_collapse",
        "cannot_overfit_small_batch", "update_ratio", "exploding_gradients", "saturated_activations",
        "gradient_check_failed");

    private RootCauses() { }

    /** Whether {@code id} is a root cause (as opposed to a symptom or a fact). */
    public static boolean isRootCause(String id) {
        return ORDER.contains(id);
    }

    /** Whether {@code root} (a present root cause) explains {@code later}. */
    static boolean explains(String root, String later) {
        if (root.equals(later)) {
            return false;
        }
        if (SYMPTOMS.contains(later)) {
            return true;
        }
        if (!ORDER.contains(later)) {
            return false;
        }
        return switch (root) {
            case "bad_initialization", "learning_rate_too_high", "nan_in_data", "label_out_of_range" ->
                List.of("dead_relu", "vanishing_gradients", "underfitting").contains(later);
            case "dead_relu" -> List.of("vanishing_gradients", "underfitting").contains(later);
            case "unnormalized_inputs" -> List.of("dead_relu", "vanishing_gradients", "underfitting").contains(later);
            case "vanishing_gradients", "class_imbalance", "final_activation_mismatch" -> later.equals("underfitting");
            default -> false;
        };
    }

    /** The most fundamental warning/error root cause in {@code in}, or null. */
    public static String root(List<Finding> in) {
        for (String r : ORDER) {
            if (in.stream().anyMatch(f -> f.id().equals(r) && f.severity() != Severity.INFO)) {
                return r;
            }
        }
        return null;
    }

    /** The report order: the findings a root cause explains downgraded, then errors, warnings, infos. */
    public static List<Finding> prioritize(List<Finding> in) {
        String root = root(in);
        List<Finding> out = new ArrayList<>();
        for (Finding f : in) {
            out.add(root != null && f.severity() != Severity.INFO && explains(root, f.id()) ? f.explainedBy(root) : f);
        }
        out.sort(Comparator.comparingInt(f -> -f.severity().ordinal()));
        return out;
    }

    /**
     * The live form: findings arrive one by one; each is downgraded when a root cause already reported
     * explains it, so the live diagnosis says what {@code doctor} would say at the same severity.
     */
    public static final class Live {
        private final List<Finding> reported = new ArrayList<>();

        /** The finding as it should be reported now. */
        public Finding rank(Finding f) {
            String root = root(reported);
            Finding r = root != null && f.severity() != Severity.INFO && explains(root, f.id()) ? f.explainedBy(root)
                : f;
            reported.add(r);
            return r;
        }
    }
}
