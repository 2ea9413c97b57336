package io.jtrain.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jtrain.TestBackends;
import io.jtrain.backend.cpu.CpuBackend;
import io.jtrain.tensor.Tensor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The op-by-op comparison behind {@code jtrain selftest} and {@code --device auto}'s start-up check: it covers
 * every op of the Backend interface, passes for two CPU backends, and names the op when one is wrong.
 */
class BackendComparisonTest {
    @Test
    void twoCpuBackendsAgreeOnEveryOp() {
        try (CpuBackend a = TestBackends.cpu(); CpuBackend b = TestBackends.cpu()) {
            List<BackendComparison.Result> rs = BackendComparison.run(a, b);
            assertTrue(rs.size() > 60, "outputs compared: " + rs.size());
            for (BackendComparison.Result r : rs) {
                assertTrue(r.ok(), r.name() + ": " + r.mismatch());
            }
            assertEquals(0, a.pool().inUseBytes());
            assertEquals(0, b.pool().inUseBytes());
        }
    }

    /** A backend whose ReLU backward forgets the mask is caught, and the op is named. */
    @Test
    void aWrongOpIsNamed() {
        try (CpuBackend a = TestBackends.cpu(); CpuBackend inner = TestBackends.cpu()) {
            Backend broken = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(),
                new Class<?>[] {Backend.class}, (proxy, m, args) -> {
                    if (m.getName().equals("activationBackward") && ((Activation) args[0]).kind() == Activation.Kind.RELU) {
                        inner.copy((Tensor) args[3], (Tensor) args[4]);
                        return null;
                    }
                    try {
                        return m.invoke(inner, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
            List<BackendComparison.Result> rs = BackendComparison.run(a, broken);
            List<BackendComparison.Result> bad = rs.stream().filter(r -> !r.ok()).toList();
            assertEquals(2, bad.size(), bad.toString());
            assertEquals("relu forward+backward [3]", bad.get(0).name());
            assertTrue(bad.get(0).mismatch().startsWith("element "), bad.get(0).mismatch());
            assertTrue(bad.get(1).name().startsWith("NaN through relu"), bad.get(1).name());
        }
    }

    /** An op that throws on the backend under test is reported as an error; every other op still runs. */
    @Test
    void anOpThatThrowsDoesNotStopTheOthers() {
        try (CpuBackend a = TestBackends.cpu(); CpuBackend inner = TestBackends.cpu()) {
            Backend failing = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(),
                new Class<?>[] {Backend.class}, (proxy, m, args) -> {
                    if (m.getName().equals("conv2dBackwardData")) {
                        throw new IllegalStateException("cudnnConvolutionBackwardData failed: CUDNN_STATUS_EXECUTION_FAILED");
                    }
                    try {
                        return m.invoke(inner, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
            List<BackendComparison.Result> all = BackendComparison.run(a, failing);
            List<BackendComparison.Result> bad = all.stream().filter(r -> !r.ok()).toList();
            assertEquals(4, bad.size(), "one per convolution case: " + bad);
            for (BackendComparison.Result r : bad) {
                assertTrue(r.name().contains("backward data"), r.name());
                assertTrue(r.mismatch().startsWith("error: cudnnConvolutionBackwardData failed"), r.mismatch());
            }
            assertTrue(all.stream().anyMatch(r -> r.name().startsWith("rmsprop") && r.ok()), "later ops still ran");
        }
    }

    @Test
    void nanAgreesOnlyWithNan() {
        assertTrue(BackendComparison.compare("x", new float[] {1f, Float.NaN}, new float[] {1f, Float.NaN}).ok());
        assertFalse(BackendComparison.compare("x", new float[] {Float.NaN}, new float[] {0f}).ok());
    }

    @Test
    void nanIsAMismatch() {
        BackendComparison.Result r = BackendComparison.compare("x", new float[] {1f, 2f}, new float[] {1f, Float.NaN});
        assertFalse(r.ok());
        assertTrue(Double.isInfinite(r.maxDiff()));
    }

    @Test
    void gpuOptionsParse() {
        assertTrue(GpuOptions.of("auto", false).cudnnAllowed());
        assertFalse(GpuOptions.of("off", true).cudnnAllowed());
        assertTrue(GpuOptions.of(null, true).deterministic());
        assertThrows(IllegalArgumentException.class, () -> GpuOptions.of("on", false));
    }
}
