package io.jtrain.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import io.jtrain.data.DataException;
import io.jtrain.data.DataSplits;
import io.jtrain.data.Downloader;
import io.jtrain.data.IdxReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --download against a local HTTP server on 127.0.0.1 (the public mirrors are out of reach of CI):
 * verified files are put in place, a checksum mismatch or a missing file is an error that leaves nothing
 * behind, and CIFAR-10's archive is checked by MD5 and extracted.
 */
class DownloadTest {
    @TempDir
    Path tmp;
    HttpServer server;
    final Map<String, byte[]> files = new HashMap<>();
    String base;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            byte[] body = files.get(ex.getRequestURI().getPath().substring(1));
            ex.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) {
                try (OutputStream o = ex.getResponseBody()) {
                    o.write(body);
                }
            }
            ex.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void mnistThroughTheCommandLineIsVerifiedAndUsed() throws IOException {
        Path shared = Cli.sharedData();
        assumeTrue(shared != null, "../shared/data/mnist absent: the real MNIST files are needed for their checksums");
        for (String f : List.of("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
            "t10k-labels-idx1-ubyte.gz")) {
            files.put("mnist/" + f, Files.readAllBytes(shared.resolve("mnist").resolve(f)));
        }
        Path dataDir = tmp.resolve("data");
        Cli.Result r = Cli.run("train", "--data", "mnist", "--data-dir", dataDir.toString(), "--download", "--mirror",
            base + "mnist/", "--epochs", "1", "--preset", "dlfs", "--device", "cpu", "--out",
            tmp.resolve("run").toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("verified SHA-256 of train-images-idx3-ubyte.gz"), r.err());
        assertTrue(Files.exists(dataDir.resolve("mnist/t10k-labels-idx1-ubyte.gz")));
        assertTrue(r.json().get("test").get("accuracy").asDouble() > 0.9);
    }

    @Test
    void checksumMismatchIsAnErrorAndLeavesNothing() throws IOException {
        files.put("train-images-idx3-ubyte.gz", gzip(IdxReader.encode(new int[] {1, 2, 2}, new byte[4])));
        Path dataDir = tmp.resolve("data");
        Cli.Result r = Cli.run("train", "--data", "mnist", "--data-dir", dataDir.toString(), "--download", "--mirror",
            base, "--out", tmp.resolve("run").toString());
        assertEquals(3, r.code(), r.toString());
        assertTrue(r.err().contains("SHA-256 mismatch"), r.err());
        assertFalse(Files.exists(dataDir.resolve("mnist/train-images-idx3-ubyte.gz")));
        assertFalse(Files.exists(dataDir.resolve("mnist/train-images-idx3-ubyte.gz.part")));
    }

    @Test
    void cifarArchiveIsCheckedByMd5AndExtracted() throws Exception {
        byte[] record = new byte[3073];
        record[0] = 4;
        Map<String, byte[]> members = new HashMap<>();
        for (String f : List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
            "data_batch_5.bin", "test_batch.bin", "batches.meta.txt")) {
            members.put("cifar-10-batches-bin/" + f, f.endsWith(".txt") ? "airplane\n".getBytes() : record);
        }
        members.put("../evil.bin", record);
        byte[] archive = gzip(tar(members));
        files.put("cifar-10-binary.tar.gz", archive);
        String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(archive));
        Downloader.Source src = new Downloader.Source("cifar10", List.of(base),
            List.of(new Downloader.FileSpec("cifar-10-binary.tar.gz", "MD5", md5, false)));
        Path dir = tmp.resolve("cifar10");
        new Downloader(s -> { }).download(src, dir, null);
        DataSplits s = io.jtrain.data.ImageData.readCifar10(dir);
        assertEquals(5, s.train().size());
        assertEquals(4f, s.test().y()[0]);
        assertFalse(Files.exists(tmp.resolve("evil.bin")), "no path escapes the target folder");
        Downloader.Source wrong = new Downloader.Source("cifar10", List.of(base),
            List.of(new Downloader.FileSpec("cifar-10-binary.tar.gz", "MD5", "00" + md5.substring(2), false)));
        DataException e = assertThrows(DataException.class,
            () -> new Downloader(x -> { }).download(wrong, tmp.resolve("other"), null));
        assertTrue(e.getMessage().contains("MD5 mismatch"), e.getMessage());
        Downloader.Source missing = new Downloader.Source("x", List.of(base),
            List.of(new Downloader.FileSpec("nothing.gz", "MD5", md5, false)));
        e = assertThrows(DataException.class, () -> new Downloader(x -> { }).download(missing, tmp.resolve("m"), null));
        assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
    }

    static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(bo)) {
            g.write(b);
        }
        return bo.toByteArray();
    }

    /** A minimal ustar archive. */
    static byte[] tar(Map<String, byte[]> members) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> m : members.entrySet()) {
            byte[] h = new byte[512];
            byte[] name = m.getKey().getBytes();
            System.arraycopy(name, 0, h, 0, name.length);
            byte[] size = String.format("%011o", m.getValue().length).getBytes();
            System.arraycopy(size, 0, h, 124, size.length);
            h[156] = '0';
            System.arraycopy("ustar".getBytes(), 0, h, 257, 5);
            out.write(h);
            out.write(m.getValue());
            out.write(new byte[(512 - m.getValue().length % 512) % 512]);
        }
        out.write(new byte[1024]);
        return out.toByteArray();
    }
}
