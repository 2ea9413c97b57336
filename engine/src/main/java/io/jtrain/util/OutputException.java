package io.jtrain.util;

/** The output location cannot be written (permissions, disk full, file-size limit): exit code 6. */
public final class OutputException extends RuntimeException {
    public OutputException(String message, Throwable cause) {
        super(message, cause);
    }
}
