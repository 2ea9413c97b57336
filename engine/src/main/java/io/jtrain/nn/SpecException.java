package io.jtrain.nn;

/** An invalid option in a layer spec (unknown key, wrong type, value out of range). */
public final class SpecException extends RuntimeException {
    public SpecException(String message) {
        super(message);
    }
}
