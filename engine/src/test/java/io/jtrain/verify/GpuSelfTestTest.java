package io.jtrain.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jtrain.backend.Activation;
import io.jtrain.backend.Backend;
import io.jtrain.backend.cpu.CpuBackend;
import io.jtrain.backend.cuda.CudnnDecision;
import io.jtrain.tensor.CpuMemoryPool;
import io.jtrain.tensor.Tensor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The self-test's verdicts with CPU backends standing in for the GPU: it cannot pass vacuously (without
 * cuDNN the last line says "passed without cuDNN: REASON"), --require-cudnn fails without cuDNN, a GPU that
 * does not open is "no GPU", and one broken op fails the run while every other op is still reported.
 */
class GpuSelfTestTest {
    private static final CudnnDecision UNUSABLE = CudnnDecision.unusable(0, "it could not be loaded (libcudnn.so.8 "
        + "not found)");

    private static GpuSelfTest.Opened cpu(CudnnDecision d) {
        return new GpuSelfTest.Opened(CpuBackend.create(new CpuMemoryPool(1L << 30), 1), d);
    }

    @Test
    void withoutCudnnTheLastLineSaysSoAndRequireCudnnFails() {
        List<String> lines = new ArrayList<>();
        GpuSelfTest.Verdict v = new GpuSelfTest((o, c) -> cpu(UNUSABLE), lines::add, false, false).run(true, false);
        assertEquals(GpuSelfTest.Verdict.PASSED_WITHOUT_CUDNN, v, String.join("\n", lines));
        assertTrue(lines.get(lines.size() - 1).startsWith("passed without cuDNN: cuDNN not used: it could not be "
            + "loaded"), lines.get(lines.size() - 1));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("== jtrain kernels only (--cudnn off)")),
            "the --cudnn off half runs first");
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("== with cuDNN: skipped")));
        assertEquals(GpuSelfTest.Verdict.NO_GPU,
            new GpuSelfTest((o, c) -> cpu(UNUSABLE), s -> { }, false, false).run(true, true));
        assertEquals(GpuSelfTest.Verdict.PASSED,
            new GpuSelfTest((o, c) -> cpu(UNUSABLE), s -> { }, false, false).run(false, false));
    }

    @Test
    void aGpuThatDoesNotOpenIsNoGpu() {
        List<String> lines = new ArrayList<>();
        GpuSelfTest.Verdict v = new GpuSelfTest((o, c) -> {
            throw new IllegalStateException("no CUDA driver (libcuda.so.1 not found)");
        }, lines::add, false, false).run(true, false);
        assertEquals(GpuSelfTest.Verdict.NO_GPU, v);
        assertTrue(lines.get(0).contains("libcuda.so.1 not found"), lines.toString());
    }

    @Test
    void oneBrokenOpFailsTheRunAndTheOthersAreStillReported() {
        List<String> lines = new ArrayList<>();
        GpuSelfTest.Verdict v = new GpuSelfTest((o, c) -> new GpuSelfTest.Opened(brokenTanh(), UNUSABLE),
            lines::add, false, false).run(false, false);
        assertEquals(GpuSelfTest.Verdict.FAILED, v);
        String all = String.join("\n", lines);
        assertTrue(all.contains("tanh forward+backward [1]") && all.contains("MISMATCH"), all);
        assertTrue(all.contains("rmsprop 2 steps"), "later ops still ran: " + all);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("selftest FAILED")), all);
    }

    /** A CPU backend whose tanh forward returns the input unchanged. */
    private static Backend brokenTanh() {
        CpuBackend inner = CpuBackend.create(new CpuMemoryPool(1L << 30), 1);
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
            (proxy, m, args) -> {
                if (m.getName().equals("activationForward") && ((Activation) args[0]).kind() == Activation.Kind.TANH) {
                    inner.copy((Tensor) args[1], (Tensor) args[2]);
                    return null;
                }
                try {
                    return m.invoke(inner, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });
    }
}
