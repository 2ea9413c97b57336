package io.jtrain.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.jtrain.backend.Activation;
import io.jtrain.backend.BatchNormTensors;
import io.jtrain.backend.ConvSpec;
import io.jtrain.backend.OptimizerParams;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every kernel launch the CUDA backend makes, checked without a GPU: the backend runs on a fake device
 * with a launcher that records instead of launching, every op is called (cuDNN off), and each launch's
 * Java arguments must match the parameter list of the {@code extern "C"} kernel in cuda-kernels' .cu
 * sources, parameter by parameter (long long ↔ Long, int ↔ Integer, float ↔ Float, pointer ↔ Pointer, a
 * struct of n ints ↔ int[n]). A wrong count, order of kinds or type would otherwise only show on a GPU,
 * as garbage. Also: every kernel in the sources is launched by some op, and every launch uses a kernel
 * that exists.
 */
class CudaLaunchTest {
    private static final Path SOURCES = Path.of("..", "cuda-kernels", "src", "main", "cuda");
    private static final Map<String, List<String>> KERNELS = new TreeMap<>();
    private static final Map<String, Integer> STRUCTS = new TreeMap<>();

    @BeforeAll
    static void parseSources() throws IOException {
        Pattern kernel = Pattern.compile("extern \"C\" __global__ void (\\w+)\\(([^)]*)\\)");
        Pattern struct = Pattern.compile("struct (\\w+) \\{([^}]*)\\}");
        try (Stream<Path> files = Files.list(SOURCES)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".cu")).toList()) {
                String src = Files.readString(f);
                Matcher s = struct.matcher(src);
                while (s.find()) {
                    int ints = 0;
                    for (String decl : s.group(2).split(";")) {
                        String d = decl.replaceAll("//.*", "").trim();
                        if (d.startsWith("int ")) {
                            ints += d.split(",").length;
                        }
                    }
                    STRUCTS.put(s.group(1), ints);
                }
                Matcher m = kernel.matcher(src);
                while (m.find()) {
                    List<String> types = new ArrayList<>();
                    for (String param : m.group(2).split(",")) {
                        String p = param.trim().replaceAll("\\s+", " ");
                        types.add(p.substring(0, p.lastIndexOf(' ')).replace("const ", "").replace("__restrict__", "")
                            .trim());
                    }
                    KERNELS.put(m.group(1), types);
                }
            }
        }
        assertEquals(ptxEntries(), KERNELS.keySet(), "kernels parsed: " + KERNELS.keySet());
    }

    /** The entry names of the committed PTX: the sources and the PTX must agree. */
    private static Set<String> ptxEntries() {
        Set<String> names = new TreeSet<>();
        for (String m : Kernels.MODULES) {
            names.addAll(Kernels.entries(Kernels.ptx(m)));
        }
        return names;
    }

    private final List<String> problems = new ArrayList<>();
    private final Set<String> launched = new TreeSet<>();

    private void check(String name, int grid, Object[] args) {
        launched.add(name);
        List<String> types = KERNELS.get(name);
        if (types == null) {
            problems.add(name + ": no such kernel in the .cu sources");
            return;
        }
        if (grid < 1) {
            problems.add(name + ": grid " + grid);
        }
        if (types.size() != args.length) {
            problems.add(name + ": " + args.length + " arguments for " + types.size() + " parameters " + types);
            return;
        }
        for (int i = 0; i < args.length; i++) {
            String t = types.get(i);
            Object a = args[i];
            boolean ok = switch (t) {
                case "long long", "unsigned long long" -> a instanceof Long;
                case "int" -> a instanceof Integer;
                case "float" -> a instanceof Float;
                default -> t.endsWith("*") ? a == null || a instanceof CudaApi.DevPtr
                    : STRUCTS.containsKey(t) && a instanceof int[] s && s.length == STRUCTS.get(t);
            };
            if (!ok) {
                problems.add(name + " parameter " + i + " is " + t + " but gets "
                    + (a == null ? "null" : a instanceof int[] s ? "int[" + s.length + "]" : a.getClass().getSimpleName()));
            }
        }
    }

    /** A device that records launches and checks each against the kernel's signature. */
    private CudaApi checking() {
        return new NullCudaApi(1L << 30) {
            @Override
            public int launch(long function, String name, int gridX, int gridY, int block, long stream, Object[] args) {
                check(name, gridX, args);
                if (gridY < 1 || block != 256) {
                    problems.add(name + ": grid y " + gridY + ", block " + block);
                }
                return 0;
            }
        };
    }

    private CudaBackend open(boolean cudnn) {
        return CudaBackend.open(checking(), 0, 1L << 30, new io.jtrain.backend.GpuOptions(cudnn, false),
            (dev, o) -> new CudaBackend.CudnnChoice(CudnnDecision.check(8907, 12020, 9, 0), new NullCudnnApi()));
    }

    @Test
    void everyOpLaunchesExistingKernelsWithMatchingArguments() {
        CudaBackend be = open(false);
        CudaMemoryPool pool = (CudaMemoryPool) be.pool();
        runEveryOp(be);
        if (!problems.isEmpty()) {
            fail(String.join("\n", problems));
        }
        Set<String> unused = new TreeSet<>(KERNELS.keySet());
        unused.removeAll(launched);
        assertEquals(Set.of(), unused, "kernels that no op launches");
        assertEquals(0, pool.inUseBytes(MemoryCategory.ACTIVATIONS), "tensors released");
        be.close();
    }

    /** The op set also runs on the cuDNN path (cuDNN mocked): the kernels it still launches match too. */
    @Test
    void theCudnnPathLaunchesMatchingKernelsToo() {
        CudaBackend be = open(true);
        assertTrue(be.cudnnDecision().enabled(), be.cudnnDecision().line());
        runEveryOp(be);
        if (!problems.isEmpty()) {
            fail(String.join("\n", problems));
        }
        be.close();
    }


    @Test
    void onlyTheOwningThreadMayCallTheGpu() throws Exception {
        CudaBackend be = open(false);
        Tensor x = t(be, 10);
        Throwable[] seen = new Throwable[1];
        Thread other = new Thread(() -> {
            try {
                be.fill(x, 1f);
            } catch (Throwable e) {
                seen[0] = e;
            }
        }, "intruder");
        other.start();
        other.join();
        assertTrue(seen[0] instanceof IllegalStateException, String.valueOf(seen[0]));
        assertTrue(seen[0].getMessage().contains("thread intruder"), seen[0].getMessage());
        x.close();
        be.close();
    }


    private static Tensor t(CudaBackend be, int... dims) {
        return be.allocate(Shape.of(dims), MemoryCategory.ACTIVATIONS);
    }

    private static void runEveryOp(CudaBackend be) {
        Tensor v = t(be, 1001);
        Tensor u = t(be, 1001);
        Tensor w3 = t(be, 1001);
        be.fill(v, 1f);
        be.axpy(0.5f, v, u);
        be.scale(v, 2f);
        be.multiply(v, u, w3);
        be.clamp(v, -1f, 1f);
        be.sumSquares(v);
        be.stats(v);
        Tensor st = t(be, 8);
        be.reduceStats(v, st);
        be.clipByGlobalNorm(List.of(v, u), 1f, st);
        be.dropoutForward(v, u, w3, 0.3f, 7L);
        OptimizerParams sgd = new OptimizerParams(0.1f, 0.9f, 0f, 0f, 1e-3f, false, true, 1);
        be.sgdStep(v, u, w3, sgd);
        Tensor m4 = t(be, 1001);
        be.adamStep(v, u, w3, m4, new OptimizerParams(1e-3f, 0.9f, 0.999f, 1e-8f, 1e-2f, true, false, 3));
        be.rmspropStep(v, u, w3, new OptimizerParams(1e-3f, 0f, 0.9f, 1e-7f, 0f, false, false, 1));
        for (Activation.Kind k : Activation.Kind.values()) {
            be.activationForward(Activation.of(k), v, u);
            be.activationBackward(Activation.of(k), v, u, w3, m4);
        }
        Tensor a = t(be, 7, 5);
        Tensor b = t(be, 5);
        Tensor c = t(be, 7, 5);
        be.addRowBias(a, b);
        be.rowBiasGrad(a, b);
        be.softmaxRows(a, c);
        be.softmaxRowsBackward(c, a, c);
        Tensor labels = t(be, 7);
        be.softmaxCrossEntropy(a, labels, c, 1f / 7, st);
        be.softmaxCrossEntropy(a, c, c, 1f / 7, st);
        be.binaryCrossEntropyWithLogits(a, c, a, 0.5f, st);
        be.meanSquaredError(a, c, a, 2f, st);
        Tensor us = t(be, 4 * 5);
        be.unitStats(a, 0.9f, -0.9f, us);
        us.close();
        ConvSpec s = new ConvSpec(3, 3, 2, 1, 1, 1);
        Tensor x = t(be, 2, 3, 9, 7);
        Tensor wt = t(be, 4, 3, 3, 3);
        Tensor bias = t(be, 4);
        Tensor y = t(be, 2, 4, s.outH(9), s.outW(7));
        Tensor ws = be.allocate(Shape.of((int) be.conv2dWorkspaceElements(x.shape(), wt.shape(), s)),
            MemoryCategory.WORKSPACE);
        be.conv2dForward(x, wt, bias, y, s, ws);
        be.conv2dBackwardData(y, wt, x, s, ws);
        be.conv2dBackwardFilter(x, y, wt, bias, s, ws);
        ConvSpec p = ConvSpec.square(2, 2, 0);
        Tensor py = t(be, 2, 3, 4, 3);
        be.maxPoolForward(x, py, p);
        be.maxPoolBackward(x, py, py, x, p);
        be.avgPoolForward(x, py, p);
        be.avgPoolBackward(py, x, p);
        Tensor[] ch = new Tensor[8];
        for (int i = 0; i < ch.length; i++) {
            ch[i] = t(be, 3);
        }
        BatchNormTensors bn = new BatchNormTensors(ch[0], ch[1], ch[2], ch[3], ch[4], ch[5], ch[6], ch[7]);
        Tensor xb = t(be, 2, 3, 9, 7);
        be.batchNormForwardTraining(x, xb, bn, 0.1f, 1e-5f);
        be.batchNormForwardInference(x, xb, bn, 1e-5f);
        be.batchNormBackward(x, xb, x, bn);
        for (Tensor z : List.of(v, u, w3, m4, a, b, c, labels, x, wt, bias, y, ws, py, xb, st)) {
            z.close();
        }
        for (Tensor z : ch) {
            z.close();
        }
    }
}
