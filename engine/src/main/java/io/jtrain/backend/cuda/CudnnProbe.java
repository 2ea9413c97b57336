package io.jtrain.backend.cuda;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jtrain.backend.ConvSpec;
import io.jtrain.backend.GpuOptions;
import io.jtrain.backend.BatchNormTensors;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Decides whether cuDNN can be used without risking the training process. cuDNN 8 loads its sub-libraries
 * ({@code libcudnn_ops_infer.so.8}, {@code libcudnn_cnn_infer.so.8}, ...) on first use and calls
 * {@code abort()} when one is missing or broken, which would kill the JVM. So the decision is made in a
 * short-lived child JVM ({@link #main}): it loads cuDNN, checks the versions, creates a handle and runs
 * every cuDNN call the backend makes (convolution forward, backward-data, backward-filter and bias, max and
 * average pooling, batch-norm training, inference and backward) once on small tensors, then reports one
 * line. A child that dies (abort, segfault, timeout) turns cuDNN off with the reason; the training process
 * never loads cuDNN unless its child succeeded. The verdict is cached in
 * {@code $XDG_CACHE_HOME/jtrain/cudnn-probe.json} (or {@code ~/.cache/...}; {@code JTRAIN_CACHE_DIR}
 * overrides), keyed by the driver version, the GPU, and the paths, sizes and modification times of every
 * {@code libcudnn*} on the library path, so a changed installation is probed again.
 */
public final class CudnnProbe {
    static final String OK = "cudnn-probe ok ";
    static final String FAIL = "cudnn-probe fail ";
    private static final long TIMEOUT_SECONDS = 120;
    private static final ObjectMapper JSON = new ObjectMapper();

    private CudnnProbe() { }

    /** The verdict of a probe: usable (with versions) or not (with the reason). */
    public record Verdict(boolean ok, long version, long cudartVersion, String reason) {
        static Verdict ok(long version, long cudart) {
            return new Verdict(true, version, cudart, null);
        }

        static Verdict fail(String reason) {
            return new Verdict(false, 0, 0, reason);
        }
    }

    /** The choice for the real GPU: probe (or the cached verdict), then the version rules. */
    static CudaBackend.CudnnChoice choose(JCudaApi api, int ordinal, CudaApi.DeviceInfo dev, GpuOptions options) {
        int[] driver = {0};
        api.driverVersion(driver);
        Verdict v = verdict(ordinal, dev, driver[0], System.getenv(), cacheDir());
        if (!v.ok()) {
            return CudaBackend.CudnnChoice.off(CudnnDecision.unusable(0, v.reason()));
        }
        CudnnDecision d = CudnnDecision.check(v.version(), v.cudartVersion(), dev.ccMajor(), dev.ccMinor());
        return d.enabled() ? new CudaBackend.CudnnChoice(d, new JCudnnApi(api::streamObject))
            : CudaBackend.CudnnChoice.off(d);
    }

    /** The cached verdict for this installation, or a fresh one from a child process (then cached). */
    public static Verdict verdict(int ordinal, CudaApi.DeviceInfo dev, int driver, Map<String, String> env,
                                  Path cacheDir) {
        String key = key(ordinal, dev, driver, env);
        Path cache = cacheDir == null ? null : cacheDir.resolve("cudnn-probe.json");
        Verdict cached = read(cache, key);
        if (cached != null) {
            return cached;
        }
        Verdict v = runChild(ordinal, env);
        write(cache, key, v);
        return v;
    }

    /** Where verdicts are cached: $JTRAIN_CACHE_DIR, else $XDG_CACHE_HOME/jtrain, else ~/.cache/jtrain. */
    public static Path cacheDir() {
        String own = System.getenv("JTRAIN_CACHE_DIR");
        if (own != null && !own.isBlank()) {
            return Path.of(own);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "jtrain");
        }
        String home = System.getProperty("user.home");
        return home == null ? null : Path.of(home, ".cache", "jtrain");
    }

    /** The cache key: driver, device, and every libcudnn* file on the library path with its size and time. */
    static String key(int ordinal, CudaApi.DeviceInfo dev, int driver, Map<String, String> env) {
        StringBuilder sb = new StringBuilder();
        sb.append("driver=").append(driver).append(";gpu=").append(ordinal).append(':').append(dev.name()).append(':')
            .append(dev.ccMajor()).append('.').append(dev.ccMinor()).append(";jcudnn=11.7.0");
        for (Path lib : cudnnLibraries(env)) {
            try {
                sb.append(';').append(lib.toRealPath()).append(':').append(Files.size(lib)).append(':')
                    .append(Files.getLastModifiedTime(lib).toMillis());
            } catch (IOException e) {
                sb.append(';').append(lib).append(":unreadable");
            }
        }
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h);
        } catch (NoSuchAlgorithmException e) {
            return sb.toString();
        }
    }

    /** libcudnn* files in LD_LIBRARY_PATH, the CUDA folders and the system library folders. */
    static List<Path> cudnnLibraries(Map<String, String> env) {
        List<String> dirs = new ArrayList<>();
        String ld = env.get("LD_LIBRARY_PATH");
        if (ld != null) {
            dirs.addAll(List.of(ld.split(File.pathSeparator)));
        }
        dirs.addAll(List.of("/usr/local/cuda/lib64", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib",
            "/lib/x86_64-linux-gnu"));
        List<Path> out = new ArrayList<>();
        for (String d : dirs) {
            File[] fs = d.isBlank() ? null : new File(d).listFiles((x, n) -> n.startsWith("libcudnn"));
            if (fs != null) {
                for (File f : fs) {
                    out.add(f.toPath());
                }
            }
        }
        out.sort(null);
        return out;
    }

    private static Verdict read(Path cache, String key) {
        if (cache == null || !Files.isRegularFile(cache)) {
            return null;
        }
        try {
            var node = JSON.readTree(cache.toFile()).get(key);
            if (node == null) {
                return null;
            }
            return new Verdict(node.path("ok").asBoolean(), node.path("version").asLong(),
                node.path("cudart").asLong(), node.path("reason").isNull() ? null : node.path("reason").asText());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void write(Path cache, String key, Verdict v) {
        if (cache == null) {
            return;
        }
        try {
            Files.createDirectories(cache.getParent());
            ObjectNode all = Files.isRegularFile(cache) ? (ObjectNode) JSON.readTree(cache.toFile())
                : JSON.createObjectNode();
            ObjectNode n = all.putObject(key);
            n.put("ok", v.ok());
            n.put("version", v.version());
            n.put("cudart", v.cudartVersion());
            n.put("reason", v.reason());
            Path tmp = Files.createTempFile(cache.getParent(), "cudnn-probe", ".tmp");
            Files.writeString(tmp, all.toPrettyString());
            Files.move(tmp, cache, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            // a cache that cannot be written only costs a probe next time
        }
    }

    /** Only whether cuDNN loads and its versions, asked in a child process (no GPU needed). */
    public static Verdict versionsOnly(Map<String, String> env) {
        return runChild(-1, env);
    }

    /** Runs {@link #main} in a child JVM with the given environment and reads its verdict (ordinal -1: versions). */
    static Verdict runChild(int ordinal, Map<String, String> env) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-Djava.awt.headless=true", "-cp",
            System.getProperty("java.class.path"), CudnnProbe.class.getName(), Integer.toString(ordinal));
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.redirectErrorStream(true);
        try {
            Path log = Files.createTempFile("jtrain-cudnn-probe", ".log");
            try {
                pb.redirectOutput(log.toFile());
                Process p = pb.start();
                if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return Verdict.fail("its probe did not finish within " + TIMEOUT_SECONDS + " s");
                }
                return parse(p.exitValue(), Files.readAllLines(log, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            return Verdict.fail("its probe could not be started (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Verdict.fail("its probe was interrupted");
        }
    }

    /** The verdict from the child's exit code and output. */
    static Verdict parse(int exit, List<String> lines) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            String l = lines.get(i);
            if (l.startsWith(OK)) {
                String[] v = l.substring(OK.length()).trim().split(" ");
                return Verdict.ok(Long.parseLong(v[0]), Long.parseLong(v[1]));
            }
            if (l.startsWith(FAIL)) {
                return Verdict.fail(l.substring(FAIL.length()).trim());
            }
        }
        String last = lines.stream().filter(s -> !s.isBlank()).reduce((a, b) -> b).orElse("no output");
        String how = exit == 134 ? "aborted (SIGABRT)" : exit == 139 ? "crashed (SIGSEGV)" : "exited with code " + exit;
        return Verdict.fail("its probe process " + how + " inside cuDNN, a broken or partial cuDNN installation; "
            + "last output: " + last);
    }

    /**
     * The child: {@code CudnnProbe ORDINAL} ({@code -1}: only load cuDNN and report its versions). Prints {@code cudnn-probe ok VERSION CUDART} or
     * {@code cudnn-probe fail REASON}; anything else (no line, a signal) is a crash that the parent reports.
     */
    public static void main(String[] args) {
        int ordinal = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        System.out.println(probeHere(ordinal));
        System.out.flush();
        System.exit(0);
    }

    private static String probeHere(int ordinal) {
        JCudaApi api = new JCudaApi();
        JCudnnApi cudnn = new JCudnnApi(api::streamObject);
        long[] v = CudnnDecision.versions(cudnn);
        if (v == null) {
            return FAIL + "it could not be loaded (" + CudnnDecision.loadFailure() + ")";
        }
        if (ordinal < 0) {
            return OK + v[0] + " " + v[1];
        }
        if (v[0] < CudnnDecision.MIN_VERSION || v[0] >= CudnnDecision.MAX_VERSION_EXCLUSIVE || v[1] / 1000 != 12) {
            return FAIL + CudnnDecision.check(v[0], v[1], 0, 0).line().replaceFirst("^cuDNN not used: ", "")
                .replaceFirst("; jtrain kernels serve.*", "");
        }
        try (CudaBackend be = CudaBackend.open(api, ordinal, 256L << 20, new GpuOptions(true, false),
            (dev, o) -> new CudaBackend.CudnnChoice(CudnnDecision.check(v[0], v[1], 0, 0), cudnn))) {
            if (!be.cudnnDecision().enabled()) {
                return FAIL + be.cudnnDecision().line();
            }
            exercise(be);
            be.synchronize();
            return OK + v[0] + " " + v[1];
        } catch (RuntimeException | LinkageError e) {
            return FAIL + "a call failed on the GPU (" + CudnnDecision.firstCause(e) + ")";
        }
    }

    /** Every cuDNN call of the backend once, on small tensors. */
    private static void exercise(CudaBackend be) {
        ConvSpec s = ConvSpec.square(3, 1, 1);
        Shape xs = Shape.of(2, 3, 8, 8);
        Shape wsh = Shape.of(4, 3, 3, 3);
        List<Tensor> ts = new ArrayList<>();
        java.util.function.Function<Shape, Tensor> t = sh -> {
            Tensor x = be.allocate(sh, MemoryCategory.ACTIVATIONS);
            be.fill(x, 0.5f);
            ts.add(x);
            return x;
        };
        try {
            Tensor x = t.apply(xs);
            Tensor w = t.apply(wsh);
            Tensor b = t.apply(Shape.of(4));
            Tensor y = t.apply(Shape.of(2, 4, 8, 8));
            Tensor dx = t.apply(xs);
            Tensor ws = t.apply(Shape.of((int) be.conv2dWorkspaceElements(xs, wsh, s)));
            be.conv2dForward(x, w, b, y, s, ws);
            be.conv2dBackwardData(y, w, dx, s, ws);
            be.conv2dBackwardFilter(x, y, w, b, s, ws);
            ConvSpec p = ConvSpec.square(2, 2, 0);
            Tensor py = t.apply(Shape.of(2, 4, 4, 4));
            be.maxPoolForward(y, py, p);
            be.maxPoolBackward(y, py, py, y, p);
            be.avgPoolForward(y, py, p);
            Tensor[] c = new Tensor[8];
            for (int i = 0; i < c.length; i++) {
                c[i] = t.apply(Shape.of(4));
            }
            BatchNormTensors bn = new BatchNormTensors(c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]);
            Tensor yb = t.apply(Shape.of(2, 4, 8, 8));
            be.batchNormForwardTraining(y, yb, bn, 0.1f, 1e-5f);
            be.batchNormBackward(y, yb, yb, bn);
            be.batchNormForwardInference(y, yb, bn, 1e-5f);
        } finally {
            ts.forEach(Tensor::close);
        }
    }

}
