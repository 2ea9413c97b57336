package io.jtrain.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** jtrain train / eval / predict / summary / devices / bench through the command line on the embedded data. */
class TrainCommandTest {
    @TempDir
    Path tmp;

    static final String SMALL_JOB = "data:\n  name: embedded\n  limit: 1200\nmodel:\n  preset: lenet5\n"
        + "training:\n  epochs: 2\n  batch_size: 64\n  device: cpu\n";

    @Test
    void trainWritesRunDirectoryAndJsonSummary() throws IOException {
        Path job = Cli.write(tmp.resolve("job.yaml"), SMALL_JOB);
        Path out = tmp.resolve("run");
        Cli.Result r = Cli.run("train", job.toString(), "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode j = r.json();
        assertEquals(2, j.get("epochs_run").asInt());
        assertTrue(j.get("best_epoch").asInt() >= 1);
        for (String k : List.of("loss", "accuracy", "val_loss", "val_accuracy", "lr", "seconds")) {
            assertTrue(j.get("history").get(0).has(k), "history key " + k);
        }
        assertTrue(j.get("test").get("accuracy").asDouble() > 0.5, r.toString());
        assertTrue(r.err().contains("device: cpu"), r.err());
        for (String f : List.of("run.json", "job.yaml", "metrics.csv", "metrics.jsonl", "checkpoint.safetensors",
            "best/model.safetensors", "best/model.json", "curves.png", "confusion.png", "report.json")) {
            assertTrue(Files.exists(out.resolve(f)), f + " missing");
        }
        assertEquals(3, Files.readAllLines(out.resolve("metrics.csv")).size(), "header and two epochs");
        JsonNode run = Cli.JSON.readTree(out.resolve("run.json").toFile());
        assertEquals("cpu", run.get("device").get("used").asText());
        assertEquals(42, run.get("seed").asInt());

        Cli.Result again = Cli.run("train", job.toString(), "--out", out.toString());
        assertEquals(2, again.code(), "an existing run is never overwritten without --force");
        assertTrue(again.err().contains("--force"), again.err());

        Cli.Result ev = Cli.run("eval", out.resolve("best").toString(), "--json");
        assertEquals(0, ev.code(), ev.toString());
        JsonNode e = ev.json();
        assertEquals(10, e.get("per_class").size());
        assertEquals(1000, e.get("samples").asInt());
        assertTrue(e.get("per_class").get(0).has("f1") && e.has("macro_avg") && e.has("weighted_avg"));
        assertEquals(10, e.get("confusion_matrix").size());
        Cli.Result evText = Cli.run("eval", out.resolve("best").toString());
        assertTrue(evText.out().contains("Ankle boot") && evText.out().contains("macro avg"), evText.out());
    }

    @Test
    void predictPrintsClassesForIdxAndPng() throws IOException {
        Path job = Cli.write(tmp.resolve("job.yaml"), SMALL_JOB.replace("epochs: 2", "epochs: 1"));
        Path out = tmp.resolve("run");
        assertEquals(0, Cli.run("train", job.toString(), "--out", out.toString()).code());
        byte[] img = new byte[2 * 784];
        for (int i = 0; i < img.length; i++) {
            img[i] = (byte) (i % 255);
        }
        Path idx = tmp.resolve("two-images-idx3-ubyte");
        Files.write(idx, io.jtrain.data.IdxReader.encode(new int[] {2, 28, 28}, img));
        Cli.Result r = Cli.run("predict", out.resolve("best").toString(), idx.toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode p = r.json().get("predictions");
        assertEquals(2, p.size());
        double sum = 0;
        for (JsonNode v : p.get(0).get("probabilities")) {
            sum += v.asDouble();
        }
        assertEquals(1.0, sum, 1e-4);
        java.awt.image.BufferedImage bi = new java.awt.image.BufferedImage(40, 40,
            java.awt.image.BufferedImage.TYPE_INT_RGB);
        Path png = tmp.resolve("x.png");
        javax.imageio.ImageIO.write(bi, "png", png.toFile());
        Cli.Result pr = Cli.run("predict", out.resolve("best").toString(), png.toString());
        assertEquals(0, pr.code(), pr.toString());
        assertTrue(pr.out().startsWith("0: "), pr.out());
    }

    @Test
    void summaryDevicesBenchAndDumpJob() throws IOException {
        Cli.Result s = Cli.run("summary", "--preset", "cnn-bn", "--json");
        assertEquals(0, s.code(), s.toString());
        assertEquals(384, s.json().get("non_trainable_params").asInt());
        Cli.Result d = Cli.run("devices", "--json");
        assertEquals(0, d.code());
        assertEquals(0, d.json().get("gpus").size());
        assertTrue(d.json().get("gpu_reason").asText().length() > 10);
        // cuDNN's own status is reported even without a GPU (here: the renamed JCudnn native loads, libcudnn.so.8 is absent)
        assertTrue(d.json().get("cudnn").asText().startsWith("cuDNN"), d.toString());
        Cli.Result b = Cli.run("bench", "--preset", "mlp", "--batch-size", "32", "--steps", "3", "--warmup", "2",
            "--json", "--device", "cpu");
        assertEquals(0, b.code(), b.toString());
        for (String k : List.of("train_samples_per_s", "infer_samples_per_s", "ms_per_batch", "peak_bytes")) {
            assertTrue(b.json().get(k).asDouble() > 0, k);
        }
        Cli.Result text = Cli.run("bench", "--preset", "mlp", "--batch-size", "32", "--steps", "3", "--warmup", "2",
            "--device", "cpu");
        assertEquals(0, text.code(), text.toString());
        assertTrue(text.out().contains("training ") && text.out().contains("peak memory"), text.out());
        assertTrue(text.out().lines().allMatch(l -> l.length() <= 80), "a result line is wider than 80 columns:\n"
            + text.out());
        Path job = Cli.write(tmp.resolve("job.yaml"), SMALL_JOB);
        Cli.Result dump = Cli.run("train", job.toString(), "--dump-job", "--lr", "0.01");
        assertEquals(0, dump.code(), dump.toString());
        assertTrue(dump.out().contains("lr: 0.01") && dump.out().contains("preset: lenet5")
            && dump.out().contains("seed: 42"), dump.out());
    }

    @Test
    void helpAndVersion() {
        for (String c : List.of("train", "eval", "predict", "summary", "devices", "bench")) {
            Cli.Result r = Cli.run(c, "--help");
            assertEquals(0, r.code());
            assertTrue(r.out().contains("Examples:"), c + " --help shows examples");
        }
        Cli.Result v = Cli.run("--version");
        assertEquals(0, v.code());
        assertTrue(v.out().startsWith("jtrain "), v.out());
    }

    @Test
    void deviceCudaWithoutGpuFailsWithReasonAndAutoFallsBack() throws IOException {
        Path job = Cli.write(tmp.resolve("job.yaml"), SMALL_JOB.replace("device: cpu", "device: auto")
            .replace("epochs: 2", "epochs: 1").replace("limit: 1200", "limit: 200"));
        Cli.Result cuda = Cli.run("train", job.toString(), "--device", "cuda", "--out", tmp.resolve("c").toString());
        assertEquals(7, cuda.code(), cuda.toString());
        assertTrue(cuda.err().contains("--device cuda"), cuda.err());
        Cli.Result auto = Cli.run("train", job.toString(), "--out", tmp.resolve("a").toString());
        assertEquals(0, auto.code(), auto.toString());
        assertTrue(auto.err().contains("training on CPU"), auto.err());
        Cli.Result bad = Cli.run("train", job.toString(), "--device", "tpu");
        assertEquals(2, bad.code());
        Cli.Result badCudnn = Cli.run("train", job.toString(), "--cudnn", "on");
        assertEquals(2, badCudnn.code());
        assertTrue(badCudnn.err().contains("--cudnn 'on' is not allowed; use auto or off"), badCudnn.err());
        Cli.Result off = Cli.run("train", job.toString(), "--cudnn", "off", "--deterministic", "--out",
            tmp.resolve("o").toString());
        assertEquals(0, off.code(), off.toString());
        Cli.Result selftest = Cli.run("selftest", "--cudnn", "off");
        assertEquals(7, selftest.code(), selftest.toString());
        assertTrue(selftest.out().startsWith("no usable GPU: --device cuda asked for a GPU, but"), selftest.out());
        Cli.Result contradiction = Cli.run("selftest", "--require-cudnn", "--cudnn", "off");
        assertEquals(2, contradiction.code(), contradiction.toString());
        assertTrue(contradiction.err().contains("--require-cudnn and --cudnn off contradict"), contradiction.err());
        Cli.Result cpuSelftest = Cli.run("selftest", "--device", "cpu");
        assertEquals(2, cpuSelftest.code(), cpuSelftest.toString());
        Cli.Result evalGpu = Cli.run("eval", tmp.resolve("a").resolve("best").toString(), "--device", "gpu");
        assertEquals(2, evalGpu.code(), "eval validates --device like train: " + evalGpu);
    }
}
