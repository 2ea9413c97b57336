package io.jtrain.run;

import io.jtrain.backend.Backend;
import io.jtrain.backend.GpuOptions;
import java.nio.file.Path;
import java.util.function.Consumer;

/** The execution choices a run records in run.json and a resume reuses: the CPU threads and oneDNN. */
final class ExecutionChoice {
    private ExecutionChoice() { }

    /** "on" when the CPU backend's convolutions run through oneDNN, "off" on its plain path, "n/a" on a GPU. */
    static String oneDnn(Backend be) {
        return be instanceof io.jtrain.backend.cpu.CpuBackend c ? (c.usesOneDnn() ? "on" : "off") : "n/a";
    }

    /**
     * A resume runs with the thread count and the oneDNN choice recorded in run.json (they decide the CPU's
     * floating-point order, so the resume stays bit-identical) unless they are given explicitly
     * ({@code --onednn}, {@code JTRAIN_THREADS}); an explicit change is taken, with one line saying that
     * bit-identity is then not promised.
     */
    static TrainingRun.Options onResume(Path out, TrainingRun.Options o, Consumer<String> notice) {
        com.fasterxml.jackson.databind.JsonNode rec = RunRecord.recordedExecution(out);
        int threads = rec.path("threads").asInt(o.threads());
        if (threads != o.threads() && System.getenv("JTRAIN_THREADS") != null) {
            notice.accept("resume: " + o.threads() + " CPU threads (JTRAIN_THREADS; the run used " + threads + "); training "
                + "continues, but results are no longer promised bit-identical to an uninterrupted run");
            threads = o.threads();
        }
        String dnn = rec.path("onednn").asText("");
        boolean oneDnn = dnn.equals("off") ? false : dnn.equals("on") || o.gpu().oneDnn();
        GpuOptions gpu = o.gpu().withRecordedOneDnn(oneDnn);
        if (o.gpu().oneDnnGiven() && o.gpu().oneDnn() != oneDnn) {
            notice.accept("resume: --onednn " + o.gpu().oneDnnName() + " (the run used oneDNN " + dnn + "); training "
                + "continues, but results are no longer promised bit-identical to an uninterrupted run");
            gpu = o.gpu();
        } else if (threads != o.threads() || oneDnn != o.gpu().oneDnn()) {
            notice.accept("resume: " + threads + " CPU threads and oneDNN " + (oneDnn ? "on" : "off") + ", as the run "
                + "recorded in run.json (this process would use " + o.threads() + " and " + o.gpu().oneDnnName() + ")");
        }
        return o.withDevice(o.memoryLimit(), gpu, threads);
    }
}
