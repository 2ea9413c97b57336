package io.jtrain.cli.job;

/** An invalid job file or option (exit code 2); the message names the file, line and key where known. */
public final class JobException extends RuntimeException {
    public JobException(String message) {
        super(message);
    }
}
