package io.jtrain.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jtrain.api.Predictor;
import io.jtrain.data.DataLocator;
import io.jtrain.data.Dataset;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example of docs/java-api.md, compiled and run against a model trained here. */
class JavaApiExampleTest {
    @TempDir
    Path tmp;

    /** Keep in step with docs/java-api.md. */
    static String example(Path modelDir, float[] pixels) {
        try (Predictor p = Predictor.load(modelDir)) {
            Predictor.Prediction r = p.predict(pixels);
            return r.className() + " " + r.probability();
        }
    }

    @Test
    void exampleRuns() {
        Path run = tmp.resolve("run");
        assertEquals(0, Cli.run("train", "--epochs", "1", "--preset", "mlp", "--device", "cpu", "--out",
            run.toString()).code());
        Dataset test = DataLocator.embedded().test();
        float[] pixels = new float[784];
        System.arraycopy(test.x(), 0, pixels, 0, 784);
        String out = example(run.resolve("best"), pixels);
        assertTrue(out.matches("[A-Za-z/ -]+ 0\\.\\d+(E-\\d+)?"), out);
        try (Predictor p = Predictor.load(run.resolve("best"))) {
            Predictor.Prediction[] all = p.predictBatch(new float[][] {pixels, pixels});
            assertEquals(all[0].classIndex(), all[1].classIndex());
            float sum = 0;
            for (float v : all[0].probabilities()) {
                sum += v;
            }
            assertEquals(1f, sum, 1e-4);
        }
    }
}
