package io.jtrain.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import jcuda.nvptxcompiler.JNvPTXCompiler;
import jcuda.nvptxcompiler.nvPTXCompilerHandle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every committed PTX file compiles with JCuda's bundled PTX compiler (ptxas 12.0, on the CPU, no CUDA
 * library needed) for sm_75, sm_80, sm_86, sm_89 and sm_90 — the PTX declares ISA 8.0, which CUDA 12.0
 * drivers accept (GPU.md §4). A kernel using a newer feature than ISA 8.0 fails here.
 */
class PtxCompileTest {
    static final List<String> ARCHS = List.of("sm_75", "sm_80", "sm_86", "sm_89", "sm_90");
    static boolean loaded;

    @BeforeAll
    static void load() {
        try {
            int[] major = new int[1];
            int[] minor = new int[1];
            JNvPTXCompiler.nvPTXCompilerGetVersion(major, minor);
            loaded = true;
        } catch (LinkageError e) {
            loaded = false;
        }
    }

    static Stream<Path> ptxFiles() throws IOException {
        Path dir = io.jtrain.e2e.TestPaths.root().resolve("cuda-kernels/src/main/resources/io/jtrain/cuda");
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".ptx")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ptxFiles")
    void compilesForEverySupportedArchitecture(Path ptx) throws IOException {
        assumeTrue(loaded, "JCuda's PTX compiler native library could not be loaded on this platform");
        String text = Files.readString(ptx);
        assertTrue(text.contains(".version 8.0"), ptx + " must declare PTX ISA 8.0 (run cuda-kernels/build-ptx.sh)");
        byte[] bytes = (text + "\0").getBytes(StandardCharsets.US_ASCII);
        for (String arch : ARCHS) {
            nvPTXCompilerHandle h = new nvPTXCompilerHandle();
            assertEquals(0, JNvPTXCompiler.nvPTXCompilerCreate(h, bytes.length, bytes), "nvPTXCompilerCreate");
            int rc = JNvPTXCompiler.nvPTXCompilerCompile(h, 1, new String[] {"--gpu-name=" + arch});
            String log = "";
            if (rc != 0) {
                long[] size = new long[1];
                JNvPTXCompiler.nvPTXCompilerGetErrorLogSize(h, size);
                byte[] b = new byte[(int) size[0]];
                JNvPTXCompiler.nvPTXCompilerGetErrorLog(h, b);
                log = new String(b, StandardCharsets.US_ASCII);
            } else {
                long[] size = new long[1];
                JNvPTXCompiler.nvPTXCompilerGetCompiledProgramSize(h, size);
                assertTrue(size[0] > 0, "empty cubin");
            }
            JNvPTXCompiler.nvPTXCompilerDestroy(h);
            assertEquals(0, rc, ptx.getFileName() + " for " + arch + ": " + log);
        }
    }
}
