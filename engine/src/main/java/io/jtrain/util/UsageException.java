package io.jtrain.util;

/**
 * A request the user made that cannot be carried out as given — a flag, job value or API argument out of
 * range, an unknown name: exit code 2. The message names the problem, the place and the fix. It is an
 * {@link IllegalArgumentException}, so Java callers see the usual type for a bad argument, but any other
 * {@code IllegalArgumentException} from the engine is a bug (exit 1, "this is a bug in jtrain"), never a
 * usage error. Job-file errors with a file and line are {@link io.jtrain.job.JobException}s.
 */
public class UsageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
