package io.jtrain.train;

/**
 * The loss became NaN or infinite (exit code 5). {@link #where} names the first layer whose parameters
 * were non-finite when the run stopped, when that is known.
 */
public final class DivergedException extends RuntimeException {
    private final String where;

    public DivergedException(String message) {
        this(message, null);
    }

    public DivergedException(String message, String where) {
        super(where == null ? message : message + " (" + where + ")");
        this.where = where;
    }

    /** "first non-finite parameters in layer 3 (dense), 3.weight", or null. */
    public String where() {
        return where;
    }

    /** The message without the location. */
    public String cause() {
        String m = getMessage();
        return where == null ? m : m.substring(0, m.length() - where.length() - 3);
    }
}
