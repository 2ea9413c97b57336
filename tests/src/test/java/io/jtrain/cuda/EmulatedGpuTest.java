package io.jtrain.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jtrain.backend.BackendComparison;
import io.jtrain.backend.ConvSpec;
import io.jtrain.backend.GpuOptions;
import io.jtrain.backend.cpu.CpuBackend;
import io.jtrain.backend.cuda.CudaBackend;
import io.jtrain.backend.cuda.CudnnDecision;
import io.jtrain.e2e.TestPaths;
import io.jtrain.tensor.CpuMemoryPool;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import io.jtrain.verify.GpuSelfTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The CUDA backend — host code, kernel launches, cuBLAS mappings and our kernels' sources — running on the
 * emulated device ({@link EmulatedCudaApi}: the .cu files compiled with g++ against the emulation of the
 * execution model) and compared with the CPU backend: every op of {@link BackendComparison}, the chunked
 * convolution, and the whole self-test with its 20-step training comparisons and copy counts. Every kernel
 * of the PTX must have been launched by some test here.
 */
class EmulatedGpuTest {
    static Path harness;
    static CpuBackend cpu;
    static final Set<String> LAUNCHED = new TreeSet<>();

    @BeforeAll
    static void build() throws Exception {
        harness = EmulatedCudaApi.build(TestPaths.root());
        cpu = CpuBackend.create(new CpuMemoryPool(2L << 30), 1);
    }

    @AfterAll
    static void everyKernelRan() throws Exception {
        cpu.close();
        if (harness == null) {
            return;
        }
        try (EmulatedCudaApi api = EmulatedCudaApi.start(harness, 1L << 30)) {
            Set<String> kernels = api.registered();
            assertEquals(ptxEntries(), kernels, "the harness registers exactly the PTX's kernels");
            Set<String> missing = new TreeSet<>(kernels);
            missing.removeAll(LAUNCHED);
            assertEquals(Set.of(), missing, "kernels no emulated test launched");
        }
    }

    static Set<String> ptxEntries() throws Exception {
        Set<String> names = new TreeSet<>();
        Path dir = TestPaths.root().resolve("cuda-kernels/src/main/resources/io/jtrain/cuda");
        try (var s = java.nio.file.Files.list(dir)) {
            for (Path p : s.filter(f -> f.toString().endsWith(".ptx")).toList()) {
                java.nio.file.Files.readString(p).lines().map(String::trim).filter(l -> l.startsWith(".visible .entry "))
                    .map(l -> l.substring(16).replaceAll("\\(.*", "").trim()).forEach(names::add);
            }
        }
        return names;
    }

    private static CudaBackend open(EmulatedCudaApi api) {
        return CudaBackend.open(api, 0, 1L << 30, new GpuOptions(false, false),
            (dev, o) -> CudaBackend.CudnnChoice.off(CudnnDecision.off()));
    }

    @Test
    void everyOpAgreesWithTheCpu() throws Exception {
        assumeTrue(harness != null, "g++ not available: the emulated device cannot be built");
        try (EmulatedCudaApi api = EmulatedCudaApi.start(harness, 1L << 30); CudaBackend gpu = open(api)) {
            List<BackendComparison.Result> rs = BackendComparison.run(cpu, gpu);
            List<String> bad = new ArrayList<>();
            for (BackendComparison.Result r : rs) {
                if (!r.ok()) {
                    bad.add(r.name() + ": " + r.mismatch());
                }
            }
            assertEquals(List.of(), bad);
            assertTrue(rs.size() > 90, "outputs compared: " + rs.size());
            LAUNCHED.addAll(api.launched());
        }
    }

    /** A convolution whose batch does not fit the workspace cap runs in chunks and still agrees. */
    @Test
    void chunkedConvolutionAgrees() throws Exception {
        assumeTrue(harness != null, "g++ not available: the emulated device cannot be built");
        System.setProperty("jtrain.cuda.convWorkspaceCap", Long.toString(4L * 3 * (3 * 9 + 4) * 63));
        try (EmulatedCudaApi api = EmulatedCudaApi.start(harness, 1L << 30); CudaBackend gpu = open(api)) {
            ConvSpec s = ConvSpec.square(3, 1, 1);
            Shape xs = Shape.of(7, 3, 9, 7);
            Shape ws = Shape.of(4, 3, 3, 3);
            Shape ys = Shape.of(7, 4, 9, 7);
            long wsElems = gpu.conv2dWorkspaceElements(xs, ws, s);
            assertEquals(3L * (27 + 4) * 63, wsElems, "3 samples per chunk: 3 chunks for 7 samples");
            float[][] ref = convAll(cpu, xs, ws, ys, s);
            float[][] got = convAll(gpu, xs, ws, ys, s);
            String[] what = {"forward", "backward data", "backward filter", "bias gradient"};
            for (int i = 0; i < ref.length; i++) {
                BackendComparison.Result r = BackendComparison.compare("chunked " + what[i], ref[i], got[i]);
                assertTrue(r.ok(), r.name() + ": " + r.mismatch());
            }
            LAUNCHED.addAll(api.launched());
        } finally {
            System.clearProperty("jtrain.cuda.convWorkspaceCap");
        }
    }

    private static float[][] convAll(io.jtrain.backend.Backend be, Shape xs, Shape wsh, Shape ys, ConvSpec s) {
        SplittableRandom r = new SplittableRandom(5);
        List<Tensor> ts = new ArrayList<>();
        java.util.function.Function<Shape, Tensor> t = sh -> {
            Tensor x = be.allocate(sh, MemoryCategory.ACTIVATIONS);
            float[] v = new float[(int) sh.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (r.nextDouble() * 2 - 1);
            }
            be.upload(v, 0, x);
            ts.add(x);
            return x;
        };
        try {
            Tensor x = t.apply(xs);
            Tensor w = t.apply(wsh);
            Tensor b = t.apply(Shape.of(wsh.dim(0)));
            Tensor y = t.apply(ys);
            Tensor dx = t.apply(xs);
            Tensor dw = t.apply(wsh);
            Tensor db = t.apply(Shape.of(wsh.dim(0)));
            Tensor ws = be.allocate(Shape.of((int) be.conv2dWorkspaceElements(xs, wsh, s)), MemoryCategory.WORKSPACE);
            ts.add(ws);
            be.conv2dForward(x, w, b, y, s, ws);
            float[] fy = get(be, y);
            be.conv2dBackwardData(y, w, dx, s, ws);
            be.conv2dBackwardFilter(x, y, dw, db, s, ws);
            return new float[][] {fy, get(be, dx), get(be, dw), get(be, db)};
        } finally {
            ts.forEach(Tensor::close);
        }
    }

    private static float[] get(io.jtrain.backend.Backend be, Tensor t) {
        float[] a = new float[(int) t.size()];
        be.download(t, a, 0);
        return a;
    }

    /**
     * The whole self-test on the emulated device: jtrain's kernels agree op by op and over 20 training steps
     * of lenet5 and cnn-bn with 2 uploads and 1 download per step; cuDNN is not there, so the verdict is
     * "passed without cuDNN" with the reason, never a plain "passed".
     */
    @Test
    void theSelfTestPassesWithoutCudnnAndSaysSo() throws Exception {
        assumeTrue(harness != null, "g++ not available: the emulated device cannot be built");
        List<EmulatedCudaApi> apis = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        GpuSelfTest.Opener opener = (opts, capacity) -> {
            try {
                EmulatedCudaApi api = EmulatedCudaApi.start(harness, 1L << 30);
                apis.add(api);
                CudaBackend be = CudaBackend.open(api, 0, 1L << 30, opts, (dev, o) -> CudaBackend.CudnnChoice.off(
                    CudnnDecision.unusable(0, "it could not be loaded (libcudnn.so.8 not found)")));
                return new GpuSelfTest.Opened(be, be.cudnnDecision());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        GpuSelfTest.Verdict v;
        try {
            v = new GpuSelfTest(opener, lines::add, false, false).run(true, false);
        } finally {
            for (EmulatedCudaApi api : apis) {
                LAUNCHED.addAll(api.launched());
                api.close();
            }
        }
        String all = String.join("\n", lines);
        assertEquals(GpuSelfTest.Verdict.PASSED_WITHOUT_CUDNN, v, all);
        assertTrue(lines.get(lines.size() - 1).startsWith("passed without cuDNN: cuDNN not used: it could not be "
            + "loaded"), all);
        assertTrue(all.contains("lenet5 running loss") && all.contains("cnn-bn running loss"), all);
        assertTrue(all.contains("copies in 20 steps: 40 to the device (expected 40), 20 to the host (expected 20)"),
            all);
        assertTrue(!all.contains("MISMATCH") && !all.contains("ERROR"), all);
    }

    /**
     * Class labels as one-hot targets for mean squared error, and regression's absolute-error sum, on the emulated
     * device: the same losses, argmax accuracies (counted by the probability-target softmax cross-entropy into
     * acc[4..8)) and mean absolute errors as on the CPU, epoch by epoch.
     */
    @Test
    void oneHotArgmaxAccuracyAndTheMaeAgreeWithTheCpu() throws Exception {
        assumeTrue(harness != null, "g++ not available: the emulated device cannot be built");
        SplittableRandom r = new SplittableRandom(11);
        int n = 96;
        float[] x = new float[n * 4];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(3);
            y[i] = c;
            for (int k = 0; k < 4; k++) {
                x[i * 4 + k] = (float) ((k == c ? 1.5 : 0) + 0.5 * r.nextGaussian());
            }
        }
        String[] names = {"a", "b", "c"};
        io.jtrain.data.Dataset train = new io.jtrain.data.Dataset("blobs", Shape.of(4), x, y, 1, 3, names);
        io.jtrain.job.JobSpec job = io.jtrain.job.JobSpec.defaults().with(java.util.Map.of("loss", "mse",
            "model.preset", "mlp", "training.epochs", "3", "training.batch_size", "32", "data.normalization", "none"));
        float[] reg = new float[n * 2];
        for (int i = 0; i < n; i++) {
            reg[2 * i] = x[i * 4] - x[i * 4 + 1];
            reg[2 * i + 1] = 0.5f * x[i * 4 + 2];
        }
        io.jtrain.data.Dataset regression = new io.jtrain.data.Dataset("lines", Shape.of(4), x, reg, 2, 0,
            new String[0]);
        io.jtrain.job.JobSpec regJob = job.with(java.util.Map.of("data.task", "regression"));
        try (EmulatedCudaApi api = EmulatedCudaApi.start(harness, 1L << 30); CudaBackend gpu = open(api);
             CpuBackend host = CpuBackend.create(new CpuMemoryPool(1L << 30), 1)) {
            for (Object[] c : new Object[][] {{job, train}, {regJob, regression}}) {
                io.jtrain.job.JobSpec j = (io.jtrain.job.JobSpec) c[0];
                io.jtrain.data.Dataset d = (io.jtrain.data.Dataset) c[1];
                List<io.jtrain.train.EpochMetrics> a = io.jtrain.run.TrainingRun.of(j).backend(host).inMemory()
                    .data(io.jtrain.run.PreparedData.prepare(j, d, null)).build().run().history();
                List<io.jtrain.train.EpochMetrics> b = io.jtrain.run.TrainingRun.of(j).backend(gpu).inMemory()
                    .data(io.jtrain.run.PreparedData.prepare(j, d, null)).build().run().history();
                for (int e = 0; e < a.size(); e++) {
                    assertEquals(a.get(e).loss(), b.get(e).loss(), 1e-4, "loss, epoch " + (e + 1));
                    for (String m : List.of("accuracy", "val_accuracy", "mae", "val_mae")) {
                        Double u = a.get(e).metric(m);
                        Double v = b.get(e).metric(m);
                        assertEquals(u == null, v == null, m);
                        if (u != null) {
                            assertEquals(u, v, 1e-4, m + ", epoch " + (e + 1));
                        }
                    }
                }
                assertTrue(j.regression() ? a.get(2).metric("mae") != null : a.get(2).accuracy() > 0.5, a.toString());
            }
            LAUNCHED.addAll(api.launched());
        }
    }
}
