package io.jtrain.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Divergence, early stopping, tabular data, gradient accumulation, and the example job files. */
class TrainingBehaviourTest {
    @TempDir
    Path tmp;

    @Test
    void nanLossStopsWithExit5AndKeepsTheLastCheckpoint() throws IOException {
        Path job = Cli.write(tmp.resolve("job.yaml"), "data:\n  limit: 600\nmodel:\n  preset: mlp\n"
            + "optimizer:\n  name: sgd\n  lr: 1.0e+8\ntraining:\n  epochs: 3\n  device: cpu\n");
        Cli.Result r = Cli.run("train", job.toString(), "--out", tmp.resolve("run").toString());
        assertEquals(5, r.code(), r.toString());
        assertTrue(r.err().contains("training diverged") && r.err().contains("lower learning rate"), r.err());
    }

    @Test
    void earlyStoppingReportsStopAndBestEpoch() throws IOException {
        Path job = Cli.write(tmp.resolve("job.yaml"), "data:\n  limit: 400\nmodel:\n  preset: mlp\n"
            + "optimizer:\n  lr: 0.01\ntraining:\n  epochs: 30\n  device: cpu\n  early_stopping:\n"
            + "    monitor: val_loss\n    patience: 1\n");
        Cli.Result r = Cli.run("train", job.toString(), "--out", tmp.resolve("run").toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode j = r.json();
        assertTrue(j.get("stopped_early").asBoolean(), r.out());
        int run = j.get("epochs_run").asInt();
        int best = j.get("best_epoch").asInt();
        assertTrue(run < 30 && best < run, r.out());
        assertTrue(r.err().contains("stopped after epoch " + run + "; using the model from epoch " + best), r.err());
    }

    @Test
    void csvTabularClassificationAndRegression() throws IOException {
        StringBuilder sb = new StringBuilder("x1,x2,const,label\n");
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        for (int i = 0; i < 400; i++) {
            double a = rnd.nextDouble() * 100;
            double b = rnd.nextDouble();
            sb.append(a).append(',').append(b).append(",7,").append(a / 100 + b > 1 ? 1 : 0).append('\n');
        }
        Path csv = Cli.write(tmp.resolve("t.csv"), sb.toString());
        Path job = Cli.write(tmp.resolve("job.yaml"), "data:\n  name: " + csv + "\nmodel:\n  layers:\n"
            + "    - {type: dense, units: 16}\n    - {type: relu}\n    - {type: dense, units: 2}\n"
            + "optimizer:\n  lr: 0.01\ntraining:\n  epochs: 20\n  batch_size: 32\n  device: cpu\n");
        Cli.Result r = Cli.run("train", job.toString(), "--out", tmp.resolve("run").toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode last = r.json().get("history").get(19);
        assertTrue(last.get("val_accuracy").asDouble() > 0.85, r.out());
        assertTrue(r.json().get("test").isNull(), "a CSV file has no test split: null, not missing");

        Path reg = Cli.write(tmp.resolve("reg.yaml"), "data:\n  name: " + csv + "\n  task: regression\n"
            + "model:\n  layers:\n    - {type: dense, units: 8}\n    - {type: tanh}\n    - {type: dense, units: 1}\n"
            + "training:\n  epochs: 3\n  device: cpu\n");
        Cli.Result rr = Cli.run("train", reg.toString(), "--out", tmp.resolve("reg").toString(), "--json");
        assertEquals(0, rr.code(), rr.toString());
        assertTrue(rr.json().get("history").get(0).get("accuracy").isNull(), "no accuracy for regression");
    }

    @Test
    void gradientAccumulationMatchesTheLargerBatch() throws IOException {
        String base = "data:\n  limit: 256\n  validation: 0\nmodel:\n  preset: dlfs\noptimizer:\n  name: sgd\n"
            + "  lr: 0.1\n  momentum: 0\ntraining:\n  epochs: 1\n  device: cpu\n  seed: 3\n";
        Path big = Cli.write(tmp.resolve("big.yaml"), base + "  batch_size: 64\n");
        Path acc = Cli.write(tmp.resolve("acc.yaml"), base + "  batch_size: 16\n  accumulation: 4\n");
        assertEquals(0, Cli.run("train", big.toString(), "--out", tmp.resolve("big").toString()).code());
        assertEquals(0, Cli.run("train", acc.toString(), "--out", tmp.resolve("acc").toString()).code());
        var a = io.jtrain.model.Safetensors.read(tmp.resolve("big/checkpoint.safetensors")).tensors();
        var b = io.jtrain.model.Safetensors.read(tmp.resolve("acc/checkpoint.safetensors")).tensors();
        for (String k : a.keySet()) {
            if (k.startsWith("model.")) {
                float[] x = a.get(k).data();
                float[] y = b.get(k).data();
                for (int i = 0; i < x.length; i++) {
                    assertEquals(x[i], y[i], 1e-5, k + "[" + i + "]");
                }
            }
        }
    }

    @Test
    void everyExampleJobResolvesAndItsModelBuilds() throws IOException {
        try (Stream<Path> s = Files.list(Cli.root().resolve("examples"))) {
            for (Path p : s.filter(f -> f.toString().endsWith(".yaml")).toList()) {
                Cli.Result dump = Cli.run("train", p.toString(), "--dump-job");
                assertEquals(0, dump.code(), p + ": " + dump);
                Cli.Result sum = Cli.run("summary", p.toString(), "--json");
                assertEquals(0, sum.code(), p + ": " + sum);
            }
        }
    }
}
