package io.jtrain.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jtrain.job.JobSpec;
import io.jtrain.model.ModelJson;
import io.jtrain.nn.ModelSpec;
import io.jtrain.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Map;

/**
 * run.json and job.yaml: what ran, how, where, with which versions and seed. job.yaml is written once, when
 * the run starts; a resume appends an entry to run.json's {@code resumes} (the epoch, the changes it was
 * allowed to make and the execution options it changed) and never rewrites job.yaml.
 */
final class RunRecord {
    private RunRecord() { }

    /** The execution options a run ran with (recorded; reused on resume unless given again). */
    record Execution(String device, String reason, String backend, String cudnn, int threads, long memoryLimit,
                     String oneDnn) {
        ObjectNode json() {
            ObjectNode o = RunDirectory.JSON.createObjectNode();
            o.put("used", device);
            o.put("why", reason);
            o.put("backend", backend);
            o.put("cudnn", cudnn);
            o.put("threads", threads);
            o.put("onednn", oneDnn);
            o.put("memory_limit_bytes", memoryLimit);
            return o;
        }
    }

    static void writeNew(RunDirectory run, JobSpec job, Execution exec, ModelSpec spec, String version) {
        ObjectNode o = RunDirectory.JSON.createObjectNode();
        o.put("jtrain_version", version);
        o.put("started", Instant.now().toString());
        o.put("command_line", ProcessHandle.current().info().commandLine().orElse("jtrain"));
        o.put("resumed_at_epoch", 0);
        o.set("device", exec.json());
        o.put("seed", job.training().seed());
        ObjectNode lib = o.putObject("versions");
        lib.put("java", System.getProperty("java.version"));
        lib.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        lib.put("openblas", "bytedeco 0.3.30-1.5.12");
        lib.put("onednn", "bytedeco 3.8.1-1.5.12");
        o.set("job", job.toTree());
        o.set("model", ModelJson.specJson(spec));
        o.putArray("resumes");
        run.writeJson(RunDirectory.RECORD, o);
        AtomicFiles.writeString(run.resolve(RunDirectory.JOB), job.toYaml());
    }

    /** Appends a resume to run.json: where, which job keys were allowed to change, which execution options. */
    static void appendResume(RunDirectory run, int epoch, Map<String, String[]> changes, Execution exec,
                             Map<String, String[]> executionChanges) {
        ObjectNode o = read(run);
        ArrayNode resumes = o.has("resumes") && o.get("resumes").isArray() ? (ArrayNode) o.get("resumes")
            : o.putArray("resumes");
        ObjectNode r = resumes.addObject();
        r.put("at", Instant.now().toString());
        r.put("at_epoch", epoch);
        r.put("command_line", ProcessHandle.current().info().commandLine().orElse("jtrain"));
        ObjectNode c = r.putObject("job_changes");
        changes.forEach((k, v) -> c.putArray(k).add(v[0]).add(v[1]));
        ObjectNode e = r.putObject("execution_changes");
        executionChanges.forEach((k, v) -> e.putArray(k).add(v[0]).add(v[1]));
        r.set("device", exec.json());
        o.put("resumed_at_epoch", epoch);
        run.writeJson(RunDirectory.RECORD, o);
    }

    /** The recorded run.json (an empty object when it cannot be read). */
    static ObjectNode read(RunDirectory run) {
        try {
            JsonNode n = RunDirectory.JSON.readTree(Files.readString(run.resolve(RunDirectory.RECORD)));
            return n instanceof ObjectNode o ? o : RunDirectory.JSON.createObjectNode();
        } catch (IOException | RuntimeException e) {
            return RunDirectory.JSON.createObjectNode();
        }
    }

    /** The execution options recorded for the run (null fields when absent). */
    static JsonNode recordedExecution(java.nio.file.Path dir) {
        try {
            return RunDirectory.JSON.readTree(Files.readString(dir.resolve(RunDirectory.RECORD))).path("device");
        } catch (IOException | RuntimeException e) {
            return RunDirectory.JSON.createObjectNode();
        }
    }
}
