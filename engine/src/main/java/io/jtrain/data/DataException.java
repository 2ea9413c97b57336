package io.jtrain.data;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** A data or model file is missing, corrupt, truncated or inconsistent (exit code 3). */
public final class DataException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public DataException(String message) {
        super(message);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The refusal for a file that could not be read: not found, permission denied, or the I/O error. */
    public static DataException reading(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new DataException(file + ": file not found");
        }
        if (e instanceof AccessDeniedException) {
            return new DataException(file + ": permission denied; make the file readable");
        }
        return new DataException(file + ": cannot read (" + e.getMessage() + ")", e);
    }
}
