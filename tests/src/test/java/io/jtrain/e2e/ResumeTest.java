package io.jtrain.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jtrain.model.Safetensors;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Resume equivalence on the CPU: a run continued from a checkpoint ends with bit-identical weights to an
 * uninterrupted run with the same seed — from an epoch boundary, and from a SIGTERM mid-epoch.
 */
class ResumeTest {
    @TempDir
    Path tmp;

    /** Dropout, batch norm and augmentation-free MLP: every source of randomness and state is exercised. */
    static final String JOB = "data:\n  limit: 3000\nmodel:\n  layers:\n    - {type: flatten}\n"
        + "    - {type: dense, units: 64}\n    - {type: relu}\n    - {type: batch_norm}\n"
        + "    - {type: dropout, rate: 0.3}\n    - {type: dense, units: 10}\n"
        + "optimizer:\n  name: adam\n  lr: 0.002\ntraining:\n  batch_size: 32\n  device: cpu\n  seed: 7\n";

    static Map<String, Safetensors.Entry> weights(Path run) {
        return Safetensors.read(run.resolve("checkpoint.safetensors")).tensors();
    }

    static void assertSameWeights(Path a, Path b) {
        Map<String, Safetensors.Entry> wa = weights(a);
        Map<String, Safetensors.Entry> wb = weights(b);
        assertEquals(wa.keySet(), wb.keySet());
        for (String k : wa.keySet()) {
            assertArrayEquals(wa.get(k).data(), wb.get(k).data(), k + " differs");
        }
    }

    @Test
    void resumeFromEpochBoundaryIsBitIdentical() throws IOException {
        Path job = Cli.write(tmp.resolve("job.yaml"), JOB);
        Path full = tmp.resolve("full");
        Path part = tmp.resolve("part");
        assertEquals(0, Cli.run("train", job.toString(), "--epochs", "3", "--out", full.toString()).code());
        assertEquals(0, Cli.run("train", job.toString(), "--epochs", "2", "--out", part.toString()).code());
        Cli.Result r = Cli.run("train", job.toString(), "--epochs", "3", "--out", part.toString(), "--resume",
            "--json");
        assertEquals(0, r.code(), r.toString());
        assertEquals(3, r.json().get("epochs_run").asInt());
        assertSameWeights(full, part);
    }

    @Test
    void sigtermSavesAndExits143ThenResumeMatches() throws Exception {
        Path job = Cli.write(tmp.resolve("job.yaml"), JOB.replace("limit: 3000", "limit: 6000"));
        Path full = tmp.resolve("full");
        Path cut = tmp.resolve("cut");
        assertEquals(0, Cli.run("train", job.toString(), "--epochs", "6", "--out", full.toString()).code());
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), "io.jtrain.cli.Main", "train", job.toString(), "--epochs",
            "6", "--out", cut.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
                if (line.startsWith("epoch 1/6")) {
                    new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
                }
            }
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(143, p.exitValue(), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.contains("--resume")), String.join("\n", lines));
        Cli.Result r = Cli.run("train", job.toString(), "--epochs", "6", "--out", cut.toString(), "--resume");
        assertEquals(0, r.code(), r.toString());
        assertSameWeights(full, cut);
    }
}
