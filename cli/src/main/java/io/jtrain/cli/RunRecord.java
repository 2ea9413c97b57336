package io.jtrain.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jtrain.cli.job.JobLoader;
import io.jtrain.cli.job.ResolvedJob;
import io.jtrain.model.ModelJson;
import io.jtrain.nn.ModelSpec;
import io.jtrain.train.TrainState;
import io.jtrain.util.AtomicFiles;
import java.time.Instant;

/** run.json and job.yaml: what ran, how, where, with which versions and seed. */
final class RunRecord {
    private RunRecord() { }

    static void write(RunDirectory run, ResolvedJob job, io.jtrain.backend.DeviceSelection.Choice device, ModelSpec spec, TrainState st) {
        ObjectNode o = RunDirectory.JSON.createObjectNode();
        o.put("jtrain_version", Main.version());
        o.put("started", Instant.now().toString());
        o.put("command_line", ProcessHandle.current().info().commandLine().orElse("jtrain"));
        o.put("resumed_at_epoch", st.epoch > 1 || st.stepInEpoch > 0 ? st.epoch : 0);
        ObjectNode dev = o.putObject("device");
        dev.put("used", device.device());
        dev.put("why", device.reason());
        dev.put("backend", device.backend().description());
        o.put("seed", job.training().seed());
        ObjectNode lib = o.putObject("versions");
        lib.put("java", System.getProperty("java.version"));
        lib.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        lib.put("openblas", "bytedeco 0.3.28-1.5.11");
        o.set("job", JobLoader.YAML.valueToTree(job.job()));
        o.set("model", ModelJson.specJson(spec));
        run.writeJson("run.json", o);
        AtomicFiles.writeString(run.resolve("job.yaml"), JobLoader.toYaml(job.job()));
    }
}
