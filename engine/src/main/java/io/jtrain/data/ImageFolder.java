package io.jtrain.data;

import io.jtrain.tensor.Shape;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A folder of images with one sub-folder per class ({@code DIR/cat/1.png}, {@code DIR/dog/2.jpg}); class names
 * are the sub-folder names, sorted. With sub-folders {@code train/} (required then), {@code test/} and
 * {@code val/}, each holds its own class folders, and the splits come from them. Every image goes through the
 * one decoder ({@link ImageDecoder}) to the sample shape: {@code channels} (1 grey, 3 colour) and
 * {@code [height, width]} as configured, else those of the first image; the images converted or resized are
 * counted in one line.
 */
public final class ImageFolder {
    private ImageFolder() { }

    /**
     * The sample shape wanted: 0 for "as the first image".
     *
     * @param channels 1, 3 or 0
     */
    public record Options(int channels, int height, int width) {
        public static Options auto() {
            return new Options(0, 0, 0);
        }
    }

    /** Whether {@code dir} looks like an image folder: a sub-folder that holds an image file. */
    public static boolean isImageFolder(Path dir) {
        Path root = Files.isDirectory(dir.resolve("train")) ? dir.resolve("train") : dir;
        for (Path c : subfolders(root)) {
            try (Stream<Path> s = Files.list(c)) {
                if (s.anyMatch(p -> Files.isRegularFile(p) && ImageDecoder.isImage(p))) {
                    return true;
                }
            } catch (IOException e) {
                throw DataException.reading(c, e);
            }
        }
        return false;
    }

    /** Loads the folder's splits (validation from {@code val/} when present, else carved later). */
    public static DataSplits load(Path dir, Options o, Consumer<String> notices) {
        boolean split = Files.isDirectory(dir.resolve("train"));
        Path trainDir = split ? dir.resolve("train") : dir;
        List<String> classes = new ArrayList<>();
        for (Path c : subfolders(trainDir)) {
            classes.add(c.getFileName().toString());
        }
        if (classes.size() < 2) {
            throw new DataException(trainDir + ": an image folder needs one sub-folder per class (at least two); "
                + "found " + classes.size());
        }
        Shape shape = shape(trainDir, classes, o);
        int[] converted = new int[1];
        Consumer<String> count = s -> converted[0]++;
        Dataset train = read(dir.getFileName() + "/train", trainDir, classes, shape, count);
        Dataset test = split && Files.isDirectory(dir.resolve("test"))
            ? read(dir.getFileName() + "/test", dir.resolve("test"), classes, shape, count) : null;
        Dataset val = split && Files.isDirectory(dir.resolve("val"))
            ? read(dir.getFileName() + "/val", dir.resolve("val"), classes, shape, count) : null;
        if (converted[0] > 0) {
            notices.accept(dir + ": " + converted[0] + " images converted or resized to " + shape);
        }
        return new DataSplits(train, val, test);
    }

    private static Shape shape(Path root, List<String> classes, Options o) {
        if (o.channels() > 0 && o.height() > 0) {
            return Shape.of(o.channels(), o.height(), o.width());
        }
        Path first = images(root.resolve(classes.get(0))).get(0);
        BufferedImage img = ImageDecoder.read(first);
        int c = o.channels() > 0 ? o.channels() : ImageDecoder.planes(img).length;
        int h = o.height() > 0 ? o.height() : img.getHeight();
        int w = o.width() > 0 ? o.width() : img.getWidth();
        return Shape.of(c, h, w);
    }

    private static Dataset read(String name, Path root, List<String> classes, Shape shape, Consumer<String> notices) {
        List<float[]> xs = new ArrayList<>();
        List<Integer> ys = new ArrayList<>();
        for (int k = 0; k < classes.size(); k++) {
            Path c = root.resolve(classes.get(k));
            if (!Files.isDirectory(c)) {
                continue;
            }
            for (Path p : images(c)) {
                xs.add(ImageDecoder.sample(ImageDecoder.read(p), shape, p.toString(), notices));
                ys.add(k);
            }
        }
        for (Path c : subfolders(root)) {
            if (!classes.contains(c.getFileName().toString())) {
                throw new DataException(c + ": class folder '" + c.getFileName() + "' is not among the training "
                    + "classes " + classes);
            }
        }
        if (xs.isEmpty()) {
            throw new DataException(root + ": no images (PNG, JPEG, BMP, GIF) in its class folders");
        }
        int size = (int) shape.size();
        float[] x = new float[Math.multiplyExact(xs.size(), size)];
        float[] y = new float[xs.size()];
        for (int i = 0; i < xs.size(); i++) {
            System.arraycopy(xs.get(i), 0, x, i * size, size);
            y[i] = ys.get(i);
        }
        return new Dataset(name, shape, x, y, 1, classes.size(), classes.toArray(new String[0]));
    }

    private static List<Path> subfolders(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith(".")).sorted()
                .toList();
        } catch (IOException e) {
            throw DataException.reading(dir, e);
        }
    }

    private static List<Path> images(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).filter(ImageDecoder::isImage).sorted().toList();
        } catch (IOException e) {
            throw DataException.reading(dir, e);
        }
    }
}
