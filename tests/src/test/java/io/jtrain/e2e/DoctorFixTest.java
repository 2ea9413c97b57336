package io.jtrain.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A finding's machine-readable fix ({@code "fix": {"set": {...}}} in {@code doctor --json}) applied to the job
 * with {@code --set} makes the finding disappear and the accuracy rise.
 */
class DoctorFixTest {
    @TempDir
    Path tmp;

    static JsonNode finding(JsonNode report, String id) {
        for (JsonNode f : report.get("findings")) {
            if (f.get("id").asText().equals(id) && !f.get("severity").asText().equals("info")) {
                return f;
            }
        }
        return null;
    }

    static List<String> sets(JsonNode f) {
        List<String> a = new ArrayList<>();
        f.get("fix").get("set").fields().forEachRemaining(e -> {
            a.add("--set");
            a.add(e.getKey() + "=" + e.getValue().asText());
        });
        return a;
    }

    static double accuracy(Path job, List<String> extra, Path out) {
        List<String> a = new ArrayList<>(List.of("train", job.toString(), "--json", "--no-live-diagnosis", "--out",
            out.toString()));
        a.addAll(extra);
        Cli.Result r = Cli.run(a.toArray(new String[0]));
        if (extra.isEmpty() && r.code() == 5) {
            return 0.5; // the unfixed job diverged (exit 5): no better than chance on two balanced classes
        }
        assertEquals(0, r.code(), r.toString());
        JsonNode h = r.json().get("history");
        return h.get(h.size() - 1).get("val_accuracy").asDouble();
    }

    void appliedFixRemovesTheFindingAndHelps(String yaml, String id) throws IOException {
        Path job = Cli.write(tmp.resolve(id + ".yaml"), yaml);
        Cli.Result before = Cli.run("doctor", job.toString(), "--json", "--chart", tmp.resolve("a.png").toString());
        JsonNode f = finding(before.json(), id);
        assertTrue(f != null, id + " is found:\n" + before.out());
        List<String> fix = sets(f);
        assertFalse(fix.isEmpty(), "the finding carries a job change: " + f);
        List<String> after = new ArrayList<>(List.of("doctor", job.toString(), "--json", "--chart",
            tmp.resolve("b.png").toString()));
        after.addAll(fix);
        Cli.Result again = Cli.run(after.toArray(new String[0]));
        assertEquals(null, finding(again.json(), id), "after " + fix + ":\n" + again.out());
        double worse = accuracy(job, List.of(), tmp.resolve(id + "-before"));
        double better = accuracy(job, fix, tmp.resolve(id + "-after"));
        assertTrue(better > worse + 0.05, "validation accuracy " + worse + " -> " + better + " with " + fix);
    }

    @Test
    void aLearningRateTooHigh() throws IOException {
        appliedFixRemovesTheFindingAndHelps("data:\n  limit: 1200\nmodel:\n  preset: mlp\noptimizer:\n  name: adam\n"
            + "  lr: 0.5\ntraining:\n  epochs: 2\n  batch_size: 32\n  device: cpu\n", "learning_rate_too_high");
    }

    @Test
    void unnormalizedInputs() throws IOException {
        StringBuilder csv = new StringBuilder("a,b,c,label\n");
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        for (int i = 0; i < 1200; i++) {
            double a = r.nextGaussian();
            double b = r.nextGaussian();
            csv.append(a * 1000).append(',').append(b * 0.001).append(',').append(r.nextGaussian()).append(',')
               .append(a + b > 0 ? 1 : 0).append('\n');
        }
        Path data = Cli.write(tmp.resolve("scales.csv"), csv.toString());
        appliedFixRemovesTheFindingAndHelps("data:\n  name: " + data + "\n  normalization: none\nmodel:\n  layers:\n"
            + "    - {type: dense, units: 32}\n    - {type: relu}\n    - {type: dense, units: 2}\noptimizer:\n"
            + "  name: sgd\n  lr: 0.01\ntraining:\n  epochs: 3\n  batch_size: 32\n  device: cpu\n",
            "unnormalized_inputs");
    }
}
