package io.jtrain.data;

/** A data or model file is missing, corrupt, truncated or inconsistent (exit code 3). */
public final class DataException extends RuntimeException {
    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }
}
