package io.jtrain.cli;

import io.jtrain.backend.DeviceSelection;
import io.jtrain.backend.GpuOptions;
import io.jtrain.util.Sizes;

/** The command line's side of the device choice ({@link DeviceSelection}): flags in, one line out. */
public final class Devices {
    private Devices() { }

    /** {@link DeviceSelection#select} with the command line's memory limit and thread count. */
    public static DeviceSelection.Choice select(String device, String memoryLimit, GpuOptions gpu) {
        long limit = memoryLimit == null ? 0 : parseLimit(memoryLimit);
        return DeviceSelection.select(device, limit, gpu, DeviceSelection.threads());
    }

    /** {@link #select}, then prints the one-line device decision to standard error. */
    public static DeviceSelection.Choice announce(String device, String memoryLimit, GpuOptions gpu,
                                                  java.io.PrintWriter err) {
        DeviceSelection.Choice c = select(device, memoryLimit, gpu);
        err.println("device: " + c.device() + " (" + c.reason() + ")");
        return c;
    }

    static long parseLimit(String s) {
        try {
            return Sizes.parse(s);
        } catch (IllegalArgumentException e) {
            throw new io.jtrain.util.UsageException("--memory-limit: " + e.getMessage());
        }
    }
}
