package io.jtrain.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The doctor's detectors during jtrain train: printed once each; --strict stops with exit 8. */
class LiveDiagnosisTest {
    @TempDir
    Path tmp;

    static final String DEAD = "data:\n  limit: 600\nmodel:\n  layers:\n    - {type: flatten}\n"
        + "    - {type: dense, units: 32, bias_init: -20}\n    - {type: relu}\n    - {type: dense, units: 10}\n"
        + "training:\n  epochs: 3\n  batch_size: 32\n  device: cpu\n";

    @Test
    void findingsArePrintedOnceDuringTraining() throws IOException {
        Path job = Cli.write(tmp.resolve("job.yaml"), DEAD);
        Cli.Result r = Cli.run("train", job.toString(), "--out", tmp.resolve("run").toString());
        assertEquals(0, r.code(), r.toString());
        assertEquals(1, r.err().lines().filter(l -> l.matches("doctor: \\w+ dead_relu:.*")).count(), r.err());
        assertTrue(r.err().contains("the biases of 1.bias average -20.0") && r.err().contains("bias_init: zeros"),
            "advice specific to the cause, with its numbers:\n" + r.err());
        assertTrue(r.err().contains("doctor: info loss_not_decreasing") && r.err().contains("consequence of dead_relu"),
            "a symptom of the root cause is reported as info, as doctor reports it:\n" + r.err());
    }

    @Test
    void strictStopsOnAnErrorLevelFinding() throws IOException {
        Path job = Cli.write(tmp.resolve("job.yaml"), DEAD);
        Cli.Result r = Cli.run("train", job.toString(), "--strict", "--out", tmp.resolve("run").toString());
        assertEquals(8, r.code(), r.toString());
        assertTrue(r.err().contains("stopped by --strict: dead_relu"), r.err());
    }

    @Test
    void doctorExitsZeroOnAHealthyJobAndEightOnAnError() throws IOException {
        Path bad = Cli.write(tmp.resolve("bad.yaml"), DEAD.replace("epochs: 3", "epochs: 2"));
        Cli.Result r = Cli.run("doctor", bad.toString(), "--chart", tmp.resolve("lr.png").toString());
        assertEquals(8, r.code(), r.toString());
        assertTrue(r.out().contains("ERROR dead_relu") && r.out().contains("fix:"), r.out());
    }
}
