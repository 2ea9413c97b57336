package io.jtrain.run;

import io.jtrain.backend.Backend;
import io.jtrain.backend.DeviceSelection;
import java.util.function.Consumer;

/**
 * A device chosen for one engine call (evaluate, probe, bench, doctor): the backend, its name and the one-line
 * decision, announced when opened; closing it closes the backend.
 */
public record OpenDevice(Backend backend, String device, String reason) implements AutoCloseable {

    /** Selects {@code device} with the options' memory limit, GPU flags and threads; announces the choice. */
    public static OpenDevice of(String device, TrainingRun.Options o, Consumer<String> notices) {
        DeviceSelection.Choice c = DeviceSelection.select(device, o.memoryLimit(), o.gpu(), o.threads());
        notices.accept("device: " + c.device() + " (" + c.reason() + ")");
        return new OpenDevice(c.backend(), c.device(), c.reason());
    }

    @Override
    public void close() {
        backend.close();
    }
}
