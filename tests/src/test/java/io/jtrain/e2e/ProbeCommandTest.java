package io.jtrain.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * jtrain probe on the CPU with --memory-limit, as it runs on a GPU: the JSON schema, an epoch at the
 * reported largest fit completes under the same limit, the next size up fails with exit code 4, and
 * train --batch-size auto probes first and says what it chose.
 */
class ProbeCommandTest {
    @TempDir
    Path tmp;

    @Test
    void probeReportsAFitThatTrainsAndTheNextSizeFailsWithExit4() throws Exception {
        Path png = tmp.resolve("probe.png");
        Cli.Result r = Cli.run("probe", "--preset", "mlp", "--memory-limit", "24m", "--device", "cpu",
            "--target-batch", "4096", "--chart", png.toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode j = r.json();
        for (String k : List.of("max_batch_size", "recommended_batch_size", "plateau_batch_size", "capacity_bytes",
            "trials", "accumulation", "effective_batch")) {
            assertTrue(j.has(k), "key " + k);
        }
        for (JsonNode t : j.get("trials")) {
            for (String k : List.of("batch_size", "fits", "peak_bytes", "samples_per_s")) {
                assertTrue(t.has(k), "trial key " + k);
            }
        }
        int max = j.get("max_batch_size").asInt();
        int rec = j.get("recommended_batch_size").asInt();
        assertTrue(max > 100 && rec <= 0.9 * max, r.out());
        assertEquals(24L << 20, j.get("capacity_bytes").asLong());
        assertEquals((4096 + rec - 1) / rec, j.get("accumulation").asInt());
        assertTrue(Files.size(png) > 1000, "the chart was written");

        Cli.Result fit = Cli.run("train", "--preset", "mlp", "--memory-limit", "24m", "--device", "cpu", "--epochs",
            "1", "--batch-size", Integer.toString(max), "--out", tmp.resolve("fit").toString());
        assertEquals(0, fit.code(), "an epoch at the largest fit completes: " + fit);
        Cli.Result over = Cli.run("train", "--preset", "mlp", "--memory-limit", "24m", "--device", "cpu", "--epochs",
            "1", "--batch-size", Integer.toString(max + 1), "--out", tmp.resolve("over").toString());
        assertEquals(4, over.code(), "one more sample does not fit: " + over);
        assertTrue(over.err().contains("out of memory on cpu") && over.err().contains("capacity of 24.00 MiB"),
            over.err());
    }

    @Test
    void estimateOnlyAndAutoBatch() {
        Cli.Result e = Cli.run("probe", "--preset", "cnn-bn", "--estimate-only", "--batch-size", "64", "--json");
        assertEquals(0, e.code(), e.toString());
        JsonNode j = e.json();
        assertEquals(2 * j.get("gradients_bytes").asLong(), j.get("optimizer_state_bytes").asLong(),
            "Adam keeps two moments per trainable parameter");
        assertTrue(j.get("activations_bytes").asLong() > j.get("weights_bytes").asLong());
        assertTrue(j.get("workspace_bytes").asLong() > 0);
        Cli.Result text = Cli.run("probe", "--preset", "lenet5", "--estimate-only");
        assertTrue(text.out().contains("estimated total"), text.out());

        Cli.Result auto = Cli.run("train", "--preset", "mlp", "--batch-size", "auto", "--memory-limit", "24m",
            "--device", "cpu", "--epochs", "1", "--out", tmp.resolve("auto").toString(), "--json");
        assertEquals(0, auto.code(), auto.toString());
        assertTrue(auto.err().contains("batch size auto: using"), auto.err());
    }
}
