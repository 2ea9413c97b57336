package io.jtrain.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jtrain.data.DataLocator;
import io.jtrain.data.Dataset;
import io.jtrain.data.IdxReader;
import io.jtrain.examples.JavaApiExamples;
import io.jtrain.run.EvaluationRun;
import io.jtrain.run.RunResult;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/java-api.md: its examples are JavaApiExamples' regions, verbatim, and each of them runs. */
class JavaApiDocTest {
    @TempDir
    Path tmp;

    @Test
    void theDocumentShowsTheExamplesVerbatim() throws Exception {
        Map<String, String> source = regions(Files.readString(Cli.root().resolve(
            "tests/src/test/java/io/jtrain/examples/JavaApiExamples.java")));
        Map<String, String> doc = new LinkedHashMap<>();
        Matcher m = Pattern.compile("<!-- example: (\\w+) -->\\s*```java\\n(.*?)```", Pattern.DOTALL)
            .matcher(Files.readString(Cli.root().resolve("docs/java-api.md")));
        while (m.find()) {
            doc.put(m.group(1), m.group(2));
        }
        assertEquals(source.keySet(), doc.keySet(), "docs/java-api.md shows every example once");
        source.forEach((k, v) -> assertEquals(v, doc.get(k), "example '" + k + "' differs from JavaApiExamples"));
    }

    /** "// example: NAME" ... "// end", de-indented. */
    static Map<String, String> regions(String src) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("( *)// example: (\\w+)\\n(.*?)\\n *// end\\n", Pattern.DOTALL).matcher(src);
        while (m.find()) {
            int indent = m.group(1).length();
            StringBuilder sb = new StringBuilder();
            for (String line : m.group(3).split("\n", -1)) {
                sb.append(line.length() >= indent ? line.substring(indent) : line.strip()).append('\n');
            }
            out.put(m.group(2), sb.toString());
        }
        return out;
    }

    @Test
    void everyExampleRuns() throws Exception {
        Path run = tmp.resolve("run");
        Path job = tmp.resolve("job.yaml");
        Files.writeString(job, "data:\n  name: embedded\nmodel:\n  preset: mlp\ntraining:\n  device: cpu\n");
        RunResult trained = JavaApiExamples.train(job, run);
        assertEquals(1, trained.history().size());
        assertNotNull(trained.test().accuracy());
        assertTrue(Files.exists(run.resolve("best/model.json")));

        RunResult built = JavaApiExamples.builder();
        assertEquals(2, built.history().size());
        assertEquals(null, built.runDir());

        RunResult more = JavaApiExamples.resume(run);
        assertEquals(2, more.history().size());

        EvaluationRun.Result e = JavaApiExamples.evaluate(run.resolve("best"));
        assertEquals(DataLocator.embedded().test().size(), e.evaluation().samples());
        assertTrue(e.evaluation().accuracy() > 0.5, "accuracy " + e.evaluation().accuracy());

        Dataset test = DataLocator.embedded().test();
        float[] pixels = java.util.Arrays.copyOf(test.x(), 784);
        BufferedImage img = new BufferedImage(56, 56, BufferedImage.TYPE_BYTE_GRAY);
        Path idx = tmp.resolve("five-images-idx3-ubyte");
        byte[] bytes = new byte[5 * 784];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Math.round(test.x()[i] * 255);
        }
        Files.write(idx, IdxReader.encode(new int[] {5, 28, 28}, bytes));
        List<String> got = new ArrayList<>(JavaApiExamples.predict(run.resolve("best"), pixels, img, idx));
        assertEquals(got.get(0), got.get(2), "the shared predictor answers the same on another thread");
        assertEquals("5", got.get(3));
    }
}
