package io.jtrain.train;

/** The loss became NaN or infinite (exit code 5). */
public final class DivergedException extends RuntimeException {
    public DivergedException(String message) {
        super(message);
    }
}
