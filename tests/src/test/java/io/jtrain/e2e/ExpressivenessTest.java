package io.jtrain.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tabular and regression jobs end to end: CSV data defaults to the mlp preset, a last layer with
 * {@code units: auto} is sized from the data, an explicit count above the classes is refused naming the
 * layer, regression reports MAE, RMSE and R², and predict prints values for regression; model-wide
 * initialisers.
 */
class ExpressivenessTest {
    @TempDir
    Path tmp;

    Path csv(String name, boolean regression) throws IOException {
        SplittableRandom r = new SplittableRandom(5);
        StringBuilder sb = new StringBuilder("a,b,c,y\n");
        for (int i = 0; i < 300; i++) {
            double a = r.nextGaussian();
            double b = r.nextGaussian();
            double c = r.nextGaussian();
            sb.append(a).append(',').append(b).append(',').append(c).append(',')
              .append(regression ? Double.toString(2 * a - b + 0.1 * r.nextGaussian()) : Integer.toString(a + b > 0.5
                  ? 2 : a + b > -0.5 ? 1 : 0)).append('\n');
        }
        return Cli.write(tmp.resolve(name), sb.toString());
    }

    @Test
    void csvDataTrainsWithTheMlpPresetSizedToItsClasses() throws IOException {
        Path data = csv("three.csv", false);
        Path run = tmp.resolve("run");
        Cli.Result r = Cli.run("train", "--data", data.toString(), "--epochs", "2", "--device", "cpu", "--out",
            run.toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("model.preset mlp: its output layer has 3 units"), r.err());
        String model = Files.readString(run.resolve("best/model.json"));
        assertTrue(model.contains("\"units\" : 3"), model);
    }

    @Test
    void unitsAutoAndExplicitUnitsAboveTheClasses() throws IOException {
        Path data = csv("three.csv", false);
        String layers = "data:\n  name: " + data + "\nmodel:\n  layers:\n    - {type: dense, units: 8}\n"
            + "    - {type: relu}\n    - {type: dense, units: UNITS}\ntraining:\n  epochs: 1\n  device: cpu\n";
        Path auto = Cli.write(tmp.resolve("auto.yaml"), layers.replace("UNITS", "auto"));
        Cli.Result ok = Cli.run("train", auto.toString(), "--out", tmp.resolve("a").toString());
        assertEquals(0, ok.code(), ok.toString());
        Path ten = Cli.write(tmp.resolve("ten.yaml"), layers.replace("UNITS", "10"));
        Cli.Result bad = Cli.run("train", ten.toString(), "--out", tmp.resolve("b").toString());
        assertEquals(2, bad.code(), bad.toString());
        assertTrue(bad.err().contains("model.layers[2] (dense): units 10, but the data has 3 classes"), bad.err());
    }

    @Test
    void regressionReportsMaeRmseAndR2AndPredictPrintsValues() throws IOException {
        Path data = csv("reg.csv", true);
        Path run = tmp.resolve("reg");
        Cli.Result r = Cli.run("train", "--data", data.toString(), "--set", "data.task=regression", "--set",
            "data.normalization=per_feature", "--epochs", "8", "--device", "cpu", "--out", run.toString());
        assertEquals(0, r.code(), r.toString());
        Cli.Result e = Cli.run("eval", run.resolve("best").toString(), "--data", data.toString(), "--json");
        assertEquals(0, e.code(), e.toString());
        JsonNode j = e.json();
        assertTrue(j.get("accuracy").isNull());
        assertTrue(j.get("mae").asDouble() > 0 && j.get("rmse").asDouble() >= j.get("mae").asDouble(), j.toString());
        assertTrue(j.get("r2").asDouble() > 0.8, "a linear target is learnt: " + j);
        Path rows = Cli.write(tmp.resolve("rows.csv"), "a,b,c\n1,0,0\n0,1,0\n");
        Cli.Result p = Cli.run("predict", run.resolve("best").toString(), rows.toString());
        assertEquals(0, p.code(), p.toString());
        assertTrue(p.out().lines().allMatch(l -> l.matches("\\d+: -?[0-9.]+(e[-+]?\\d+)?")), p.out());
    }

    @Test
    void modelWideInitialisersAreUsed() throws IOException {
        Path job = Cli.write(tmp.resolve("init.yaml"), "model:\n  preset: dlfs\n  init: 'normal(0, 1)'\n"
            + "  bias_init: 'normal(0, 1)'\ndata:\n  limit: 300\ntraining:\n  epochs: 1\n  device: cpu\n");
        Cli.Result r = Cli.run("train", job.toString(), "--dump-job");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("init: normal(0, 1)") || r.out().contains("init: \"normal(0, 1)\"")
            || r.out().contains("init: 'normal(0, 1)'"), r.out());
        Cli.Result t = Cli.run("train", job.toString(), "--out", tmp.resolve("i").toString());
        assertEquals(0, t.code(), t.toString());
    }

    /** Two classes of 12x12 grey images: bright squares ("light") and dark ones ("dark"), with noise. */
    Path imageFolder(boolean splits) throws IOException {
        Path root = tmp.resolve(splits ? "split-images" : "images");
        SplittableRandom r = new SplittableRandom(9);
        for (String split : splits ? new String[] {"train", "test"} : new String[] {""}) {
            for (String cls : new String[] {"dark", "light"}) {
                Path d = Files.createDirectories(root.resolve(split).resolve(cls));
                for (int i = 0; i < (split.equals("test") ? 10 : 40); i++) {
                    java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(12, 12,
                        java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
                    for (int p = 0; p < 144; p++) {
                        int v = (cls.equals("light") ? 180 : 60) + (int) (30 * r.nextGaussian());
                        img.getRaster().setSample(p % 12, p / 12, 0, Math.max(0, Math.min(255, v)));
                    }
                    javax.imageio.ImageIO.write(img, "png", d.resolve(i + ".png").toFile());
                }
            }
        }
        return root;
    }

    @Test
    void anImageFolderTrainsEvaluatesAndPredictsClassNames() throws IOException {
        Path folder = imageFolder(true);
        Path run = tmp.resolve("folder-run");
        Cli.Result r = Cli.run("train", "--data", folder.toString(), "--preset", "mlp", "--epochs", "3", "--device",
            "cpu", "--out", run.toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        JsonNode test = r.json().get("test");
        assertEquals(20, test.get("samples").asInt(), "the test/ split is the test set");
        assertTrue(test.get("accuracy").asDouble() > 0.9, r.out());
        Cli.Result p = Cli.run("predict", run.resolve("best").toString(), folder.resolve("test/light/3.png")
            .toString());
        assertEquals(0, p.code(), p.toString());
        assertTrue(p.out().startsWith("0: light"), p.out());
        Cli.Result e = Cli.run("eval", run.resolve("best").toString(), "--json");
        assertEquals(0, e.code(), e.toString());
        assertEquals("light", e.json().get("per_class").get(1).get("name").asText());
    }

    @Test
    void anImageFolderIsResizedToTheConfiguredSizeAndAFolderOfNothingIsRefused() throws IOException {
        Path folder = imageFolder(false);
        Cli.Result r = Cli.run("train", "--data", folder.toString(), "--preset", "mlp", "--epochs", "1", "--device",
            "cpu", "--set", "data.image_size=[6, 6]", "--set", "data.channels=3", "--out", tmp.resolve("rs").toString(),
            "--json");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("80 images converted or resized to [3, 6, 6]"), r.err());
        Path empty = Files.createDirectories(tmp.resolve("nothing/a"));
        Cli.Result bad = Cli.run("train", "--data", empty.getParent().toString(), "--epochs", "1", "--device", "cpu",
            "--out", tmp.resolve("x").toString());
        assertEquals(3, bad.code(), bad.toString());
        assertTrue(bad.err().contains("nor one sub-folder of images per class"), bad.err());
    }
}
