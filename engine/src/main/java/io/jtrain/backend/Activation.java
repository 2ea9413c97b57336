package io.jtrain.backend;

import java.util.Locale;

/** An element-wise activation function; {@code alpha} is the slope of LeakyReLU and the scale of ELU. */
public record Activation(Kind kind, float alpha) {

    /** The supported functions. */
    public enum Kind {
        RELU, LEAKY_RELU, ELU, TANH, SIGMOID, LINEAR;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static Activation of(Kind kind) {
        float alpha = switch (kind) {
            case LEAKY_RELU -> 0.01f;
            case ELU -> 1.0f;
            default -> 0f;
        };
        return new Activation(kind, alpha);
    }
}
