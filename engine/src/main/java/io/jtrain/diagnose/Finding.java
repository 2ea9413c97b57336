package io.jtrain.diagnose;

import java.util.Locale;
import java.util.Map;

/**
 * One diagnosis: a stable id (never renamed; see docs/diagnosis.md), a severity, a one-line summary, the
 * evidence (numbers, layers, epochs or steps), the likely cause, a concrete fix in words and, where the fix
 * is a change of the job, the same fix as job-file keys and values ({@code set}, e.g. {@code optimizer.lr:
 * 0.001}) that {@code --set} or {@link io.jtrain.job.JobSpec#with} applies.
 */
public record Finding(String id, Severity severity, String summary, String evidence, String cause, String fix,
                      Map<String, String> set) {

    public Finding {
        set = set == null ? Map.of() : Map.copyOf(set);
    }

    /** A finding whose fix is not a change of the job file. */
    public Finding(String id, Severity severity, String summary, String evidence, String cause, String fix) {
        this(id, severity, summary, evidence, cause, fix, Map.of());
    }

    /** How bad it is: errors make {@code jtrain doctor} exit with 8 and {@code train --strict} stop. */
    public enum Severity {
        INFO, WARNING, ERROR;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The same finding with the job change that fixes it. */
    public Finding withSet(Map<String, String> changes) {
        return new Finding(id, severity, summary, evidence, cause, fix, changes);
    }

    /** The same finding downgraded to info as a consequence of {@code root}. */
    public Finding explainedBy(String root) {
        return new Finding(id, Severity.INFO, summary + " (probably a consequence of " + root + ")", evidence, cause,
            fix, set);
    }

    @Override
    public String toString() {
        return severity.id() + " " + id + ": " + summary;
    }
}
