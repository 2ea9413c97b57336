package io.jtrain.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import io.jtrain.util.Suggest;

/**
 * Finds data by name or path. Named data sets ({@code mnist}, {@code fashion-mnist}, {@code cifar10}) are
 * looked for in, in order: {@code --data-dir}, {@code $JTRAIN_DATA}, {@code ~/.jtrain/data/NAME/},
 * {@code /usr/share/datasets/NAME/}. {@code embedded} is the small Fashion-MNIST subset inside the jar.
 */
public final class DataLocator {
    public static final String EMBEDDED = "embedded";
    public static final List<String> NAMES = List.of(EMBEDDED, "mnist", "fashion-mnist", "cifar10");
    private static final String EMBEDDED_RESOURCE = "/io/jtrain/data/embedded/";

    private DataLocator() { }

    /** Folders searched for a named data set, in order. */
    public static List<Path> searchPath(String name, Path dataDir, String envValue) {
        List<Path> dirs = new ArrayList<>();
        if (dataDir != null) {
            dirs.add(dataDir.resolve(name));
        }
        if (envValue != null && !envValue.isBlank()) {
            dirs.add(Path.of(envValue).resolve(name));
        }
        dirs.add(Path.of(System.getProperty("user.home"), ".jtrain", "data", name));
        dirs.add(Path.of("/usr/share/datasets", name));
        return dirs;
    }

    /**
     * Whether and from where to download a missing named data set.
     *
     * @param mirror a base URL tried before the canonical mirrors (null for none)
     */
    public record Download(boolean enabled, String mirror, java.util.function.Consumer<String> log) {
        public static Download off() {
            return new Download(false, null, s -> { });
        }
    }

    /** Loads a named data set or a path (IDX folder, CIFAR-10 folder, or CSV file). */
    public static DataSplits load(String nameOrPath, Path dataDir, String labelColumn, boolean regression) {
        return load(nameOrPath, dataDir, labelColumn, regression, Download.off());
    }

    /** As {@link #load(String, Path, String, boolean)} with CSV options; non-finite values are refused. */
    public static DataSplits load(String nameOrPath, Path dataDir, CsvData.Options csv) {
        DataSplits s = loadLenient(nameOrPath, dataDir, csv, Download.off(), ImageFolder.Options.auto());
        if (s.nonFinite() != null) {
            throw new DataException(s.nonFinite().message());
        }
        return s;
    }

    /** As {@link #load(String, Path, String, boolean)}, downloading a missing named data set when asked. */
    public static DataSplits load(String nameOrPath, Path dataDir, String labelColumn, boolean regression,
                                  Download download) {
        DataSplits s = loadLenient(nameOrPath, dataDir, labelColumn, regression, download);
        if (s.nonFinite() != null) {
            throw new DataException(s.nonFinite().message());
        }
        return s;
    }

    /**
     * As {@link #load(String, Path, String, boolean, Download)}, but non-finite input values are kept and
     * reported in {@link DataSplits#nonFinite()} (for the doctor) instead of refused.
     */
    public static DataSplits loadLenient(String nameOrPath, Path dataDir, String labelColumn, boolean regression,
                                         Download download) {
        return loadLenient(nameOrPath, dataDir, labelColumn, regression, download, ImageFolder.Options.auto());
    }

    /** As {@link #loadLenient(String, Path, String, boolean, Download)}, with the sample shape of image folders. */
    public static DataSplits loadLenient(String nameOrPath, Path dataDir, String labelColumn, boolean regression,
                                         Download download, ImageFolder.Options images) {
        return loadLenient(nameOrPath, dataDir, CsvData.Options.of(labelColumn, regression), download, images);
    }

    /** As {@link #loadLenient(String, Path, String, boolean, Download, ImageFolder.Options)}, with CSV options. */
    public static DataSplits loadLenient(String nameOrPath, Path dataDir, CsvData.Options csv, Download download,
                                         ImageFolder.Options images) {
        if (nameOrPath.equals(EMBEDDED)) {
            return embedded();
        }
        if (NAMES.contains(nameOrPath)) {
            List<Path> dirs = searchPath(nameOrPath, dataDir, System.getenv("JTRAIN_DATA"));
            for (Path d : dirs) {
                if (present(nameOrPath, d)) {
                    return loadFolder(nameOrPath, d);
                }
            }
            if (download.enabled()) {
                new Downloader(download.log()).download(Downloader.SOURCES.get(nameOrPath), dirs.get(0),
                    download.mirror());
                return loadFolder(nameOrPath, dirs.get(0));
            }
            throw new DataException(missingMessage(nameOrPath, dirs));
        }
        Path p = Path.of(nameOrPath);
        if (p.toString().toLowerCase(java.util.Locale.ROOT).endsWith(".csv")) {
            return CsvData.load(p, csv).splits();
        }
        if (Files.isDirectory(p)) {
            if (ImageData.findIdx(p, "train", "images", 3) != null) {
                return ImageData.readIdxFolder(p.getFileName().toString(), p, ImageData.DIGIT_CLASSES);
            }
            if (Files.exists(p.resolve("data_batch_1.bin")) || Files.isDirectory(p.resolve("cifar-10-batches-bin"))) {
                return ImageData.readCifar10(p);
            }
            if (ImageFolder.isImageFolder(p)) {
                return ImageFolder.load(p, images, download.log());
            }
            throw new DataException(p + ": is a folder but holds neither train-images-idx3-ubyte[.gz] and "
                + "train-labels-idx1-ubyte[.gz] (IDX), nor data_batch_1.bin ... test_batch.bin (CIFAR-10), nor one "
                + "sub-folder of images per class (an image folder)");
        }
        if (Files.isRegularFile(p)) {
            throw new DataException(p + ": is a file, but only CSV files (ending in .csv) are data files; IDX and "
                + "CIFAR-10 data are given as the folder that holds them");
        }
        if (!Files.exists(p) && (nameOrPath.contains("/") || nameOrPath.contains("."))) {
            throw new DataException(p + ": no such file or folder");
        }
        throw new DataException("data '" + nameOrPath + "' is neither a known data set (" + String.join(", ", NAMES)
            + ") nor an existing CSV file or folder" + Suggest.didYouMean(nameOrPath, NAMES));
    }

    static boolean present(String name, Path dir) {
        if (name.equals("cifar10")) {
            return Files.exists(dir.resolve("data_batch_1.bin")) || Files.isDirectory(dir.resolve("cifar-10-batches-bin"));
        }
        return ImageData.findIdx(dir, "train", "images", 3) != null;
    }

    static DataSplits loadFolder(String name, Path dir) {
        return switch (name) {
            case "cifar10" -> ImageData.readCifar10(dir);
            case "fashion-mnist" -> ImageData.readIdxFolder(name, dir, ImageData.FASHION_CLASSES);
            default -> ImageData.readIdxFolder(name, dir, ImageData.DIGIT_CLASSES);
        };
    }

    /** The error for a missing named data set: where it was looked for, which files to put where, --download. */
    static String missingMessage(String name, List<Path> dirs) {
        String files = name.equals("cifar10")
            ? "data_batch_1.bin ... data_batch_5.bin and test_batch.bin (the CIFAR-10 binary version)"
            : "train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, "
              + "t10k-labels-idx1-ubyte.gz";
        StringBuilder sb = new StringBuilder("data set '" + name + "' not found; looked in ");
        for (int i = 0; i < dirs.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(dirs.get(i));
        }
        sb.append(". Put ").append(files).append(" in ").append(dirs.get(0))
          .append(", or run again with --download");
        return sb.toString();
    }

    /** The small Fashion-MNIST subset shipped in the jar (see NOTICE). */
    public static DataSplits embedded() {
        Dataset train = embeddedPair("embedded/train", "train");
        Dataset test = embeddedPair("embedded/test", "t10k");
        return new DataSplits(train, null, test);
    }

    private static Dataset embeddedPair(String name, String prefix) {
        try {
            IdxReader.Idx img = readResource(prefix + "-images-idx3-ubyte.gz");
            IdxReader.Idx lab = readResource(prefix + "-labels-idx1-ubyte.gz");
            return ImageData.fromIdx(name, img, lab, "embedded data set", ImageData.FASHION_CLASSES);
        } catch (IOException e) {
            throw new DataException("embedded data set: cannot read (" + e.getMessage() + ")", e);
        }
    }

    private static IdxReader.Idx readResource(String file) throws IOException {
        InputStream raw = DataLocator.class.getResourceAsStream(EMBEDDED_RESOURCE + file);
        if (raw == null) {
            throw new DataException("embedded data set: resource " + file + " is missing from the jar");
        }
        try (InputStream in = new GZIPInputStream(raw)) {
            return IdxReader.read(in, "embedded:" + file);
        }
    }
}
