package io.jtrain.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each bad input gives its one-line message and exit code, prints no stack trace, and leaves an
 * earlier run's checkpoint byte-for-byte intact.
 */
class BadInputTest {
    @TempDir
    Path tmp;
    Path run;
    byte[] checkpoint;

    @BeforeEach
    void earlierRun() throws IOException {
        Path job = Cli.write(tmp.resolve("ok.yaml"), "data:\n  limit: 300\ntraining:\n  epochs: 1\n  device: cpu\n");
        run = tmp.resolve("run");
        Cli.Result r = Cli.run("train", job.toString(), "--out", run.toString());
        assertEquals(0, r.code(), r.toString());
        checkpoint = Files.readAllBytes(run.resolve("checkpoint.safetensors"));
    }

    private void assertFails(Cli.Result r, int code, String... fragments) throws IOException {
        assertEquals(code, r.code(), r.toString());
        for (String f : fragments) {
            assertTrue(r.err().contains(f), "message should contain '" + f + "':\n" + r.err());
        }
        assertTrue(!r.err().contains("\tat "), "no stack trace without --verbose:\n" + r.err());
        assertTrue(r.err().lines().filter(l -> l.startsWith("jtrain:")).count() == 1, r.err());
        assertArrayEquals(checkpoint, Files.readAllBytes(run.resolve("checkpoint.safetensors")),
            "the earlier checkpoint is intact");
    }

    /** A MNIST-layout folder with a given images file. */
    private Path idxDir(byte[] trainImages, byte[] trainLabels) throws IOException {
        Path d = tmp.resolve("data").resolve("mnist");
        Files.createDirectories(d);
        Files.write(d.resolve("train-images-idx3-ubyte"), trainImages);
        Files.write(d.resolve("train-labels-idx1-ubyte"), trainLabels);
        Files.write(d.resolve("t10k-images-idx3-ubyte"), io.jtrain.data.IdxReader.encode(new int[] {2, 28, 28},
            new byte[2 * 784]));
        Files.write(d.resolve("t10k-labels-idx1-ubyte"), io.jtrain.data.IdxReader.encode(new int[] {2}, new byte[2]));
        return d;
    }

    /**
     * A new run over the earlier one (--force) that must fail before writing anything: everything that can
     * be checked is checked before the run directory is touched, so the earlier checkpoint stays intact.
     */
    private Cli.Result rerunWith(String... extra) {
        String[] base = {"train", "--out", run.toString(), "--force", "--epochs", "2"};
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return Cli.run(all);
    }

    @Test
    void corruptIdxMagicNumber() throws IOException {
        byte[] img = io.jtrain.data.IdxReader.encode(new int[] {10, 28, 28}, new byte[7840]);
        img[3] = 7;
        idxDir(img, io.jtrain.data.IdxReader.encode(new int[] {10}, new byte[10]));
        assertFails(rerunWith("--data", "mnist", "--data-dir", tmp.resolve("data").toString()), 3, "magic number",
            "train-images-idx3-ubyte");
    }

    @Test
    void truncatedIdxFile() throws IOException {
        byte[] img = io.jtrain.data.IdxReader.encode(new int[] {10, 28, 28}, new byte[7840]);
        idxDir(java.util.Arrays.copyOf(img, 5000), io.jtrain.data.IdxReader.encode(new int[] {10}, new byte[10]));
        assertFails(rerunWith("--data", "mnist", "--data-dir", tmp.resolve("data").toString()), 3, "truncated");
    }

    @Test
    void labelOutOfRange() throws IOException {
        byte[] labels = new byte[10];
        labels[4] = 12;
        idxDir(io.jtrain.data.IdxReader.encode(new int[] {10, 28, 28}, new byte[7840]),
            io.jtrain.data.IdxReader.encode(new int[] {10}, labels));
        assertFails(rerunWith("--data", "mnist", "--data-dir", tmp.resolve("data").toString()), 3,
            "label 12.0 of sample 4", "[0, 9]");
    }

    @Test
    void missingNamedDataSetSaysWhereToPutWhichFiles() throws IOException {
        assertFails(rerunWith("--data", "mnist", "--data-dir", tmp.resolve("nothing").toString()), 3,
            "not found", "train-images-idx3-ubyte.gz", "--download");
    }

    @Test
    void unknownYamlKeyNamesFileLineAndAllowedKeys() throws IOException {
        Path job = Cli.write(tmp.resolve("bad.yaml"), "data:\n  name: embedded\ntraining:\n  epochs: 1\n  lr: 0.1\n");
        assertFails(Cli.run("train", job.toString(), "--out", run.toString(), "--resume"), 2,
            "bad.yaml:5", "unknown key 'lr'", "section 'training'", "batch_size");
    }

    @Test
    void wrongValueTypeAndInvalidValue() throws IOException {
        Path job = Cli.write(tmp.resolve("bad.yaml"), "training:\n  epochs: many\n");
        assertFails(Cli.run("train", job.toString()), 2, "bad.yaml:2", "epochs", "a number");
        Path job2 = Cli.write(tmp.resolve("bad2.yaml"), "optimizer:\n  name: adamax\n");
        assertFails(Cli.run("train", job2.toString()), 2, "bad2.yaml:2", "adamax", "allowed: sgd, adam, adamw, rmsprop");
    }

    @Test
    void incompatibleLayerShapes() throws IOException {
        Path job = Cli.write(tmp.resolve("bad.yaml"), "model:\n  layers:\n    - type: conv2d\n      filters: 4\n"
            + "      kernel: 3\n    - type: dense\n      units: 10\n");
        assertFails(Cli.run("train", job.toString(), "--out", run.toString(), "--force"), 2,
            "layer 1 (dense)", "[4, 26, 26]", "flatten");
    }

    @Test
    void batchSizeZero() throws IOException {
        assertFails(Cli.run("train", "--batch-size", "0", "--out", run.toString(), "--resume"), 2,
            "batch size must be at least 1");
    }

    @Test
    void unwritableOutputDirectory() throws IOException {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        assertFails(Cli.run("train", "--out", file.resolve("sub").toString(), "--epochs", "1"), 6,
            "is a file, so the directory cannot be created", "--out");
    }

    /** Resume means the same run: another data set, learning rate or seed is refused, naming each key. */
    @Test
    void resumeRefusesAChangedJob() throws IOException {
        assertFails(Cli.run("train", "--out", run.toString(), "--resume", "--data", "mnist", "--lr", "0.05"), 2,
            "data.name: embedded (run) vs mnist", "optimizer.lr: 0.001 (run) vs 0.05", "--allow-changes");
        Path other = Cli.write(tmp.resolve("other.yaml"), "training:\n  epochs: 1\n  device: cpu\n  seed: 7\n");
        assertFails(Cli.run("train", other.toString(), "--out", run.toString(), "--resume"), 2,
            "training.seed: 42 (run) vs 7", "data.limit: 300 (run) vs null");
    }

    @Test
    void resumeWithoutCheckpoint() throws IOException {
        assertFails(Cli.run("train", "--out", tmp.resolve("empty").toString(), "--resume"), 2, "no checkpoint");
    }

    @Test
    void corruptModelFileForEval() throws IOException {
        Path best = run.resolve("best");
        Path copy = tmp.resolve("copy");
        Files.createDirectories(copy);
        Files.copy(best.resolve("model.json"), copy.resolve("model.json"));
        byte[] w = Files.readAllBytes(best.resolve("model.safetensors"));
        Files.write(copy.resolve("model.safetensors"), java.util.Arrays.copyOf(w, w.length / 2));
        assertFails(Cli.run("eval", copy.toString()), 3, "truncated");
    }

    @Test
    void verboseShowsTheStackTrace() throws IOException {
        Cli.Result r = Cli.run("train", "--batch-size", "0", "--verbose");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("\tat "), r.err());
    }
}
