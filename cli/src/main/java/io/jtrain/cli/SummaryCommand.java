package io.jtrain.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jtrain.job.JobSpec;
import io.jtrain.run.RunDirectory;
import io.jtrain.nn.ModelSpec;
import io.jtrain.nn.Sequential;
import io.jtrain.nn.Summary;
import io.jtrain.tensor.Shape;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code jtrain summary [JOB.yaml]}: layers, output shapes, parameter counts, memory per sample. */
@Command(name = "summary", mixinStandardHelpOptions = true, showDefaultValues = true,
    description = "Show the model of a job: layers, output shapes, parameters and memory per sample.",
    footer = {"", "Examples:", "  jtrain summary", "  jtrain summary --preset cnn-bn",
        "  jtrain summary examples/vgg-cifar.yaml --json"})
public final class SummaryCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "JOB.yaml", description = "Job file (optional).")
    Path jobFile;

    @Mixin
    CommonOptions common;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        common.refuseLrAuto();
        io.jtrain.job.Jobs.Loaded loaded = common.load(jobFile);
        loaded.warnings().forEach(w -> spec.commandLine().getErr().println("jtrain: warning: " + w));
        JobSpec job = loaded.spec();
        Shape in = inputShape(job);
        Summary s;
        io.jtrain.probe.MemoryEstimate est;
        int batch = job.batchSize();
        try (var be = io.jtrain.backend.cpu.CpuBackend.createPureJava(new io.jtrain.tensor.CpuMemoryPool(1L << 40));
             Sequential m = Sequential.build(new ModelSpec(in, job.layers()))) {
            s = m.summary();
            m.bind(be, 0);
            est = io.jtrain.probe.MemoryEstimate.of(m, job.optimizerConfig(), batch, job.training().evalBatchSize());
        }
        if (common.json) {
            ObjectNode o = json(s, in);
            o.set("memory_estimate", ProbeCommand.estimateJson(est));
            out.println(o.toPrettyString());
        } else {
            out.println("model for " + job.data().name() + " (input " + in + ")");
            out.print(s.render());
            out.println();
            out.print(ProbeCommand.estimateTable(est));
        }
        return ExitCodes.OK;
    }

    /** The job's input shape, from model.input or the named data set, without loading the data. */
    static Shape inputShape(JobSpec job) {
        return io.jtrain.run.PreparedData.inputShape(job);
    }

    static ObjectNode json(Summary s, Shape in) {
        ObjectNode o = RunDirectory.JSON.createObjectNode();
        ArrayNode input = o.putArray("input");
        for (int d : in.dims()) {
            input.add(d);
        }
        ArrayNode layers = o.putArray("layers");
        for (Summary.Row r : s.rows()) {
            ObjectNode l = layers.addObject();
            l.put("index", r.index());
            l.put("type", r.type());
            l.put("config", r.config());
            ArrayNode shape = l.putArray("output_shape");
            for (int d : r.outputShape().dims()) {
                shape.add(d);
            }
            l.put("params", r.params());
        }
        o.put("total_params", s.totalParams());
        o.put("trainable_params", s.trainableParams());
        o.put("non_trainable_params", s.nonTrainableParams());
        o.put("activation_bytes_per_sample", s.activationBytesPerSample());
        return o;
    }
}
