package io.jtrain.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * When cuDNN is used (GPU.md §1.3), and that the build ships JCudnn 11.7.0's native under the name JCuda
 * 12.0.0 looks for, so that loading gets as far as libcudnn.so.8 (GPU.md §1.2).
 */
class CudnnDecisionTest {
    @Test
    void acceptsCudnn89ForCuda12UpToHopper() {
        CudnnDecision d = CudnnDecision.check(8906, 12020, 9, 0);
        assertTrue(d.enabled(), d.line());
        assertTrue(d.line().startsWith("cuDNN 8.9.6 (CUDA 12.2 build)"), d.line());
        assertTrue(CudnnDecision.check(8400, 12000, 7, 5).enabled());
    }

    @Test
    void refusesOldNewWrongCudaAndBlackwell() {
        assertFalse(CudnnDecision.check(8302, 12000, 8, 0).enabled());
        assertTrue(CudnnDecision.check(8302, 12000, 8, 0).line().contains("older than 8.4"));
        assertFalse(CudnnDecision.check(9100, 12060, 8, 0).enabled());
        assertTrue(CudnnDecision.check(9100, 12060, 8, 0).line().contains("9.x"));
        CudnnDecision cuda11 = CudnnDecision.check(8906, 11080, 8, 6);
        assertFalse(cuda11.enabled());
        assertTrue(cuda11.line().contains("CUDA 11"), cuda11.line());
        CudnnDecision blackwell = CudnnDecision.check(8906, 12020, 10, 0);
        assertFalse(blackwell.enabled());
        assertTrue(blackwell.line().contains("compute capability 10.0"), blackwell.line());
        assertTrue(blackwell.line().contains("jtrain kernels serve"), blackwell.line());
    }

    @Test
    void offSaysSo() {
        CudnnDecision d = CudnnDecision.off();
        assertFalse(d.enabled());
        assertTrue(d.line().contains("--cudnn off"));
        CudnnDecision f = CudnnDecision.failedToStart(CudnnDecision.check(8906, 12020, 9, 0), "cudnnCreate failed");
        assertFalse(f.enabled());
        assertTrue(f.line().contains("failed to start") && f.line().contains("jtrain kernels serve"), f.line());
    }

    @Test
    void versionFormat() {
        assertEquals("8.9.7", CudnnDecision.format(8907));
        assertEquals("8.4.1", CudnnDecision.format(8401));
    }

    @Test
    void renamedNativeIsOnTheClassPath() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/lib/libJCudnn-12.0.0-linux-x86_64.so")) {
            assertNotNull(in, "the build must copy libJCudnn-11.7.0 to lib/libJCudnn-12.0.0-linux-x86_64.so");
            byte[] b = in.readAllBytes();
            assertEquals(0x7f, b[0]);
            assertEquals("ELF", new String(b, 1, 3, StandardCharsets.US_ASCII));
            String text = new String(b, StandardCharsets.ISO_8859_1);
            assertTrue(text.contains("libcudnn.so.8"), "NEEDED libcudnn.so.8");
            assertTrue(text.contains("Java_jcuda_jcudnn_JCudnn_cudnnGetVersionNative"));
        }
    }
}
