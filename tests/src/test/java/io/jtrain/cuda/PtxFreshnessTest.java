package io.jtrain.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jtrain.e2e.TestPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The committed PTX is built from the committed .cu sources: cuda-kernels/ptx.sha256 (written by
 * build-ptx.sh) must list the SHA-256 of exactly the current sources, so a kernel edited without rebuilding
 * its PTX fails `mvn verify` on any machine; where nvcc 13.0 is installed, each .cu is also rebuilt and its
 * PTX compared byte for byte with the committed one (nvcc's output is deterministic).
 */
class PtxFreshnessTest {
    private static final Path KERNELS = TestPaths.root().resolve("cuda-kernels");
    private static final Path SOURCES = KERNELS.resolve("src/main/cuda");
    private static final Path PTX = KERNELS.resolve("src/main/resources/io/jtrain/cuda");

    @Test
    void theRecordedSourceHashesAreTheSources() throws Exception {
        Map<String, String> recorded = new TreeMap<>();
        for (String line : Files.readAllLines(KERNELS.resolve("ptx.sha256"))) {
            String[] f = line.trim().split("\\s+");
            recorded.put(f[1].replaceFirst("^\\./", ""), f[0]);
        }
        Map<String, String> now = new TreeMap<>();
        try (var s = Files.list(SOURCES)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".cu") || f.toString().endsWith(".cuh")).toList()) {
                now.put(p.getFileName().toString(), sha256(p));
            }
        }
        assertEquals(now, recorded, "a CUDA source changed without its PTX being rebuilt: run "
            + "cuda-kernels/build-ptx.sh and commit the PTX and ptx.sha256");
    }

    @Test
    void nvccRebuildsTheCommittedPtx() throws Exception {
        assumeTrue(nvcc13(), "nvcc 13.0 is not installed: the byte-for-byte rebuild is skipped");
        Path out = Files.createTempDirectory("ptx");
        try (var s = Files.list(SOURCES)) {
            for (Path cu : s.filter(f -> f.toString().endsWith(".cu")).sorted().toList()) {
                String name = cu.getFileName().toString().replace(".cu", ".ptx");
                Path built = out.resolve(name);
                Process p = new ProcessBuilder("nvcc", "-ptx", "-arch=compute_75", "-O3", "-o", built.toString(),
                    cu.toString()).redirectErrorStream(true).start();
                String log = new String(p.getInputStream().readAllBytes());
                assertEquals(0, p.waitFor(), "nvcc " + cu + ": " + log);
                String text = Files.readString(built).replaceFirst("(?m)^\\.version [0-9.]+", ".version 8.0");
                assertEquals(Files.readString(PTX.resolve(name)), text, name + " is stale: run cuda-kernels/build-ptx.sh");
            }
        }
    }

    private static boolean nvcc13() {
        try {
            Process p = new ProcessBuilder("nvcc", "--version").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes());
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 && v.contains("release 13.0");
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static String sha256(Path p) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    }
}
