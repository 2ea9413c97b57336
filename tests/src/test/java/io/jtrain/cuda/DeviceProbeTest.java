package io.jtrain.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jtrain.backend.DeviceProbe;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Device probing on a machine without a GPU or driver (this one, and CI): the probe answers through JCuda's
 * runtime without crashing, explains why no GPU is usable, and --device cpu loads no JCuda class at all.
 */
class DeviceProbeTest {
    @TempDir
    Path tmp;

    @Test
    void probeExplainsWhyNoGpuIsUsable() {
        DeviceProbe.Result r = DeviceProbe.probe();
        assertTrue(r.reason().length() > 10, r.reason());
        if (r.devices() == 0) {
            assertFalse(r.cudaUsable());
            assertTrue(r.reason().contains("cudaGetDeviceCount") || r.reason().contains("no device")
                || r.reason().contains("could not be loaded"), r.reason());
        }
    }

    @Test
    void deviceCpuNeverLoadsJCuda() throws Exception {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-verbose:class",
            "-cp", System.getProperty("java.class.path"), "io.jtrain.cli.Main", "train", "--device", "cpu", "--preset",
            "mlp", "--epochs", "1", "--out", tmp.resolve("run").toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<String> jcuda = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.contains("jcuda.")) {
                    jcuda.add(line);
                }
            }
        }
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        assertTrue(jcuda.isEmpty(), "JCuda classes loaded with --device cpu: " + jcuda);
    }
}
