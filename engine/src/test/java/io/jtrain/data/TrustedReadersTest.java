package io.jtrain.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jtrain.tensor.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The readers refuse what they cannot trust: a gzip stream with a wrong CRC or trailing garbage, an IDX
 * header that claims more than the file holds (before allocating it), non-finite CSV cells (with
 * file:line:column), and report the file row of a label.
 */
class TrustedReadersTest {
    @TempDir
    Path dir;

    static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (OutputStream o = new GZIPOutputStream(b)) {
            o.write(data);
        }
        return b.toByteArray();
    }

    static byte[] images(int n) {
        byte[] b = new byte[n * 4];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) i;
        }
        return IdxReader.encode(new int[] {n, 2, 2}, b);
    }

    @Test
    void aWrongGzipCrcIsRefused() throws IOException {
        byte[] gz = gzip(images(3));
        gz[gz.length - 8] ^= 0x5a;          // the CRC-32 of the trailer
        Path p = Files.write(dir.resolve("crc-idx3-ubyte.gz"), gz);
        DataException e = assertThrows(DataException.class, () -> IdxReader.read(p));
        assertTrue(e.getMessage().contains("corrupt gzip") && e.getMessage().contains(p.toString()), e.getMessage());
    }

    @Test
    void aWrongGzipLengthIsRefused() throws IOException {
        byte[] gz = gzip(images(3));
        gz[gz.length - 4] ^= 0x01;          // ISIZE of the trailer
        Path p = Files.write(dir.resolve("isize.gz"), gz);
        assertThrows(DataException.class, () -> IdxReader.read(p));
    }

    @Test
    void bytesBeyondTheHeadersPromiseAreRefused() throws IOException {
        byte[] b = images(2);
        byte[] longer = java.util.Arrays.copyOf(b, b.length + 3);
        Path p = Files.write(dir.resolve("long-idx3-ubyte"), longer);
        DataException e = assertThrows(DataException.class, () -> IdxReader.read(p));
        assertTrue(e.getMessage().contains("more bytes than its header promises"), e.getMessage());
    }

    @Test
    void aHugeClaimedCountIsRefusedWithoutAllocatingIt() throws IOException {
        ByteBuffer h = ByteBuffer.allocate(16 + 100);
        h.putInt(0x00000803).putInt(2_000_000_000).putInt(1).putInt(1);
        Path raw = Files.write(dir.resolve("huge-idx3-ubyte"), h.array());
        Path gz = Files.write(dir.resolve("huge-idx3-ubyte.gz"), gzip(h.array()));
        long before = usedHeap();
        for (Path p : List.of(raw, gz)) {
            DataException e = assertThrows(DataException.class, () -> IdxReader.read(p));
            assertTrue(e.getMessage().contains("truncated") && e.getMessage().contains("2000000000"), e.getMessage());
        }
        assertTrue(usedHeap() - before < 512L << 20, "no 2 GB array was allocated");
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    @Test
    void nonFiniteCsvCellsAreRefusedWithFileLineAndColumn() throws IOException {
        Path p = Files.writeString(dir.resolve("nan.csv"), "a,b,label\n1,2,0\n\n3,,1\n5,nan,0\n");
        DataException e = assertThrows(DataException.class, () -> CsvData.read(p, null, false));
        assertTrue(e.getMessage().startsWith(p + ":4:3: column 'b' holds ''"), e.getMessage());
        assertTrue(e.getMessage().contains("2 non-finite values"), e.getMessage());
        CsvData.Loaded l = CsvData.load(p, null, false);
        assertEquals(2, l.nonFinite().count());
        assertTrue(Float.isNaN(l.data().x()[3]));
        assertEquals(p + ":4", l.origin().of(1), "the origin counts the blank line");
        DataException viaLocator = assertThrows(DataException.class, () -> DataLocator.load(p.toString(), null,
            null, false));
        assertTrue(viaLocator.getMessage().contains(":4:3"), viaLocator.getMessage());
        assertEquals(2, DataLocator.loadLenient(p.toString(), null, null, false, DataLocator.Download.off())
            .nonFinite().count());
    }

    @Test
    void infinityIsNonFiniteToo() throws IOException {
        Path p = Files.writeString(dir.resolve("inf.csv"), "a,label\ninf,0\n");
        assertThrows(DataException.class, () -> CsvData.read(p, null, false));
    }

    @Test
    void aByteOrderMarkAndQuotedCellsAreRead() throws IOException {
        Path p = Files.writeString(dir.resolve("bom.csv"), "\uFEFF\"a\",\"b, c\",label\n1,\"2\",1\n");
        Dataset d = CsvData.read(p, "label", false);
        assertArrayEquals(new float[] {1, 2}, d.x());
        assertArrayEquals(new String[] {"a", "b, c"}, CsvData.load(p, null, false).features());
    }

    @Test
    void csvMessagesSayWhatIsWrong() throws IOException {
        Path missing = dir.resolve("missing.csv");
        assertTrue(assertThrows(DataException.class, () -> DataLocator.load(missing.toString(), null, null, false))
            .getMessage().contains("file not found"));
        Path folder = Files.createDirectories(dir.resolve("folder.csv"));
        assertTrue(assertThrows(DataException.class, () -> CsvData.read(folder, null, false)).getMessage()
            .contains("is a directory"));
        Path bad = Files.writeString(dir.resolve("bad.csv"), "a,label\n1,0\nx,1\n");
        assertTrue(assertThrows(DataException.class, () -> CsvData.read(bad, null, false)).getMessage()
            .startsWith(bad + ":3:1: column 'a' holds 'x'"));
        Path label = Files.writeString(dir.resolve("label.csv"), "a,label\n1,0\n2,0.5\n");
        assertTrue(assertThrows(DataException.class, () -> CsvData.read(label, null, false)).getMessage()
            .startsWith(label + ":3: label 0.5"));
    }

    @Test
    void aFolderThatHoldsNoDataSetSaysSo() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        DataException e = assertThrows(DataException.class, () -> DataLocator.load(empty.toString(), null, null,
            false));
        assertTrue(e.getMessage().contains("is a folder but holds neither"), e.getMessage());
        Path file = Files.write(dir.resolve("train-images-idx3-ubyte"), images(1));
        assertTrue(assertThrows(DataException.class, () -> DataLocator.load(file.toString(), null, null, false))
            .getMessage().contains("given as the folder that holds them"));
        assertTrue(assertThrows(DataException.class, () -> DataLocator.load("mnsit", null, null, false))
            .getMessage().contains("did you mean 'mnist'"));
    }

    @Test
    void idxSamplesMustHaveTheModelsShape() throws IOException {
        Path p28 = Files.write(dir.resolve("a-idx3-ubyte"), IdxReader.encode(new int[] {2, 28, 28}, new byte[1568]));
        assertEquals(2, SampleFiles.read(p28, Shape.of(1, 28, 28), null, s -> { }).length);
        Path p32 = Files.write(dir.resolve("b-idx3-ubyte"), IdxReader.encode(new int[] {2, 32, 32}, new byte[2048]));
        DataException e = assertThrows(DataException.class, () -> SampleFiles.read(p32, Shape.of(1, 28, 28), null,
            s -> { }));
        assertTrue(e.getMessage().contains("[32, 32]") && e.getMessage().contains("[1, 28, 28]"), e.getMessage());
        Path labels = Files.write(dir.resolve("c-idx1-ubyte"), IdxReader.encode(new int[] {784}, new byte[784]));
        assertTrue(assertThrows(DataException.class, () -> SampleFiles.read(labels, Shape.of(1, 28, 28), null,
            s -> { })).getMessage().contains("label file"));
    }

    @Test
    void csvFeaturesArePickedByTheModelsColumnNames() throws IOException {
        Path p = Files.writeString(dir.resolve("rows.csv"), "y,b,a\n0,2,1\n1,4,3\n");
        List<String> notes = new ArrayList<>();
        float[][] x = SampleFiles.read(p, Shape.of(2), new String[] {"a", "b"}, notes::add);
        assertArrayEquals(new float[] {1, 2}, x[0]);
        assertArrayEquals(new float[] {3, 4}, x[1]);
        assertTrue(notes.get(0).contains("ignoring column(s) y"), notes.toString());
        DataException e = assertThrows(DataException.class, () -> SampleFiles.read(p, Shape.of(2),
            new String[] {"a", "z"}, s -> { }));
        assertTrue(e.getMessage().contains("no column(s) named z"), e.getMessage());
        Path unnamed = Files.writeString(dir.resolve("unnamed.csv"), "f1,f2,label\n1,2,0\n");
        assertTrue(assertThrows(DataException.class, () -> SampleFiles.read(unnamed, Shape.of(2), null, s -> { }))
            .getMessage().contains("remove the label column"));
        Path nan = Files.writeString(dir.resolve("nan.csv"), "a,b\n1,\n");
        assertTrue(assertThrows(DataException.class, () -> SampleFiles.read(nan, Shape.of(2), null, s -> { }))
            .getMessage().contains(":2:3"));
    }

    @Test
    void idxOriginsNameTheLabelFileItem() throws IOException {
        Files.write(dir.resolve("train-images-idx3-ubyte"), images(3));
        Files.write(dir.resolve("train-labels-idx1-ubyte"), IdxReader.encode(new int[] {3}, new byte[] {0, 1, 2}));
        Files.write(dir.resolve("t10k-images-idx3-ubyte"), images(1));
        Files.write(dir.resolve("t10k-labels-idx1-ubyte"), IdxReader.encode(new int[] {1}, new byte[] {0}));
        DataSplits s = ImageData.readIdxFolder("x", dir, ImageData.DIGIT_CLASSES);
        assertTrue(s.trainOrigin().of(2).endsWith("train-labels-idx1-ubyte item 2 (counting from 0)"));
        assertNull(s.nonFinite());
    }
}
