package io.jtrain.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cuDNN probe runs where an abort() cannot kill the training process: fake libcudnn.so.8 libraries
 * (built here with gcc) that abort or report a cuDNN 9 are probed in a child JVM; the parent survives,
 * turns cuDNN off with the reason, and caches the verdict under a key that changes with the library files.
 */
class CudnnProbeTest {
    @TempDir
    Path tmp;

    private static final CudaApi.DeviceInfo GPU = new CudaApi.DeviceInfo("fake H200", 9, 0, 141L << 30, 132);

    /** Builds a fake libcudnn.so.8 (with the symbol version JCudnn's native requires) from a C body. */
    private Path fakeCudnn(String name, String body) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.writeString(dir.resolve("fake.c"), "#include <stdlib.h>\n#include <stddef.h>\n" + body);
        Files.writeString(dir.resolve("v.map"), "libcudnn.so.8 { global: cudnn*; local: *; };\n");
        Process p;
        try {
            p = new ProcessBuilder("gcc", "-shared", "-fPIC", "-o", dir.resolve("libcudnn.so.8").toString(),
                dir.resolve("fake.c").toString(), "-Wl,-soname,libcudnn.so.8",
                "-Wl,--version-script=" + dir.resolve("v.map")).redirectErrorStream(true).start();
        } catch (IOException e) {
            return null;
        }
        String log = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("gcc failed: " + log);
        }
        return dir;
    }

    private static Map<String, String> env(Path libDir) {
        Map<String, String> env = new HashMap<>(System.getenv());
        env.put("LD_LIBRARY_PATH", libDir.toString());
        return env;
    }

    @Test
    void aCudnnThatAbortsKillsOnlyTheProbeAndTheVerdictIsCached() throws Exception {
        Path lib = fakeCudnn("abort", "size_t cudnnGetVersion(void) { abort(); return 0; }\n"
            + "size_t cudnnGetCudartVersion(void) { return 12020; }\n");
        assumeTrue(lib != null, "gcc not available");
        Path cache = tmp.resolve("cache");
        CudnnProbe.Verdict v = CudnnProbe.verdict(0, GPU, 12040, env(lib), cache);
        assertFalse(v.ok());
        assertTrue(v.reason().contains("aborted (SIGABRT) inside cuDNN"), v.reason());
        assertTrue(Files.readString(cache.resolve("cudnn-probe.json")).contains("SIGABRT"));
        CudnnProbe.Verdict again = CudnnProbe.verdict(0, GPU, 12040, env(lib), cache);
        assertEquals(v, again, "the cached verdict");
        CudnnDecision d = CudnnDecision.unusable(0, v.reason());
        assertTrue(d.line().startsWith("cuDNN not used: its probe process aborted"), d.line());
    }

    @Test
    void aCudnn9IsRefusedByTheProbeWithTheReason() throws Exception {
        Path lib = fakeCudnn("nine", "size_t cudnnGetVersion(void) { return 9100; }\n"
            + "size_t cudnnGetCudartVersion(void) { return 12040; }\n");
        assumeTrue(lib != null, "gcc not available");
        CudnnProbe.Verdict v = CudnnProbe.verdict(0, GPU, 12040, env(lib), null);
        assertFalse(v.ok());
        assertTrue(v.reason().contains("cuDNN 9.1.0 is 9.x"), v.reason());
        CudnnProbe.Verdict loads = CudnnProbe.versionsOnly(env(lib));
        assertTrue(loads.ok(), String.valueOf(loads));
        assertEquals(9100, loads.version());
    }

    @Test
    void withoutCudnnTheProbeNamesTheMissingLibrary() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        CudnnProbe.Verdict v = CudnnProbe.versionsOnly(env(empty));
        if (!v.ok()) {
            assertTrue(v.reason().contains("libcudnn.so.8 not found"), v.reason());
            assertFalse(v.reason().contains("No resource found"), v.reason());
        }
    }

    @Test
    void theCacheKeyChangesWithTheLibraryFiles() throws Exception {
        Path lib = fakeCudnn("key", "size_t cudnnGetVersion(void) { return 8907; }\n");
        assumeTrue(lib != null, "gcc not available");
        String a = CudnnProbe.key(0, GPU, 12040, env(lib));
        Files.setLastModifiedTime(lib.resolve("libcudnn.so.8"), FileTime.fromMillis(1_000_000_000L));
        String b = CudnnProbe.key(0, GPU, 12040, env(lib));
        assertNotEquals(a, b, "a changed libcudnn is probed again");
        assertNotEquals(b, CudnnProbe.key(0, GPU, 12050, env(lib)), "so is a changed driver");
        assertEquals(b, CudnnProbe.key(0, GPU, 12040, env(lib)));
    }

    @Test
    void crashesAreNamed() {
        assertTrue(CudnnProbe.parse(139, List.of("x")).reason().contains("crashed (SIGSEGV)"));
        assertTrue(CudnnProbe.parse(1, List.of()).reason().contains("exited with code 1"));
        assertTrue(CudnnProbe.parse(0, List.of("noise", CudnnProbe.OK + "8907 12020")).ok());
        assertEquals("x y", CudnnProbe.parse(0, List.of(CudnnProbe.FAIL + "x y")).reason());
    }
}
