package io.jtrain.backend;

/** {@code --device cuda} was asked for but no usable GPU exists (exit code 7). */
public final class DeviceUnavailableException extends RuntimeException {
    public DeviceUnavailableException(String message) {
        super(message);
    }
}
