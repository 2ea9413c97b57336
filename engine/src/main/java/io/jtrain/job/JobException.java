package io.jtrain.job;

/**
 * An invalid job — a job file, a flag or a {@code --set} override, or a job that does not fit its data
 * (exit code 2). The message names the file and line (or the flag) and the key, what is wrong and the fix.
 */
public final class JobException extends RuntimeException {
    public JobException(String message) {
        super(message);
    }
}
