package io.jtrain.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jtrain.data.IdxReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * One case per bad input a user can give — IDX, CIFAR-10, CSV, image files, job files, model files, run
 * directories, flags, resume, output paths, devices, memory limits. Each asserts the rules of docs/cli.md
 * ("Errors"): the documented exit code, exactly one {@code jtrain:} line that names what is wrong (the
 * fragments given), no stack trace, and no files left in a fresh {@code --out}.
 */
class AdversarialSuiteTest {
    @TempDir
    static Path tmp;
    static Path run;
    static Path best;
    static int fresh;

    /** One bad input: the command line, the exit code, and what the message must contain. */
    record Case(String name, List<String> args, int code, List<String> fragments) { }

    @BeforeAll
    static void earlierRun() throws IOException {
        run = tmp.resolve("run");
        Cli.Result r = Cli.run("train", "--set", "data.limit=300", "--epochs", "1", "--device", "cpu", "--preset",
            "mlp", "--out", run.toString());
        assertEquals(0, r.code(), r.toString());
        best = run.resolve("best");
    }

    static Path file(String name, byte[] bytes) throws IOException {
        Path p = tmp.resolve("in").resolve(name);
        Files.createDirectories(p.getParent());
        return Files.write(p, bytes);
    }

    static Path text(String name, String text) throws IOException {
        return file(name, text.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        try (OutputStream g = new GZIPOutputStream(o)) {
            g.write(b);
        }
        return o.toByteArray();
    }

    /** An MNIST-layout folder with the given training images and labels (and a valid test pair). */
    static Path idxFolder(String name, byte[] images, byte[] labels) throws IOException {
        Path d = tmp.resolve("sets").resolve(name);
        Files.createDirectories(d);
        Files.write(d.resolve("train-images-idx3-ubyte"), images);
        Files.write(d.resolve("train-labels-idx1-ubyte"), labels);
        Files.write(d.resolve("t10k-images-idx3-ubyte"), IdxReader.encode(new int[] {2, 28, 28}, new byte[1568]));
        Files.write(d.resolve("t10k-labels-idx1-ubyte"), IdxReader.encode(new int[] {2}, new byte[2]));
        return d;
    }

    static byte[] images(int n) {
        return IdxReader.encode(new int[] {n, 28, 28}, new byte[n * 784]);
    }

    static byte[] labels(int n) {
        return IdxReader.encode(new int[] {n}, new byte[n]);
    }

    static Path cifarFolder(String name, byte[] testBatch) throws IOException {
        Path d = tmp.resolve("sets").resolve(name);
        Files.createDirectories(d);
        for (int i = 1; i <= 5; i++) {
            Files.write(d.resolve("data_batch_" + i + ".bin"), new byte[3073 * 2]);
        }
        Files.write(d.resolve("test_batch.bin"), testBatch);
        return d;
    }

    static byte[] safetensors(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        return b.array();
    }

    /** A copy of the trained model directory with one file replaced. */
    static Path model(String name, String file, byte[] content) throws IOException {
        Path d = tmp.resolve("models").resolve(name);
        Files.createDirectories(d);
        for (String f : List.of("model.json", "model.safetensors")) {
            Files.copy(best.resolve(f), d.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Files.write(d.resolve(file), content);
        return d;
    }

    /** train with one epoch on the CPU and 200 samples, unless the case sets those flags itself. */
    static List<String> train(String... args) {
        List<String> given = Arrays.asList(args);
        List<String> a = new ArrayList<>(List.of("train", "--set", "data.limit=200"));
        if (!given.contains("--epochs")) {
            a.addAll(List.of("--epochs", "1"));
        }
        if (!given.contains("--device")) {
            a.addAll(List.of("--device", "cpu"));
        }
        a.addAll(given);
        return a;
    }

    static Case c(String name, List<String> args, int code, String... fragments) {
        return new Case(name, args, code, List.of(fragments));
    }

    static List<String> l(String... a) {
        return List.of(a);
    }

    static List<Case> cases() throws IOException {
        byte[] badMagic = images(4);
        badMagic[3] = 7;
        byte[] gz = gzip(images(4));
        gz[gz.length - 8] ^= 0x5a;
        ByteBuffer huge = ByteBuffer.allocate(16 + 64).putInt(0x803).putInt(2_000_000_000).putInt(28).putInt(28);
        byte[] badLabel = new byte[4];
        badLabel[2] = 12;
        byte[] cifarLabel = new byte[3073];
        cifarLabel[0] = 10;
        String d = "--data";
        String dd = "--data-dir";
        Path sets = tmp.resolve("sets");
        List<Case> cs = new ArrayList<>();
        // IDX
        idxFolder("magic", badMagic, labels(4));
        cs.add(c("idx bad magic", train(d, sets.resolve("magic").toString()), 3, "magic number",
            "train-images-idx3-ubyte"));
        idxFolder("short", Arrays.copyOf(images(4), 1000), labels(4));
        cs.add(c("idx truncated", train(d, sets.resolve("short").toString()), 3, "truncated", "download it again"));
        idxFolder("huge", huge.array(), labels(4));
        cs.add(c("idx header claims 2e9 images", train(d, sets.resolve("huge").toString()), 3, "2000000000",
            "more values than"));
        Path crc = idxFolder("crc", images(4), labels(4));
        Files.delete(crc.resolve("train-images-idx3-ubyte"));
        Files.write(crc.resolve("train-images-idx3-ubyte.gz"), gz);
        cs.add(c("idx gzip CRC wrong", train(d, crc.toString()), 3, "corrupt gzip", "train-images-idx3-ubyte.gz"));
        idxFolder("long", Arrays.copyOf(images(4), images(4).length + 10), labels(4));
        cs.add(c("idx trailing bytes", train(d, sets.resolve("long").toString()), 3, "more bytes than its header"));
        idxFolder("count", images(4), labels(5));
        cs.add(c("idx image and label counts differ", train(d, sets.resolve("count").toString()), 3,
            "4 images but 5 labels"));
        idxFolder("label", images(4), IdxReader.encode(new int[] {4}, badLabel));
        cs.add(c("idx label beyond the classes", train(d, sets.resolve("label").toString()), 3, "label 12.0",
            "[0, 9]"));
        Files.createDirectories(sets.resolve("nolabels"));
        Files.write(sets.resolve("nolabels").resolve("train-images-idx3-ubyte"), images(2));
        cs.add(c("idx folder without labels", train(d, sets.resolve("nolabels").toString()), 3, "missing",
            "train-labels-idx1-ubyte"));
        cs.add(c("named data set missing", train(d, "mnist", dd, tmp.resolve("nothing").toString()), 3,
            "not found", "--download"));
        // CIFAR-10
        cs.add(c("cifar truncated batch", train(d, cifarFolder("cifar-short", new byte[5000]).toString(),
            "--preset", "mlp"), 3, "test_batch.bin", "3073-byte"));
        cs.add(c("cifar label 10", train(d, cifarFolder("cifar-label", cifarLabel).toString(), "--preset", "mlp"), 3,
            "label 10.0", "[0, 9]"));
        // CSV
        String hdr = "a,b,label\n";
        cs.add(c("csv NaN cell", train(d, text("nan.csv", hdr + "1,2,0\n3,nan,1\n").toString()), 3, "nan.csv:3:3",
            "column 'b'", "fill or drop"));
        cs.add(c("csv empty cell", train(d, text("empty.csv", hdr + "1,,0\n3,4,1\n").toString()), 3,
            "empty.csv:2:3", "holds ''"));
        cs.add(c("csv infinity", train(d, text("inf.csv", hdr + "1,2,0\ninf,4,1\n").toString()), 3, "inf.csv:3:1"));
        cs.add(c("csv not a number", train(d, text("word.csv", hdr + "1,2,0\n1,two,0\n").toString()), 3,
            "word.csv:3:3", "not a number"));
        cs.add(c("csv ragged row", train(d, text("ragged.csv", hdr + "1,2,0\n1,2\n").toString()), 3,
            "ragged.csv:3", "2 columns, the header has 3"));
        cs.add(c("csv header only", train(d, text("header.csv", hdr).toString()), 3, "no data rows"));
        cs.add(c("csv empty file", train(d, text("void.csv", "").toString()), 3, "is empty"));
        cs.add(c("csv missing", train(d, tmp.resolve("in/missing.csv").toString()), 3, "missing.csv",
            "file not found"));
        Files.createDirectories(tmp.resolve("in/folder.csv"));
        cs.add(c("csv path is a folder", train(d, tmp.resolve("in/folder.csv").toString()), 3, "is a directory"));
        cs.add(c("csv label not an index", train(d, text("frac.csv", hdr + "1,2,0\n1,2,0.5\n").toString()), 3,
            "frac.csv:3", "not a class index"));
        StringBuilder five = new StringBuilder(hdr);
        for (int i = 0; i < 20; i++) {
            five.append(i).append(',').append(i % 3).append(',').append(i % 5).append('\n');
        }
        Path fiveCsv = text("five.csv", five.toString());
        Path twoOut = text("two-outputs.yaml", "data:\n  name: " + fiveCsv + "\nmodel:\n  layers:\n"
            + "    - {type: dense, units: 2}\n");
        cs.add(c("labels beyond the model's outputs, by file row", train(twoOut.toString()), 3, "five.csv:4",
            "target 2.0", "last layer"));
        cs.add(c("data folder with no data set", train(d, Files.createDirectories(tmp.resolve("in/emptydir"))
            .toString()), 3, "holds neither"));
        cs.add(c("an IDX file given as data", train(d, file("lone-idx3-ubyte", images(1)).toString()), 3,
            "folder that holds them"));
        cs.add(c("misspelt data set", train(d, "mnsit"), 3, "did you mean 'mnist'"));
        // images and predict
        cs.add(c("predict a corrupt PNG", l("predict", best.toString(), text("bad.png", "not a png").toString()), 3,
            "bad.png", "not a readable image"));
        cs.add(c("predict a missing image", l("predict", best.toString(), tmp.resolve("in/none.png").toString()), 3,
            "none.png", "file not found"));
        cs.add(c("predict an IDX of another size", l("predict", best.toString(), file("big-idx3-ubyte",
            IdxReader.encode(new int[] {1, 32, 32}, new byte[1024])).toString()), 3, "[32, 32]", "[1, 28, 28]"));
        cs.add(c("predict a CSV with an image model", l("predict", best.toString(), fiveCsv.toString()), 3,
            "rows of features", "[1, 28, 28]"));
        cs.add(c("predict --top 0", l("predict", best.toString(), fiveCsv.toString(), "--top", "0"), 2,
            "--top must be at least 1"));
        // job files
        cs.add(c("yaml duplicate key", train(text("dup.yaml", "training:\n  device: cpu\n  device: cuda\n")
            .toString()), 2, "dup.yaml:3", "given twice"));
        cs.add(c("yaml duplicate section", train(text("dupsec.yaml", "training:\n  epochs: 1\ntraining:\n"
            + "  device: cpu\n").toString()), 2, "dupsec.yaml:3", "given twice"));
        cs.add(c("yaml tab", train(text("tab.yaml", "training:\n\tepochs: 2\n").toString()), 2, "tab.yaml:2",
            "'\\t'"));
        cs.add(c("yaml alias", train(text("alias.yaml", "x: &a 1\ntraining:\n  epochs: *a\n").toString()), 2,
            "alias"));
        cs.add(c("yaml unknown key", train(text("typo.yaml", "training:\n  epoch: 2\n").toString()), 2,
            "typo.yaml:2", "did you mean 'epochs'"));
        cs.add(c("yaml negative lr", train(text("neg.yaml", "optimizer:\n  lr: -0.1\n").toString()), 2,
            "neg.yaml:2", "optimizer.lr", "positive"));
        cs.add(c("yaml not a mapping", train(text("list.yaml", "- a\n- b\n").toString()), 2, "list.yaml",
            "mapping"));
        cs.add(c("job file missing", train(tmp.resolve("in/none.yaml").toString()), 2, "none.yaml",
            "job file not found"));
        cs.add(c("job file is a folder", train(Files.createDirectories(tmp.resolve("in/jobdir")).toString()), 2,
            "is a directory"));
        // model files
        cs.add(c("eval truncated safetensors", l("eval", model("trunc", "model.safetensors",
            Arrays.copyOf(Files.readAllBytes(best.resolve("model.safetensors")), 100)).toString()), 3, "truncated"));
        cs.add(c("eval overlapping safetensors offsets", l("eval", model("overlap", "model.safetensors",
            safetensors("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\","
                + "\"shape\":[2],\"data_offsets\":[4,12]}}", 12)).toString()), 3, "overlaps"));
        cs.add(c("eval model.json garbage", l("eval", model("garbage", "model.json", "{not json".getBytes(
            StandardCharsets.UTF_8)).toString()), 3, "model.json", "corrupt"));
        String json = Files.readString(best.resolve("model.json"));
        cs.add(c("eval model.json unknown loss", l("eval", model("loss", "model.json", json.replace(
            "softmax_cross_entropy", "hinge").getBytes(StandardCharsets.UTF_8)).toString()), 3, "loss", "hinge"));
        cs.add(c("eval model.json NaN statistics", l("eval", model("stats", "model.json", json.replaceFirst(
            "\"std\" : \\[ [0-9.E-]+", "\"std\" : [ -1").getBytes(StandardCharsets.UTF_8)).toString()), 3,
            "normalization.std"));
        cs.add(c("eval a file as model directory", l("eval", best.resolve("model.json").toString()), 3,
            "is a file"));
        cs.add(c("eval a folder without model.json", l("eval", tmp.resolve("in").toString()), 3, "no model.json"));
        cs.add(c("eval on data of another shape", l("eval", best.toString(), d, cifarFolder("cifar-ok",
            new byte[3073 * 2]).toString()), 3, "[3, 32, 32]", "[1, 28, 28]"));
        // run directories and resume
        cs.add(c("existing run without --force", l("train", "--epochs", "1", "--out", run.toString()), 2,
            "already holds a run", "--force"));
        cs.add(c("resume with another lr", l("train", "--out", run.toString(), "--resume", "--lr", "0.05"), 2,
            "optimizer.lr: 0.001 (run) vs 0.05", "--allow-changes"));
        cs.add(c("resume without a checkpoint", l("train", "--out", Files.createDirectories(tmp.resolve(
            "in/norun")).toString(), "--resume"), 2, "no checkpoint.safetensors"));
        cs.add(c("--out is a file", train("--out", text("outfile", "x").toString()), 6, "is a file"));
        cs.add(c("--out under a file", train("--out", tmp.resolve("in/outfile/run").toString()), 6, "is a file"));
        // flags, devices, memory
        cs.add(c("--device gpu", train("--device", "gpu"), 2, "device 'gpu' is not allowed"));
        cs.add(c("--device cuda without a GPU", train("--device", "cuda"), 7, "--device cuda"));
        cs.add(c("--memory-limit not a size", train("--memory-limit", "lots"), 2, "--memory-limit", "not a size"));
        cs.add(c("--memory-limit too small to train", train("--memory-limit", "1k"), 4, "out of memory",
            "smaller batch size"));
        cs.add(c("--batch-size 0", train("--batch-size", "0"), 2, "batch size must be at least 1"));
        cs.add(c("--epochs 0", train("--epochs", "0"), 2, "--epochs", "training.epochs", "at least 1"));
        cs.add(c("--lr -1", train("--lr", "-1"), 2, "--lr", "optimizer.lr"));
        cs.add(c("--set unknown key", train("--set", "training.epoch=2"), 2, "did you mean"));
        cs.add(c("unknown option", train("--epocs", "2"), 2, "--epocs"));
        cs.add(c("eval --batch-size 0", l("eval", best.toString(), "--batch-size", "0"), 2,
            "--batch-size must be at least 1"));
        return cs;
    }

    @TestFactory
    Stream<DynamicTest> everyBadInputIsRefusedClearly() throws IOException {
        return cases().stream().map(k -> DynamicTest.dynamicTest(k.name(), () -> check(k)));
    }

    static void check(Case k) throws IOException {
        Path out = tmp.resolve("fresh").resolve("out" + fresh++);
        List<String> args = new ArrayList<>(k.args());
        boolean ownOut = args.contains("--out") || !args.get(0).equals("train");
        if (!ownOut) {
            args.add("--out");
            args.add(out.toString());
        }
        Cli.Result r = Cli.run(args.toArray(new String[0]));
        assertEquals(k.code(), r.code(), k.name() + "\n" + r);
        long lines = r.err().lines().filter(x -> x.startsWith("jtrain:")).count();
        assertEquals(1, lines, "exactly one jtrain: line\n" + r);
        String line = r.err().lines().filter(x -> x.startsWith("jtrain:")).findFirst().orElseThrow();
        for (String f : k.fragments()) {
            assertTrue(line.contains(f), "the message should contain '" + f + "':\n" + line);
        }
        assertFalse(r.err().contains("\tat "), "no stack trace without --verbose\n" + r);
        assertFalse(r.err().contains("this is a bug"), "a user's mistake is not a bug\n" + r);
        if (!ownOut) {
            assertFalse(Files.exists(out), "nothing written to a fresh --out: " + out);
        }
    }

    @Test
    void aFullJavaHeapIsOutOfMemoryWithAFixNotAStackTrace() throws Exception {
        Path out = tmp.resolve("fresh/heap");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx20m",
            "-cp", System.getProperty("java.class.path"), "io.jtrain.cli.Main", "train", "--device", "cpu",
            "--epochs", "1", "--out", out.toString()).redirectErrorStream(true).start();
        String all = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(4, p.exitValue(), all);
        assertTrue(all.contains("jtrain: out of memory: the Java heap is full") && all.contains("-Xmx"), all);
        assertFalse(all.contains("\tat "), all);
        assertFalse(Files.exists(out.resolve("checkpoint.safetensors")), all);
    }

    @Test
    void permissionDeniedIsSaid() throws IOException {
        Assumptions.assumeFalse("root".equals(System.getProperty("user.name")), "running as root, which reads "
            + "files whatever their permissions; the case runs for other users");
        Path p = text("locked.csv", "a,label\n1,0\n");
        assertTrue(p.toFile().setReadable(false, false));
        Cli.Result r = Cli.run(train("--data", p.toString()).toArray(new String[0]));
        assertEquals(3, r.code(), r.toString());
        assertTrue(r.err().contains("permission denied"), r.err());
    }
}
