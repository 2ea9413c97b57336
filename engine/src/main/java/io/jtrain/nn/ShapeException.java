package io.jtrain.nn;

import io.jtrain.tensor.Shape;

/** A layer cannot accept its input shape; raised while the model is built, before any data flows. */
public final class ShapeException extends RuntimeException {
    private final int index;
    private final String type;

    public ShapeException(int index, String type, Shape got, String expected, String fix) {
        super("layer " + index + " (" + type + ") expects input " + expected + " but gets " + got
            + (fix == null || fix.isEmpty() ? "" : "; " + fix));
        this.index = index;
        this.type = type;
    }

    public int index() {
        return index;
    }

    public String type() {
        return type;
    }
}
