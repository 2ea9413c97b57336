package io.jtrain.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jtrain.backend.DeviceProbe;
import io.jtrain.tensor.CpuMemoryPool;
import io.jtrain.util.Sizes;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jtrain devices}: the GPUs jtrain can use, or why there are none, and the CPU. */
@Command(name = "devices", mixinStandardHelpOptions = true,
    description = "List usable devices, or say exactly why no GPU is usable.",
    footer = {"", "Examples:", "  jtrain devices", "  jtrain devices --json"})
public final class DevicesCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print one JSON object on standard output.")
    boolean json;

    @Option(names = "--verbose", description = "Show stack traces.")
    boolean verbose;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        DeviceProbe.Result r = DeviceProbe.probe();
        int cores = Runtime.getRuntime().availableProcessors();
        long cap = CpuMemoryPool.defaultCapacityBytes();
        if (json) {
            ObjectNode o = RunDirectory.JSON.createObjectNode();
            o.putArray("gpus");
            o.put("gpu_reason", r.reason());
            ObjectNode cpu = o.putObject("cpu");
            cpu.put("cores", cores);
            cpu.put("default_memory_capacity_bytes", cap);
            cpu.put("blas", "OpenBLAS 0.3.28 (bytedeco)");
            out.println(o.toPrettyString());
        } else {
            out.println("GPUs: none usable: " + r.reason());
            out.println("cpu: " + cores + " cores, default memory capacity " + Sizes.format(cap)
                + " (physical memory less the JVM heap and 1 GiB head-room; change with --memory-limit)");
        }
        return ExitCodes.OK;
    }
}
