package io.jtrain.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import io.jtrain.api.Predictor;
import io.jtrain.data.DataLocator;
import io.jtrain.data.Dataset;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code jtrain export --format onnx}: models with every layer type jtrain has, run in ONNX Runtime on raw test
 * inputs, give the predictions of jtrain's {@code Predictor} (identical classes, probabilities within 1e-5), and
 * pass Debian's python3-onnx checker (IR 8, opset 17) when it is installed.
 */
class OnnxExportTest {
    @TempDir
    Path tmp;

    /** Every layer type: conv, both pools, batch norm (2-D and 1-D), both dropout modes, every activation, softmax. */
    private static final String ALL_LAYERS = """
        data: {name: embedded, limit: 600}
        model:
          layers:
            - {type: conv2d, filters: 4, kernel: 3, padding: 1}
            - {type: batch_norm}
            - {type: relu}
            - {type: max_pool2d, kernel: 2}
            - {type: conv2d, filters: 6, kernel: 3, stride: 2, padding: 1, bias: false}
            - {type: leaky_relu, alpha: 0.1}
            - {type: avg_pool2d, kernel: 3, stride: 2, padding: 1}
            - {type: dropout, rate: 0.25, mode: scale_at_inference}
            - {type: flatten}
            - {type: dense, units: 24}
            - {type: batch_norm}
            - {type: elu}
            - {type: dropout, rate: 0.2}
            - {type: dense, units: 16}
            - {type: tanh}
            - {type: dense, units: 12}
            - {type: sigmoid}
            - {type: dense, units: 10}
            - {type: linear}
            - {type: softmax}
        training: {epochs: 2, device: cpu}
        """;

    @Test
    void everyLayerTypeRunsInOnnxRuntimeLikeJtrain() throws Exception {
        Path job = Cli.write(tmp.resolve("all.yaml"), ALL_LAYERS);
        Path run = tmp.resolve("all");
        assertEquals(0, Cli.run("train", job.toString(), "--out", run.toString()).code());
        Path best = run.resolve("best");
        Cli.Result e = Cli.run("export", best.toString(), "--format", "onnx");
        assertEquals(0, e.code(), e.toString());
        assertEquals(best.resolve("model.onnx").toString(), e.out().trim(), "prints the path");
        Dataset test = DataLocator.embedded().test();
        float[][] samples = new float[64][];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = java.util.Arrays.copyOfRange(test.x(), i * 784, (i + 1) * 784);
        }
        compare(best, best.resolve("model.onnx"), samples, new long[] {1, 28, 28});
        Map<String, String> meta = io.jtrain.model.Safetensors.read(best.resolve("model.safetensors")).metadata();
        assertEquals("pt", meta.get("format"));
        assertTrue(meta.get("classes").startsWith("[\"T-shirt/top\",") && meta.get("normalization")
            .startsWith("{\"mode\":\"global\",\"mean\":["), "the weights file is self-contained: " + meta);
        assertEquals(Cli.JSON.readTree(Files.readString(best.resolve("model.json"))), Cli.JSON.readTree(meta.get(
            "jtrain_model")));
        JsonNode checked = pythonCheck(best.resolve("model.onnx"));
        if (checked != null) {
            assertEquals(8, checked.get("ir_version").asInt());
            assertEquals(17, checked.get("opset").asInt());
            assertEquals("probabilities", checked.at("/outputs/0").asText());
            assertEquals("batch", checked.get("batch").asText());
            for (String op : List.of("Conv", "BatchNormalization", "Relu", "MaxPool", "LeakyRelu", "AveragePool",
                "Mul", "Flatten", "Gemm", "Elu", "Tanh", "Sigmoid", "Softmax", "Sub", "Div")) {
                assertTrue(checked.get("ops").toString().contains("\"" + op + "\""), op + " in " + checked);
            }
            assertTrue(checked.at("/metadata/classes").asText().contains("Ankle boot"), checked.toString());
        }
    }

    private Path csv(String name, String header, int rows, java.util.function.Function<double[], String> label)
        throws IOException {
        SplittableRandom r = new SplittableRandom(7);
        StringBuilder sb = new StringBuilder(header).append('\n');
        for (int i = 0; i < rows; i++) {
            double[] v = {r.nextGaussian() * 3 + 5, r.nextGaussian() * 0.1, r.nextGaussian()};
            sb.append(v[0]).append(',').append(v[1]).append(',').append(v[2]).append(',').append(label.apply(v))
              .append('\n');
        }
        return Cli.write(tmp.resolve(name), sb.toString());
    }

    @Test
    void tabularBinaryMultiLabelAndRegressionModelsExportWithTheirNormalisation() throws Exception {
        Map<String, String[]> jobs = Map.of(
            "binary", new String[] {"a,b,c,y", "--set", "loss=bce"},
            "multilabel", new String[] {"a,b,c,p,q", "--set", "loss=bce", "--set", "data.label_columns=[p, q]"},
            "regression", new String[] {"a,b,c,y,z", "--set", "data.task=regression", "--set",
                "data.label_columns=[y, z]"},
            "mse", new String[] {"a,b,c,y", "--set", "loss=mse"});
        for (var j : jobs.entrySet()) {
            String[] a = j.getValue();
            Path data = csv(j.getKey() + ".csv", a[0], 300, v -> switch (j.getKey()) {
                case "binary" -> v[0] + v[2] > 5 ? "1" : "0";
                case "multilabel" -> (v[0] > 5 ? "1" : "0") + "," + (v[2] > 0 ? "1" : "0");
                case "regression" -> (v[0] - 2 * v[2]) + "," + (v[1] * 10);
                default -> v[0] > 6 ? "2" : v[0] > 4 ? "1" : "0";
            });
            Path run = tmp.resolve(j.getKey());
            List<String> args = new java.util.ArrayList<>(List.of("train", "--data", data.toString(), "--epochs", "3",
                "--device", "cpu", "--out", run.toString()));
            args.addAll(List.of(a).subList(1, a.length));
            Cli.Result t = Cli.run(args.toArray(new String[0]));
            assertEquals(0, t.code(), t.toString());
            Path file = tmp.resolve(j.getKey() + ".onnx");
            Cli.Result e = Cli.run("export", run.resolve("best").toString(), "--out", file.toString());
            assertEquals(0, e.code(), e.toString());
            SplittableRandom r = new SplittableRandom(3);
            float[][] samples = new float[20][3];
            for (float[] s : samples) {
                s[0] = (float) (r.nextGaussian() * 3 + 5);
                s[1] = (float) (r.nextGaussian() * 0.1);
                s[2] = (float) r.nextGaussian();
            }
            compare(run.resolve("best"), file, samples, new long[] {3});
            pythonCheck(file);
        }
    }

    @Test
    void anUnknownFormatAndAMissingModelAreRefused() {
        Cli.Result f = Cli.run("export", tmp.toString(), "--format", "tflite");
        assertEquals(2, f.code(), f.toString());
        assertTrue(f.err().contains("--format 'tflite' is not supported; use --format onnx"), f.err());
        Cli.Result m = Cli.run("export", tmp.resolve("none").toString());
        assertEquals(3, m.code(), m.toString());
    }

    /** ONNX Runtime's outputs against Predictor's probabilities on the same raw samples. */
    private static void compare(Path modelDir, Path onnx, float[][] samples, long[] sample) throws OrtException {
        List<Predictor.Prediction> want;
        try (Predictor p = Predictor.load(modelDir)) {
            want = p.predictBatch(samples);
        }
        int size = samples[0].length;
        FloatBuffer in = FloatBuffer.allocate(samples.length * size);
        for (float[] s : samples) {
            in.put(s);
        }
        in.flip();
        long[] shape = new long[sample.length + 1];
        shape[0] = samples.length;
        System.arraycopy(sample, 0, shape, 1, sample.length);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(onnx.toString(), new OrtSession.SessionOptions());
             OnnxTensor x = OnnxTensor.createTensor(env, in, shape);
             OrtSession.Result out = s.run(Map.of("input", x))) {
            float[][] got = (float[][]) out.get("probabilities").orElseThrow().getValue();
            assertEquals(samples.length, got.length);
            for (int i = 0; i < got.length; i++) {
                float[] w = want.get(i).probabilities();
                assertEquals(w.length, got[i].length, "outputs of sample " + i);
                for (int k = 0; k < w.length; k++) {
                    assertEquals(w[k], got[i][k], 1e-5, onnx + ": sample " + i + ", output " + k);
                }
                if (want.get(i).classIndex() >= 0) {
                    assertEquals(want.get(i).classIndex(), io.jtrain.train.Evaluator.argmax(got[i], 0, got[i].length),
                        "the predicted class of sample " + i);
                }
            }
        }
    }

    /** Debian's python3-onnx checker on the file (null when python3-onnx is not installed). */
    private static JsonNode pythonCheck(Path onnx) throws IOException, InterruptedException {
        Process probe = new ProcessBuilder("/usr/bin/python3", "-c", "import onnx").redirectErrorStream(true).start();
        if (probe.waitFor() != 0) {
            System.err.println("OnnxExportTest: python3-onnx not installed; the ONNX checker was not run "
                + "(apt-get install python3-onnx)");
            return null;
        }
        Process p = new ProcessBuilder("/usr/bin/python3", Cli.root().resolve("tests/pytorch/check_onnx.py").toString(),
            onnx.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "onnx.checker: " + out);
        return Cli.JSON.readTree(out);
    }
}
