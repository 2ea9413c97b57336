package io.jtrain.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TensorBoard event files of a run, decoded by an independent reader: Python classes that Debian's
 * {@code protoc} generates from tests/tensorboard/event.proto (our own minimal schema, from TensorBoard's
 * published field numbers), with every TFRecord CRC checked (tests/tensorboard/decode_events.py). Keras's
 * layout (tb/train, tb/validation, tb/test), file names, the first record, per-step and per-epoch scalars
 * with the values of --json, and the SessionLog.START of a resumed run. Skipped when protoc or
 * python3-protobuf is missing (apt-get install protobuf-compiler python3-protobuf).
 */
class TensorBoardDecodeTest {
    @TempDir
    Path tmp;

    private static boolean tools() {
        try {
            Process a = new ProcessBuilder("protoc", "--version").redirectErrorStream(true).start();
            Process b = new ProcessBuilder("/usr/bin/python3", "-c", "import google.protobuf").redirectErrorStream(true)
                .start();
            return a.waitFor() == 0 && b.waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private JsonNode decode(Path runTb) throws IOException, InterruptedException {
        Path gen = Files.createDirectories(tmp.resolve("gen"));
        Path protoDir = Cli.root().resolve("tests/tensorboard");
        Process c = new ProcessBuilder("protoc", "-I" + protoDir, "--python_out=" + gen, protoDir.resolve("event.proto")
            .toString()).redirectErrorStream(true).start();
        String cout = new String(c.getInputStream().readAllBytes());
        assertEquals(0, c.waitFor(), "protoc: " + cout);
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/python3", protoDir.resolve("decode_events.py").toString(),
            gen.toString()));
        try (var files = Files.walk(runTb)) {
            files.filter(Files::isRegularFile).sorted().forEach(f -> cmd.add(f.toString()));
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "decode_events.py: " + out);
        return Cli.JSON.readTree(out);
    }

    private static List<JsonNode> in(JsonNode all, String split) {
        List<JsonNode> rows = new ArrayList<>();
        all.fieldNames().forEachRemaining(f -> {
            if (Path.of(f).getParent().getFileName().toString().equals(split)) {
                all.get(f).forEach(rows::add);
            }
        });
        return rows;
    }

    private static JsonNode last(List<JsonNode> rows, String tag) {
        JsonNode l = null;
        for (JsonNode r : rows) {
            if (tag.equals(r.path("tag").asText())) {
                l = r;
            }
        }
        return l;
    }

    @Test
    void eventFilesDecodeWithProtocGeneratedClassesAndResumeStartsASession() throws Exception {
        assumeTrue(tools(), "protoc or python3-protobuf not installed: the event files were not decoded");
        Path run = tmp.resolve("run");
        Cli.Result r = Cli.run("train", "--preset", "mlp", "--set", "data.limit=640", "--set",
            "evaluation.splits=[validation, test]", "--epochs", "2", "--device", "cpu", "--out", run.toString(),
            "--json", "--no-live-diagnosis");
        assertEquals(0, r.code(), r.toString());
        for (String split : List.of("train", "validation", "test")) {
            try (var files = Files.list(run.resolve("tb").resolve(split))) {
                List<Path> f = files.toList();
                assertEquals(1, f.size(), split);
                assertTrue(f.get(0).getFileName().toString().matches("events\\.out\\.tfevents\\.\\d+\\.[A-Za-z0-9._-]+\\."
                    + ProcessHandle.current().pid()), f.get(0).toString());
            }
        }
        JsonNode all = decode(run.resolve("tb"));
        List<JsonNode> train = in(all, "train");
        List<JsonNode> val = in(all, "validation");
        List<JsonNode> test = in(all, "test");
        assertEquals("brain.Event:2", train.get(0).get("file_version").asText());
        assertEquals("brain.Event:2", val.get(0).get("file_version").asText());
        JsonNode h = r.json().get("history");
        int steps = 576 / 128 + 1;     // 640 samples, 64 validation, batch 128
        assertEquals(h.get(1).get("loss").asDouble(), last(train, "epoch_loss").get("value").asDouble(), 1e-6);
        assertEquals(h.get(1).get("val_accuracy").asDouble(), last(val, "epoch_accuracy").get("value").asDouble(), 1e-6);
        assertEquals(h.get(1).get("test_loss").asDouble(), last(test, "epoch_loss").get("value").asDouble(), 1e-6);
        assertEquals(2L * steps, last(val, "epoch_loss").get("step").asLong(), "epoch scalars at the global step");
        assertEquals(h.get(1).get("lr").asDouble(), last(train, "epoch_learning_rate").get("value").asDouble(), 1e-9);
        assertTrue(train.stream().filter(x -> "batch_loss".equals(x.path("tag").asText())).count() >= 2, train.toString());
        assertTrue(train.stream().anyMatch(x -> "batch_learning_rate".equals(x.path("tag").asText())));

        Path hrun = tmp.resolve("histograms");
        Cli.Result hr = Cli.run("train", "--preset", "mlp", "--set", "data.limit=300", "--epochs", "1", "--device",
            "cpu", "--out", hrun.toString(), "--tensorboard-histograms", "--no-live-diagnosis");
        assertEquals(0, hr.code(), hr.toString());
        JsonNode hist = last(in(decode(hrun.resolve("tb")), "train"), "weights/1.weight");
        assertTrue(hist != null, "a histogram per weight tensor");
        assertEquals(784 * 256, hist.at("/histo/num").asDouble(), 0, "every value of the [256, 784] weight");
        double counted = 0;
        for (JsonNode c : hist.at("/histo/counts")) {
            counted += c.asDouble();
        }
        assertEquals(784 * 256, counted, 0, "the buckets hold every value");
        assertTrue(hist.at("/histo/min").asDouble() < 0 && hist.at("/histo/max").asDouble() > 0, hist.toString());

        Cli.Result more = Cli.run("train", "--preset", "mlp", "--set", "data.limit=640", "--set",
            "evaluation.splits=[validation, test]", "--epochs", "3", "--device", "cpu", "--out", run.toString(),
            "--resume", "--no-live-diagnosis");
        assertEquals(0, more.code(), more.toString());
        JsonNode after = decode(run.resolve("tb"));
        for (String split : List.of("train", "validation", "test")) {
            List<JsonNode> rows = in(after, split);
            assertTrue(rows.stream().anyMatch(x -> "START".equals(x.path("session_log").asText())
                && x.get("step").asLong() == 2L * steps + 1), split + ": " + rows);
        }
    }
}
