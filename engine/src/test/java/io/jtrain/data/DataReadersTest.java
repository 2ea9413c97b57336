package io.jtrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IDX (raw, gzip, both spellings, corrupt, truncated), CIFAR-10 binary, CSV, splits and normalisation. */
class DataReadersTest {
    @TempDir
    Path dir;

    static byte[] images(int n) {
        byte[] b = new byte[n * 4];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 7);
        }
        return IdxReader.encode(new int[] {n, 2, 2}, b);
    }

    static byte[] labels(int n, int max) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i % (max + 1));
        }
        return IdxReader.encode(new int[] {n}, b);
    }

    void gz(Path p, byte[] data) throws IOException {
        try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(p))) {
            o.write(data);
        }
    }

    @Test
    void readsRawAndGzipUnderBothSpellings() throws IOException {
        gz(dir.resolve("train-images-idx3-ubyte.gz"), images(5));
        Files.write(dir.resolve("train-labels.idx1-ubyte"), labels(5, 9));
        gz(dir.resolve("t10k-images-idx3-ubyte.gz"), images(3));
        gz(dir.resolve("t10k-labels-idx1-ubyte.gz"), labels(3, 9));
        DataSplits s = ImageData.readIdxFolder("x", dir, ImageData.DIGIT_CLASSES);
        assertEquals(5, s.train().size());
        assertEquals(3, s.test().size());
        assertEquals(io.jtrain.tensor.Shape.of(1, 2, 2), s.train().sampleShape());
        assertEquals(7 / 255f, s.train().x()[1], 1e-7);
        assertArrayEquals(new float[] {0, 1, 2, 3, 4}, s.train().y());
    }

    @Test
    void corruptMagicNumberIsNamed() throws IOException {
        byte[] b = images(2);
        b[2] = 0x0d;
        Path p = dir.resolve("bad");
        Files.write(p, b);
        DataException e = assertThrows(DataException.class, () -> IdxReader.read(p));
        assertTrue(e.getMessage().contains("magic number") && e.getMessage().contains(p.toString()), e.getMessage());
    }

    @Test
    void truncatedFileIsNamed() throws IOException {
        byte[] b = images(4);
        Path p = dir.resolve("short.gz");
        gz(p, java.util.Arrays.copyOf(b, b.length - 5));
        DataException e = assertThrows(DataException.class, () -> IdxReader.read(p));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }

    @Test
    void labelOutOfRangeIsNamed() throws IOException {
        gz(dir.resolve("train-images-idx3-ubyte.gz"), images(12));
        gz(dir.resolve("train-labels-idx1-ubyte.gz"), labels(12, 11));
        gz(dir.resolve("t10k-images-idx3-ubyte.gz"), images(1));
        gz(dir.resolve("t10k-labels-idx1-ubyte.gz"), labels(1, 1));
        DataException e = assertThrows(DataException.class,
            () -> ImageData.readIdxFolder("x", dir, ImageData.DIGIT_CLASSES));
        assertTrue(e.getMessage().contains("label 10.0 of sample 10") && e.getMessage().contains("[0, 9]"),
            e.getMessage());
    }

    @Test
    void cifarBinaryBatches() throws IOException {
        byte[] rec = new byte[3073 * 2];
        rec[0] = 3;
        rec[1] = (byte) 255;
        rec[3073] = 9;
        for (String f : List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
            "data_batch_5.bin", "test_batch.bin")) {
            Files.write(dir.resolve(f), rec);
        }
        DataSplits s = ImageData.readCifar10(dir);
        assertEquals(10, s.train().size());
        assertEquals(3f, s.train().y()[0]);
        assertEquals(1f, s.train().x()[0]);
        assertEquals(io.jtrain.tensor.Shape.of(3, 32, 32), s.train().sampleShape());
        Files.write(dir.resolve("test_batch.bin"), new byte[3000]);
        assertThrows(DataException.class, () -> ImageData.readCifar10(dir));
    }

    @Test
    void csvWithHeaderAndLabelColumn() throws IOException {
        Path p = dir.resolve("t.csv");
        Files.writeString(p, "a,label,b\n1,0,2\n3,1,4\n5,2,6\n");
        Dataset d = CsvData.read(p, "label", false);
        assertEquals(3, d.numClasses());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, d.x());
        assertArrayEquals(new float[] {0, 1, 2}, d.y());
        Files.writeString(p, "a,b\n1,x\n2,0\n");
        DataException mixed = assertThrows(DataException.class, () -> CsvData.read(p, null, false));
        assertTrue(mixed.getMessage().startsWith(p + ":2:3: column 'b' holds 'x'"), mixed.getMessage());
    }

    @Test
    void splitIsSeededAndDisjointAndNormalisationUsesTrainingOnly() {
        float[] x = new float[100];
        float[] y = new float[100];
        for (int i = 0; i < 100; i++) {
            x[i] = i;
            y[i] = i % 2;
        }
        Dataset d = new Dataset("d", io.jtrain.tensor.Shape.of(1), x, y, 1, 2, new String[] {"a", "b"});
        Dataset[] a = Splits.carve(d, 0.2, 7);
        Dataset[] b = Splits.carve(d, 0.2, 7);
        assertArrayEquals(a[1].x(), b[1].x());
        assertEquals(80, a[0].size());
        assertEquals(20, a[1].size());
        java.util.Set<Float> seen = new java.util.HashSet<>();
        for (float v : a[0].x()) {
            seen.add(v);
        }
        for (float v : a[1].x()) {
            assertTrue(seen.add(v), "validation sample also in training");
        }
        Normalization n = Normalization.fit(Normalization.Mode.GLOBAL, a[0]);
        double mean = 0;
        for (float v : a[0].x()) {
            mean += v / 80.0;
        }
        assertEquals(mean, n.mean()[0], 1e-4);
        assertEquals(20, Splits.carve(d, 20, 7)[1].size(), "a count works too");
    }

    @Test
    void constantFeaturesAreCentredNotDividedByZero() {
        float[] x = {1, 5, 1, 7, 1, 9};
        Dataset d = new Dataset("d", io.jtrain.tensor.Shape.of(2), x, new float[3], 1, 1, new String[] {"a"});
        Normalization n = Normalization.fit(Normalization.Mode.PER_FEATURE, d);
        assertEquals(1, n.constantFeatures());
        Dataset out = n.applyTo(d);
        for (float v : out.x()) {
            assertTrue(Float.isFinite(v));
        }
        assertEquals(0f, out.x()[0]);
    }

    @Test
    void embeddedDataSetShipsInTheJar() {
        DataSplits s = DataLocator.embedded();
        assertEquals(6000, s.train().size());
        assertEquals(1000, s.test().size());
        long[] counts = s.train().classCounts();
        for (long c : counts) {
            assertEquals(600, c);
        }
    }

    @Test
    void missingNamedDataSetSaysWhereAndWhat() {
        DataException e = assertThrows(DataException.class, () -> DataLocator.load("mnist", dir, null, false));
        assertTrue(e.getMessage().contains(dir.resolve("mnist").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz"), e.getMessage());
    }
}
