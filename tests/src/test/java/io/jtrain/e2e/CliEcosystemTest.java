package io.jtrain.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line behaves like the tools users know: {@code lr-find} as its own command, a completion
 * script, defaults in --help, and with --json a failure is one JSON object on standard output.
 */
class CliEcosystemTest {
    @TempDir
    Path tmp;

    @Test
    void lrFindSuggestsARateMarksItOnTheChartAndPrintsJson() throws IOException {
        Path chart = tmp.resolve("lr.png");
        long t0 = System.nanoTime();
        Cli.Result r = Cli.run("lr-find", "--preset", "mlp", "--set", "data.limit=2000", "--device", "cpu", "--chart",
            chart.toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        assertTrue((System.nanoTime() - t0) / 1e9 < 60, "under 60 s on the embedded data");
        JsonNode j = r.json();
        double s = j.get("suggested_lr").asDouble();
        assertTrue(s > 1e-5 && s < 0.1, "a plausible rate for Adam on the mlp: " + j.get("suggested_lr"));
        assertEquals(j.get("lrs").size(), j.get("smoothed_losses").size());
        assertEquals(j.get("lrs").size(), j.get("losses").size());
        assertEquals(j.get("losses").get(0).asDouble(), j.get("smoothed_losses").get(0).asDouble(), 1e-9,
            "bias correction: the first smoothed value is the first loss");
        assertTrue(Files.size(chart) > 1000);
        Cli.Result text = Cli.run("lr-find", "--preset", "mlp", "--set", "data.limit=500", "--device", "cpu",
            "--chart", tmp.resolve("b.png").toString());
        assertTrue(text.out().startsWith("suggested lr: ") || text.out().startsWith("no suggestion: "), text.out());
    }

    @Test
    void completionScriptNamesTheCommandsAndOptions() {
        Cli.Result r = Cli.run("completion", "bash");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("lr-find") && r.out().contains("--batch-size") && r.out().contains("complete"),
            r.out().substring(0, Math.min(400, r.out().length())));
        assertEquals(2, Cli.run("completion", "fish").code());
    }

    @Test
    void helpShowsDefaults() {
        Cli.Result r = Cli.run("predict", "--help");
        assertTrue(r.out().contains("Default: 3") && r.out().contains("Default: auto"), r.out());
    }

    @Test
    void aFailureWithJsonPrintsOneErrorObjectOnStandardOutput() {
        Cli.Result r = Cli.run("train", "--epochs", "0", "--json");
        assertEquals(2, r.code());
        JsonNode e = r.json().get("error");
        assertEquals("usage", e.get("code").asText());
        assertEquals(2, e.get("exit").asInt());
        assertTrue(e.get("message").asText().contains("training.epochs"), e.toString());
        assertTrue(r.err().startsWith("jtrain: error:"), r.err());
        Cli.Result data = Cli.run("eval", tmp.resolve("none").toString(), "--json");
        assertEquals("data", data.json().get("error").get("code").asText());
        Cli.Result flag = Cli.run("train", "--epocs", "2", "--json");
        assertEquals("usage", flag.json().get("error").get("code").asText());
    }

    /**
     * The CPU's convolution path is chosen once, announced on the device: line, recorded in run.json and kept
     * by a resume; an explicit --onednn on resume is taken with the bit-identity line.
     */
    @Test
    void oneDnnIsAnnouncedRecordedAndKeptOnResume() throws IOException {
        Path run = tmp.resolve("run");
        Cli.Result a = Cli.run("train", "--preset", "lenet5", "--set", "data.limit=300", "--epochs", "1", "--device",
            "cpu", "--onednn", "off", "--out", run.toString(), "--no-live-diagnosis");
        assertEquals(0, a.code(), a.toString());
        assertTrue(a.err().contains("oneDNN off (--onednn off)"), a.err());
        JsonNode rec = io.jtrain.run.RunDirectory.JSON.readTree(Files.readString(run.resolve("run.json")));
        assertEquals("off", rec.get("device").get("onednn").asText());
        Cli.Result b = Cli.run("train", "--out", run.toString(), "--resume", "--set", "training.epochs=2",
            "--no-live-diagnosis");
        assertEquals(0, b.code(), b.toString());
        assertTrue(b.err().contains("oneDNN off, as the run recorded in run.json"), b.err());
        assertTrue(b.err().contains("oneDNN off (--onednn off)"), "the resume runs the plain path: " + b.err());
        Cli.Result c = Cli.run("train", "--out", run.toString(), "--resume", "--set", "training.epochs=3",
            "--onednn", "auto", "--no-live-diagnosis");
        assertEquals(0, c.code(), c.toString());
        assertTrue(c.err().contains("--onednn auto (the run used oneDNN off)") && c.err().contains("bit-identical"),
            c.err());
        assertTrue(c.err().contains("convolutions, pooling, batch norm on oneDNN 3."), c.err());
    }

    /** train --lr auto trains with the range test's suggestion, says so, and records it; others refuse it. */
    @Test
    void lrAutoTrainsWithTheRangeTestsSuggestion() throws IOException {
        Path run = tmp.resolve("auto");
        Cli.Result r = Cli.run("train", "--preset", "mlp", "--set", "data.limit=800", "--epochs", "1", "--device",
            "cpu", "--lr", "auto", "--out", run.toString(), "--no-live-diagnosis", "--json");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("lr auto: "), r.err());
        String yaml = Files.readString(run.resolve("job.yaml"));
        if (r.err().contains("suggests ")) {
            String lr = r.err().replaceAll("(?s).*suggests ([0-9.e-]+);.*", "$1");
            assertTrue(yaml.contains("lr: " + Double.parseDouble(lr)) || yaml.contains("lr: " + lr), yaml);
        }
        Cli.Result b = Cli.run("bench", "--preset", "mlp", "--lr", "auto", "--steps", "2", "--warmup", "1");
        assertEquals(2, b.code(), b.toString());
        assertTrue(b.err().contains("--lr auto is for jtrain train"), b.err());
    }

    /**
     * The TensorBoard event files (on by default) are TensorFlow's event format: TFRecord frames whose masked
     * CRC-32C checks out around Event protocol buffers, decoded here independently of the writer and without
     * any tool (TensorBoardDecodeTest decodes them with protoc-generated classes): file_version first, then the
     * per-step and per-epoch scalars, the splits in Keras's tb/train and tb/validation; --no-tensorboard writes none.
     */
    @Test
    void tensorboardEventFileHoldsTheEpochScalars() throws IOException {
        Path run = tmp.resolve("tb");
        Cli.Result r = Cli.run("train", "--preset", "mlp", "--set", "data.limit=600", "--epochs", "2", "--device",
            "cpu", "--out", run.toString(), "--no-live-diagnosis", "--json");
        assertEquals(0, r.code(), r.toString());
        java.util.List<String> seen = new java.util.ArrayList<>();
        java.util.Map<String, Float> last = new java.util.HashMap<>();
        read(run.resolve("tb/train"), seen, last);
        assertEquals("file_version brain.Event:2", seen.get(0));
        for (String tag : java.util.List.of("epoch_loss", "epoch_accuracy", "epoch_learning_rate", "batch_loss",
            "batch_learning_rate")) {
            assertTrue(seen.stream().anyMatch(t -> t.startsWith(tag + "@")), tag + " in " + seen);
        }
        JsonNode h = r.json().get("history");
        assertEquals(h.get(1).get("loss").asDouble(), last.get("epoch_loss"), 1e-6);
        java.util.List<String> vseen = new java.util.ArrayList<>();
        java.util.Map<String, Float> vlast = new java.util.HashMap<>();
        read(run.resolve("tb/validation"), vseen, vlast);
        assertEquals(h.get(1).get("val_accuracy").asDouble(), vlast.get("epoch_accuracy"), 1e-6);
        assertTrue(vseen.contains("epoch_accuracy@10"), "at the global step (2 epochs of 5 steps): " + vseen);
        Path off = tmp.resolve("off");
        assertEquals(0, Cli.run("train", "--preset", "mlp", "--set", "data.limit=300", "--epochs", "1", "--device",
            "cpu", "--out", off.toString(), "--no-tensorboard").code());
        assertTrue(!Files.exists(off.resolve("tb")), "--no-tensorboard writes none");
    }

    private static void read(Path dir, java.util.List<String> seen, java.util.Map<String, Float> last)
        throws IOException {
        Path file;
        try (var files = Files.list(dir)) {
            file = files.filter(f -> f.getFileName().toString().startsWith("events.out.tfevents.")).findFirst()
                .orElseThrow();
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(Files.readAllBytes(file)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            byte[] len = new byte[8];
            b.get(len);
            assertEquals(masked(len), b.getInt(), "length CRC");
            byte[] data = new byte[(int) java.nio.ByteBuffer.wrap(len).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong()];
            b.get(data);
            assertEquals(masked(data), b.getInt(), "data CRC");
            decodeEvent(data, seen, last);
        }
    }

    /** summary, bench and probe list only the options they use; one they have no use for is refused, saying why. */
    @Test
    void helpListsOnlyTheOptionsACommandUses() {
        Cli.Result h = Cli.run("summary", "--help");
        assertEquals(0, h.code(), h.toString());
        for (String unused : java.util.List.of("--epochs", "--force", "--out=", "--lr", "--device", "--onednn")) {
            assertTrue(!h.out().contains(unused), unused + " in summary --help:\n" + h.out());
        }
        assertTrue(h.out().contains("--preset") && h.out().contains("--set"), h.out());
        Cli.Result b = Cli.run("bench", "--help");
        assertTrue(!b.out().contains("--epochs") && !b.out().contains("--force") && b.out().contains("--device"),
            b.out());
        Cli.Result r = Cli.run("summary", "--epochs", "3");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--epochs has no effect on 'jtrain summary' (it runs nothing)"), r.err());
        Cli.Result p = Cli.run("probe", "--out", "x");
        assertEquals(2, p.code(), p.toString());
        assertTrue(p.err().contains("--out has no effect on 'jtrain probe'"), p.err());
    }

    private static int masked(byte[] d) {
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(d);
        int crc = (int) c.getValue();
        return ((crc >>> 15) | (crc << 17)) + 0xa282ead8;
    }

    /** Protocol-buffer wire format: Event {1: wall_time, 2: step, 3: file_version, 5: Summary {1: Value {1: tag, 2: simple_value}}}. */
    private static void decodeEvent(byte[] d, java.util.List<String> seen, java.util.Map<String, Float> last) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(d).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long step = 0;
        while (b.hasRemaining()) {
            long key = varint(b);
            int field = (int) (key >>> 3);
            int wire = (int) (key & 7);
            if (wire == 1) {
                b.getDouble();
            } else if (wire == 0) {
                step = varint(b);
            } else if (wire == 2) {
                byte[] sub = new byte[(int) varint(b)];
                b.get(sub);
                if (field == 3) {
                    seen.add("file_version " + new String(sub, java.nio.charset.StandardCharsets.UTF_8));
                } else if (field == 5) {
                    java.nio.ByteBuffer s = java.nio.ByteBuffer.wrap(sub).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    assertEquals(10, varint(s), "Summary.value");
                    byte[] v = new byte[(int) varint(s)];
                    s.get(v);
                    java.nio.ByteBuffer vb = java.nio.ByteBuffer.wrap(v).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    assertEquals(10, varint(vb), "Value.tag");
                    byte[] tag = new byte[(int) varint(vb)];
                    vb.get(tag);
                    assertEquals(21, varint(vb), "Value.simple_value");
                    String t = new String(tag, java.nio.charset.StandardCharsets.UTF_8);
                    last.put(t, vb.getFloat());
                    seen.add(t + "@" + step);
                }
            }
        }
    }

    private static long varint(java.nio.ByteBuffer b) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            int x = b.get() & 0xff;
            v |= (long) (x & 0x7f) << shift;
            if (x < 0x80) {
                return v;
            }
        }
    }
}
