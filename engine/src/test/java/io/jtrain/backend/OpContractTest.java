package io.jtrain.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jtrain.TestBackends;
import io.jtrain.backend.cuda.CudaBackend;
import io.jtrain.backend.cuda.CudnnDecision;
import io.jtrain.backend.cuda.NullCudaApi;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * One op contract: every call the contract refuses is refused by the CPU and by the CUDA backend (on the
 * fake device) with the same message, before any work is done (OpChecks).
 */
class OpContractTest {
    /** A refused call: tensors by shape, then the op on a backend. */
    private record Case(int[][] shapes, BiConsumer<Backend, Tensor[]> call) { }

    private static Map<String, Case> cases() {
        Map<String, Case> c = new LinkedHashMap<>();
        ConvSpec k3 = ConvSpec.square(3, 1, 1);
        c.put("axpy sizes", new Case(new int[][] {{5}, {6}}, (be, t) -> be.axpy(1f, t[0], t[1])));
        c.put("matmul inner", new Case(new int[][] {{3, 4}, {5, 2}, {3, 2}},
            (be, t) -> be.matmul(t[0], false, t[1], false, t[2], 0f)));
        c.put("matmul rank", new Case(new int[][] {{3, 4, 1}, {4, 2}, {3, 2}},
            (be, t) -> be.matmul(t[0], false, t[1], false, t[2], 0f)));
        c.put("row bias", new Case(new int[][] {{3, 4}, {5}}, (be, t) -> be.addRowBias(t[0], t[1])));
        c.put("conv channels", new Case(new int[][] {{2, 3, 8, 8}, {4, 2, 3, 3}, {2, 4, 8, 8}, {100000}},
            (be, t) -> be.conv2dForward(t[0], t[1], null, t[2], k3, t[3])));
        c.put("conv output", new Case(new int[][] {{2, 3, 8, 8}, {4, 3, 3, 3}, {2, 4, 6, 6}, {100000}},
            (be, t) -> be.conv2dForward(t[0], t[1], null, t[2], k3, t[3])));
        c.put("conv bias", new Case(new int[][] {{2, 3, 8, 8}, {4, 3, 3, 3}, {5}, {2, 4, 8, 8}, {100000}},
            (be, t) -> be.conv2dForward(t[0], t[1], t[2], t[3], k3, t[4])));
        c.put("conv workspace", new Case(new int[][] {{2, 3, 8, 8}, {4, 3, 3, 3}, {2, 4, 8, 8}, {10}},
            (be, t) -> be.conv2dForward(t[0], t[1], null, t[2], k3, t[3])));
        c.put("pool output", new Case(new int[][] {{2, 3, 8, 8}, {2, 3, 3, 3}},
            (be, t) -> be.maxPoolForward(t[0], t[1], ConvSpec.square(2, 2, 0))));
        c.put("batch norm channels", new Case(new int[][] {{2, 3, 4, 4}, {2, 3, 4, 4}, {3}, {3}, {3}, {3}, {4}, {3},
            {3}, {3}}, (be, t) -> be.batchNormForwardTraining(t[0], t[1], new BatchNormTensors(t[2], t[3], t[4], t[5],
                t[6], t[7], t[8], t[9]), 0.1f, 1e-5f)));
        c.put("cross-entropy target", new Case(new int[][] {{4, 3}, {5}, {4, 3}, {4}},
            (be, t) -> be.softmaxCrossEntropy(t[0], t[1], t[2], 1f, t[3])));
        c.put("cross-entropy accumulator", new Case(new int[][] {{4, 3}, {4}, {4, 3}, {2}},
            (be, t) -> be.softmaxCrossEntropy(t[0], t[1], t[2], 1f, t[3])));
        c.put("mse sizes", new Case(new int[][] {{4, 3}, {4, 2}, {4, 3}, {4}},
            (be, t) -> be.meanSquaredError(t[0], t[1], t[2], 1f, t[3])));
        c.put("sgd momentum without velocity", new Case(new int[][] {{5}, {5}},
            (be, t) -> be.sgdStep(t[0], t[1], null, new OptimizerParams(0.1f, 0.9f, 0f, 0f, 0f, false, false, 1))));
        c.put("adam sizes", new Case(new int[][] {{5}, {5}, {5}, {4}}, (be, t) -> be.adamStep(t[0], t[1], t[2], t[3],
            new OptimizerParams(0.1f, 0.9f, 0.999f, 1e-8f, 0f, false, false, 1))));
        c.put("stats output", new Case(new int[][] {{5}, {3}}, (be, t) -> be.reduceStats(t[0], t[1])));
        c.put("unit stats output", new Case(new int[][] {{2, 3, 4}, {8}}, (be, t) -> be.unitStats(t[0], 1f, -1f,
            t[1])));
        c.put("dropout sizes", new Case(new int[][] {{5}, {5}, {4}}, (be, t) -> be.dropoutForward(t[0], t[1], t[2],
            0.5f, 1L)));
        c.put("upload range", new Case(new int[][] {{5}}, (be, t) -> be.upload(new float[3], 0, t[0])));
        return c;
    }

    private static String refusal(Backend be, Case c) {
        List<Tensor> ts = new ArrayList<>();
        try {
            for (int[] s : c.shapes()) {
                ts.add(be.allocate(Shape.of(s), MemoryCategory.ACTIVATIONS));
            }
            c.call().accept(be, ts.toArray(new Tensor[0]));
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        } finally {
            ts.forEach(Tensor::close);
        }
    }

    @Test
    void cpuAndCudaRefuseTheSameCallsWithTheSameMessage() {
        try (Backend cpu = TestBackends.cpu(); Backend gpu = CudaBackend.open(new NullCudaApi(), 0, 0,
            new GpuOptions(false, false), (d, o) -> CudaBackend.CudnnChoice.off(CudnnDecision.off()))) {
            for (Map.Entry<String, Case> e : cases().entrySet()) {
                String a = refusal(cpu, e.getValue());
                String b = refusal(gpu, e.getValue());
                assertNotNull(a, e.getKey() + ": the CPU backend accepted it");
                // a workspace's size is the backend's own (im2col, oneDNN's layouts, cuDNN's algorithm): not compared
                assertEquals(a.replaceAll("the \\d+ this", "the N this"), b.replaceAll("the \\d+ this", "the N this"),
                    e.getKey() + ": both backends refuse it alike");
                assertTrue(a.contains(":"), "the message names the op: " + a);
            }
        }
    }
}
