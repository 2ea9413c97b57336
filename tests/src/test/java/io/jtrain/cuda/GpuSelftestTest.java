package io.jtrain.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jtrain.backend.DeviceProbe;
import io.jtrain.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code mvn verify -Pgpu}: runs jtrain selftest --device cuda; skipped (saying why) without a GPU. */
@Tag("gpu")
class GpuSelftestTest {
    @Test
    void selftestPassesOnTheGpu() {
        DeviceProbe.Result r = DeviceProbe.probe();
        assumeTrue(r.devices() > 0, "no GPU: " + r.reason());
        StringWriter out = new StringWriter();
        int code = Main.run(new String[] {"selftest", "--device", "cuda"}, new PrintWriter(out, true),
            new PrintWriter(System.err, true));
        System.out.println(out);
        assertEquals(0, code, out.toString());
    }
}
