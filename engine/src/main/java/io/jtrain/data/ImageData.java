package io.jtrain.data;

import io.jtrain.tensor.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Readers for image data sets: IDX pairs (MNIST, Fashion-MNIST) and CIFAR-10 binary batches. */
public final class ImageData {
    public static final String[] FASHION_CLASSES = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
        "Shirt", "Sneaker", "Bag", "Ankle boot"};
    public static final String[] DIGIT_CLASSES = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
    public static final String[] CIFAR_CLASSES = {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
        "horse", "ship", "truck"};

    private ImageData() { }

    /** Pixels scaled to [0, 1] and labels from an images/labels IDX pair. */
    public static Dataset fromIdx(String name, IdxReader.Idx images, IdxReader.Idx labels, String where,
                                  String[] classes) {
        if (images.dims().length != 3) {
            throw new DataException(where + ": image file has " + images.dims().length
                + " dimensions, expected 3 (count, rows, columns)");
        }
        if (labels.dims().length != 1) {
            throw new DataException(where + ": label file has " + labels.dims().length + " dimensions, expected 1");
        }
        if (images.count() != labels.count()) {
            throw new DataException(where + ": " + images.count() + " images but " + labels.count()
                + " labels; the two files do not belong together");
        }
        int h = images.dims()[1];
        int w = images.dims()[2];
        float[] x = toUnit(images.data());
        float[] y = new float[labels.count()];
        for (int i = 0; i < y.length; i++) {
            y[i] = labels.data()[i] & 0xff;
        }
        Dataset d = new Dataset(name, Shape.of(1, h, w), x, y, 1, classes.length, classes);
        d.checkLabels(where);
        return d;
    }

    static float[] toUnit(byte[] b) {
        float[] x = new float[b.length];
        for (int i = 0; i < b.length; i++) {
            x[i] = (b[i] & 0xff) / 255f;
        }
        return x;
    }

    /** Finds "prefix-images-idx3-ubyte" under either common spelling, raw or gzipped, or null. */
    public static Path findIdx(Path dir, String prefix, String kind, int rank) {
        for (String sep : List.of("-" + kind + "-idx" + rank + "-ubyte", "-" + kind + ".idx" + rank + "-ubyte")) {
            for (String ext : List.of("", ".gz")) {
                Path p = dir.resolve(prefix + sep + ext);
                if (Files.isRegularFile(p)) {
                    return p;
                }
            }
        }
        return null;
    }

    /** Reads the train and test IDX pairs of an MNIST-layout folder. */
    public static DataSplits readIdxFolder(String name, Path dir, String[] classes) {
        Dataset train = readPair(name + "/train", dir, "train", classes);
        Dataset test = readPair(name + "/test", dir, "t10k", classes);
        return new DataSplits(train, null, test, idxOrigin(dir, "train"), idxOrigin(dir, "t10k"), null, null);
    }

    private static DataSplits.Origin idxOrigin(Path dir, String prefix) {
        Path lab = findIdx(dir, prefix, "labels", 1);
        return i -> lab + " item " + i + " (counting from 0)";
    }

    private static Dataset readPair(String name, Path dir, String prefix, String[] classes) {
        Path img = findIdx(dir, prefix, "images", 3);
        Path lab = findIdx(dir, prefix, "labels", 1);
        if (img == null || lab == null) {
            throw new DataException(dir + ": missing " + prefix + "-images-idx3-ubyte[.gz] or " + prefix
                + "-labels-idx1-ubyte[.gz]");
        }
        return fromIdx(name, IdxReader.read(img), IdxReader.read(lab), img.getParent().toString(), classes);
    }

    /** Reads CIFAR-10 binary batches (data_batch_1..5.bin, test_batch.bin) from {@code dir}. */
    public static DataSplits readCifar10(Path dir) {
        Path base = Files.isDirectory(dir.resolve("cifar-10-batches-bin")) ? dir.resolve("cifar-10-batches-bin") : dir;
        List<String> trainFiles = List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin",
            "data_batch_4.bin", "data_batch_5.bin");
        Dataset train = readCifarFiles("cifar10/train", base, trainFiles);
        Dataset test = readCifarFiles("cifar10/test", base, List.of("test_batch.bin"));
        return new DataSplits(train, null, test, cifarOrigin(base, trainFiles), cifarOrigin(base,
            List.of("test_batch.bin")), null, null);
    }

    /** Record i of the concatenated files, by file (each holds its size / 3073 records). */
    private static DataSplits.Origin cifarOrigin(Path base, List<String> files) {
        long[] counts = files.stream().mapToLong(f -> base.resolve(f).toFile().length() / 3073).toArray();
        return i -> {
            long r = i;
            for (int k = 0; k < files.size(); k++) {
                if (r < counts[k]) {
                    return base.resolve(files.get(k)) + " record " + r + " (counting from 0)";
                }
                r -= counts[k];
            }
            return "sample " + i + " of " + base;
        };
    }

    /** One CIFAR-10 record is 1 label byte and 3072 pixel bytes (1024 R, 1024 G, 1024 B). */
    public static Dataset readCifarFiles(String name, Path base, List<String> files) {
        final int rec = 3073;
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (String f : files) {
            Path p = base.resolve(f);
            try (InputStream in = Files.newInputStream(p)) {
                byte[] b = in.readAllBytes();
                if (b.length == 0 || b.length % rec != 0) {
                    throw new DataException(p + ": " + b.length + " bytes is not a whole number of 3073-byte CIFAR-10 "
                        + "records; the file is truncated or not a CIFAR-10 binary batch");
                }
                all.write(b, 0, b.length);
            } catch (java.nio.file.NoSuchFileException e) {
                throw new DataException(p + ": file not found (expected CIFAR-10 binary batches " + files + ")");
            } catch (IOException e) {
                throw new DataException(p + ": cannot read (" + e.getMessage() + ")", e);
            }
        }
        byte[] b = all.toByteArray();
        int n = b.length / rec;
        float[] x = new float[n * 3072];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            y[i] = b[i * rec] & 0xff;
            for (int j = 0; j < 3072; j++) {
                x[i * 3072 + j] = (b[i * rec + 1 + j] & 0xff) / 255f;
            }
        }
        Dataset d = new Dataset(name, Shape.of(3, 32, 32), x, y, 1, 10, CIFAR_CLASSES);
        d.checkLabels(base.toString());
        return d;
    }
}
