package io.jtrain.diagnose;

import java.util.Locale;

/**
 * One diagnosis: a stable id (never renamed; see docs/diagnosis.md), a severity, a one-line summary, the
 * evidence (numbers, layers, epochs or steps), the likely cause and a concrete fix.
 */
public record Finding(String id, Severity severity, String summary, String evidence, String cause, String fix) {

    /** How bad it is: errors make {@code jtrain doctor} exit with 8 and {@code train --strict} stop. */
    public enum Severity {
        INFO, WARNING, ERROR;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    @Override
    public String toString() {
        return severity.id() + " " + id + ": " + summary;
    }
}
