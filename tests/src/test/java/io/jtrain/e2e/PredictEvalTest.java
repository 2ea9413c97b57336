package io.jtrain.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.jtrain.api.Predictor;
import io.jtrain.data.DataLocator;
import io.jtrain.data.Dataset;
import io.jtrain.data.IdxReader;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code predict} and {@code eval} answer for the data the user meant or refuse: grey PNGs give the same
 * classes as the same pixels from IDX, samples of another shape are refused with exit 3, a shared
 * {@link Predictor} gives the same answers from many threads, and device names are checked.
 */
class PredictEvalTest {
    @TempDir
    static Path tmp;
    static Path best;
    static Dataset test;

    @BeforeAll
    static void train() throws IOException {
        Path job = Cli.write(tmp.resolve("job.yaml"), "data:\n  limit: 2000\nmodel:\n  preset: lenet5\n"
            + "training:\n  epochs: 1\n  device: cpu\n");
        Cli.Result r = Cli.run("train", job.toString(), "--out", tmp.resolve("run").toString());
        assertEquals(0, r.code(), r.toString());
        best = tmp.resolve("run/best");
        test = DataLocator.embedded().test();
    }

    static void assertRefused(Cli.Result r, int code, String... fragments) {
        assertEquals(code, r.code(), r.toString());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "message should contain '" + f + "':\n" + r.err());
        }
        assertTrue(!r.err().contains("\tat "), r.err());
        assertEquals(1, r.err().lines().filter(l -> l.startsWith("jtrain:")).count(), r.err());
    }

    static byte[] bytes(int from, int n) {
        byte[] b = new byte[n * 784];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) Math.round(test.x()[from * 784 + i] * 255);
        }
        return b;
    }

    @Test
    void greyPngsPredictTheSameClassesAsTheSamePixelsFromIdx() throws IOException {
        int n = 200;
        byte[] px = bytes(0, n);
        Path idx = Files.write(tmp.resolve("two-hundred-idx3-ubyte"), IdxReader.encode(new int[] {n, 28, 28}, px));
        List<String> args = new ArrayList<>(List.of("predict", best.toString()));
        for (int i = 0; i < n; i++) {
            BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            for (int j = 0; j < 784; j++) {
                img.getRaster().setSample(j % 28, j / 28, 0, px[i * 784 + j] & 0xff);
            }
            Path png = tmp.resolve("img" + i + ".png");
            ImageIO.write(img, "png", png.toFile());
            args.add(png.toString());
        }
        args.add("--json");
        JsonNode fromPng = Cli.run(args.toArray(new String[0])).json().get("predictions");
        JsonNode fromIdx = Cli.run("predict", best.toString(), idx.toString(), "--json").json().get("predictions");
        assertEquals(n, fromPng.size());
        for (int i = 0; i < n; i++) {
            assertEquals(fromIdx.get(i).get("class").asInt(), fromPng.get(i).get("class").asInt(), "image " + i);
            assertEquals(fromIdx.get(i).get("probabilities").get(0).asDouble(),
                fromPng.get(i).get("probabilities").get(0).asDouble(), 1e-6, "image " + i + " (a batch of 200 and "
                    + "of 1 round differently in the last bits)");
        }
    }

    @Test
    void idxImagesOfAnotherSizeAreRefused() throws IOException {
        Path idx = Files.write(tmp.resolve("big-idx3-ubyte"), IdxReader.encode(new int[] {3, 32, 32},
            new byte[3 * 1024]));
        assertRefused(Cli.run("predict", best.toString(), idx.toString()), 3, "[32, 32]", "[1, 28, 28]");
    }

    @Test
    void evalRefusesDataOfAnotherShape() throws IOException {
        Path cifar = Files.createDirectories(tmp.resolve("cifar"));
        byte[] rec = new byte[3073 * 2];
        for (String f : List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
            "data_batch_5.bin", "test_batch.bin")) {
            Files.write(cifar.resolve(f), rec);
        }
        assertRefused(Cli.run("eval", best.toString(), "--data", cifar.toString()), 3, "[3, 32, 32]",
            "[1, 28, 28]");
    }

    @Test
    void aTabularModelEvaluatedOnImagesIsADataErrorNotABug() throws IOException {
        StringBuilder csv = new StringBuilder("a,b,c,label\n");
        for (int i = 0; i < 60; i++) {
            csv.append(i % 7).append(',').append(i % 5).append(',').append(i % 3).append(',').append(i % 3)
               .append('\n');
        }
        Path data = Cli.write(tmp.resolve("t.csv"), csv.toString());
        Path run = tmp.resolve("tab");
        Cli.Result r = Cli.run("train", "--data", data.toString(), "--preset", "mlp", "--epochs", "1", "--device",
            "cpu", "--out", run.toString(), "--set", "data.normalization=per_feature");
        assertEquals(0, r.code(), r.toString());
        assertRefused(Cli.run("eval", run.resolve("best").toString(), "--data", "embedded"), 3, "[1, 28, 28]",
            "[3]");
        Cli.Result own = Cli.run("eval", run.resolve("best").toString(), "--data", data.toString(), "--json");
        assertEquals(0, own.code(), own.toString());
        assertTrue(own.err().contains("has no test split; evaluating all 60"), own.err());
        Cli.Result rows = Cli.run("predict", run.resolve("best").toString(), data.toString(), "--json");
        assertEquals(0, rows.code(), rows.toString());
        assertEquals(60, rows.json().get("predictions").size());
        assertTrue(rows.err().contains("ignoring column(s) label"), rows.err());
    }

    @Test
    void deviceNamesAreCheckedByEvalAndPredict() {
        assertRefused(Cli.run("eval", best.toString(), "--device", "gpu"), 2, "device 'gpu' is not allowed");
        assertRefused(Cli.run("predict", best.toString(), "x.png", "--device", "gpu"), 2,
            "device 'gpu' is not allowed");
    }

    @Test
    void oneSharedPredictorAnswersTheSameFromEightThreads() throws Exception {
        int n = 64;
        float[][] samples = new float[n][];
        for (int i = 0; i < n; i++) {
            samples[i] = java.util.Arrays.copyOfRange(test.x(), i * 784, (i + 1) * 784);
        }
        try (Predictor p = Predictor.load(best)) {
            List<Predictor.Prediction> alone = new ArrayList<>();
            for (float[] s : samples) {
                alone.add(p.predict(s));
            }
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<Predictor.Prediction>> got = new ArrayList<>();
            for (int round = 0; round < 4; round++) {
                for (int i = 0; i < n; i++) {
                    float[] s = samples[i];
                    got.add(pool.submit(() -> p.predict(s)));
                }
            }
            for (int k = 0; k < got.size(); k++) {
                Predictor.Prediction q = got.get(k).get();
                assertEquals(alone.get(k % n).classIndex(), q.classIndex());
                assertEquals(alone.get(k % n).probabilities()[0], q.probabilities()[0], 0f);
            }
            pool.shutdown();
        }
    }
}
