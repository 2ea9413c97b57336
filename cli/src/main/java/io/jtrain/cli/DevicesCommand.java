package io.jtrain.cli;

import io.jtrain.run.RunDirectory;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jtrain.backend.DeviceProbe;
import io.jtrain.backend.cuda.GpuInventory;
import io.jtrain.tensor.CpuMemoryPool;
import io.jtrain.util.Sizes;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code jtrain devices}: the GPUs jtrain can use, or why there are none, and the CPU. */
@Command(name = "devices", mixinStandardHelpOptions = true, showDefaultValues = true,
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
        GpuInventory.Inventory inv = null;
        String why = r.reason();
        if (r.devices() > 0) {
            try {
                inv = GpuInventory.read(r.devices());
            } catch (LinkageError | RuntimeException e) {
                why = "the GPUs could not be queried (" + e.getMessage() + ")";
            }
        }
        int cores = Runtime.getRuntime().availableProcessors();
        long cap = CpuMemoryPool.defaultCapacityBytes();
        if (json) {
            ObjectNode o = RunDirectory.JSON.createObjectNode();
            ArrayNode gpus = o.putArray("gpus");
            if (inv != null) {
                for (GpuInventory.Gpu g : inv.gpus()) {
                    ObjectNode n = gpus.addObject();
                    n.put("index", g.index());
                    n.put("name", g.name());
                    n.put("compute_capability", g.ccMajor() + "." + g.ccMinor());
                    n.put("total_memory_bytes", g.totalBytes());
                    n.put("free_memory_bytes", g.freeBytes());
                    n.put("usable", g.usable());
                    n.put("note", g.note());
                    n.put("cudnn", g.cudnn());
                }
                o.put("driver", inv.driver());
                o.put("runtime", inv.runtime());
                o.put("cublas", inv.cublas());
            } else {
                o.put("gpu_reason", why);
                if (r.devices() == 0 && !why.startsWith("-D")) {
                    o.put("cudnn", cudnnLine());
                }
            }
            ObjectNode cpu = o.putObject("cpu");
            cpu.put("cores", cores);
            cpu.put("default_memory_capacity_bytes", cap);
            cpu.put("blas", "OpenBLAS 0.3.28 (bytedeco)");
            out.println(o.toPrettyString());
        } else {
            if (inv == null) {
                out.println("GPUs: none usable: " + why);
                if (r.devices() == 0 && !why.startsWith("-D")) {
                    out.println("  " + cudnnLine());
                }
            } else {
                out.println("CUDA driver " + inv.driver() + ", runtime " + inv.runtime() + ", cuBLAS " + inv.cublas());
                for (GpuInventory.Gpu g : inv.gpus()) {
                    out.println("cuda:" + g.index() + ": " + g.name() + ", compute capability " + g.ccMajor() + "."
                        + g.ccMinor() + ", " + Sizes.format(g.totalBytes()) + " total, " + Sizes.format(g.freeBytes())
                        + " free; " + g.note());
                    out.println("  " + g.cudnn());
                }
            }
            out.println("cpu: " + cores + " cores, default memory capacity " + Sizes.format(cap)
                + " (physical memory less the JVM heap and 1 GiB head-room; change with --memory-limit)");
        }
        return ExitCodes.OK;
    }

    /** Whether cuDNN itself would load here (useful while installing it, before a GPU is in place). */
    private static String cudnnLine() {
        return io.jtrain.backend.cuda.GpuInventory.cudnnWithoutGpu();
    }
}
