package io.jtrain.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * Fetches the named data sets from their canonical public mirrors and verifies every file before it is
 * put in place: MNIST and Fashion-MNIST by the SHA-256 of each uncompressed IDX file, CIFAR-10 by the
 * publisher's MD5 of the archive (all it publishes), after which the six binary batches are extracted.
 * Downloads go to a temporary file and are renamed into place only once verified.
 */
public final class Downloader {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
        .followRedirects(HttpClient.Redirect.NORMAL).build();
    private final Consumer<String> log;

    /** One file: its name, the digest algorithm, the expected hex digest, and whether it covers the gunzipped bytes. */
    public record FileSpec(String name, String algorithm, String digest, boolean ofUncompressed) { }

    /** A data set: mirrors tried in order, and its files. */
    public record Source(String name, List<String> mirrors, List<FileSpec> files) { }

    public static final Map<String, Source> SOURCES = Map.of(
        "mnist", new Source("mnist", List.of("https://ossci-datasets.s3.amazonaws.com/mnist/",
            "http://yann.lecun.com/exdb/mnist/"), List.of(
            new FileSpec("train-images-idx3-ubyte.gz", "SHA-256",
                "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", true),
            new FileSpec("train-labels-idx1-ubyte.gz", "SHA-256",
                "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", true),
            new FileSpec("t10k-images-idx3-ubyte.gz", "SHA-256",
                "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", true),
            new FileSpec("t10k-labels-idx1-ubyte.gz", "SHA-256",
                "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", true))),
        "fashion-mnist", new Source("fashion-mnist",
            List.of("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"), List.of(
            new FileSpec("train-images-idx3-ubyte.gz", "SHA-256",
                "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", true),
            new FileSpec("train-labels-idx1-ubyte.gz", "SHA-256",
                "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9", true),
            new FileSpec("t10k-images-idx3-ubyte.gz", "SHA-256",
                "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b", true),
            new FileSpec("t10k-labels-idx1-ubyte.gz", "SHA-256",
                "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34", true))),
        "cifar10", new Source("cifar10", List.of("https://www.cs.toronto.edu/~kriz/"), List.of(
            new FileSpec("cifar-10-binary.tar.gz", "MD5", "c32a1d4ab5d03f1284b67883e8d87530", false))));

    public Downloader(Consumer<String> log) {
        this.log = log;
    }

    /** Downloads {@code source} into {@code dir}; {@code mirror} (may be null) is tried before the defaults. */
    public void download(Source source, Path dir, String mirror) {
        List<String> mirrors = new ArrayList<>();
        if (mirror != null) {
            mirrors.add(mirror.endsWith("/") ? mirror : mirror + "/");
        }
        mirrors.addAll(source.mirrors());
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new io.jtrain.util.OutputException("cannot create " + dir + " (" + e.getMessage() + ")", e);
        }
        for (FileSpec f : source.files()) {
            Path target = dir.resolve(f.name());
            if (Files.exists(target) && verify(target, f) == null) {
                log.accept(source.name() + ": " + f.name() + " already present and verified");
                continue;
            }
            fetch(f, mirrors, target);
            if (f.name().endsWith(".tar.gz")) {
                Tar.extract(target, dir, name -> name.endsWith(".bin") || name.endsWith(".txt"));
            }
        }
    }

    private void fetch(FileSpec f, List<String> mirrors, Path target) {
        List<String> failures = new ArrayList<>();
        for (String m : mirrors) {
            String url = m + f.name();
            Path part = target.resolveSibling(f.name() + ".part");
            try {
                log.accept("downloading " + url);
                HttpResponse<Path> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(10))
                    .GET().build(), HttpResponse.BodyHandlers.ofFile(part));
                if (r.statusCode() != 200) {
                    failures.add(url + ": HTTP " + r.statusCode());
                    continue;
                }
                String bad = verify(part, f);
                if (bad != null) {
                    failures.add(url + ": " + bad);
                    continue;
                }
                Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                log.accept("verified " + f.algorithm() + " of " + f.name());
                return;
            } catch (IOException | IllegalArgumentException e) {
                failures.add(url + ": " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " "
                    + e.getMessage()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DataException("download of " + url + " interrupted");
            } finally {
                try {
                    Files.deleteIfExists(part);
                } catch (IOException ignored) {
                    // nothing verified was left behind
                }
            }
        }
        throw new DataException("could not download " + f.name() + ": " + String.join("; ", failures)
            + ". Download it by hand and put it in " + target.getParent());
    }

    /** Null when the file matches its digest, else what is wrong. */
    static String verify(Path file, FileSpec f) {
        try (InputStream raw = Files.newInputStream(file);
             InputStream in = f.ofUncompressed() ? new GZIPInputStream(raw, 1 << 16) : raw) {
            MessageDigest md = MessageDigest.getInstance(f.algorithm());
            try (DigestInputStream d = new DigestInputStream(in, md); OutputStream sink = OutputStream.nullOutputStream()) {
                d.transferTo(sink);
            }
            String got = HexFormat.of().formatHex(md.digest());
            return got.equalsIgnoreCase(f.digest()) ? null : f.algorithm() + " mismatch (expected "
                + f.digest().toLowerCase(Locale.ROOT) + ", got " + got + ")";
        } catch (IOException e) {
            return "unreadable or not gzip (" + e.getMessage() + ")";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
