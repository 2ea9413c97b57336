package io.jtrain.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The experiment a job file says, end to end: one-hot targets for mse/bce with argmax accuracy, label
 * smoothing, multi-label bce, text class names and categorical columns, CSV test files and held-out test rows,
 * evaluation of any split every N epochs (test included), {@code data.validation: test}, regression history
 * metrics, and the textbook example job.
 */
class TargetsAndEvaluationTest {
    private static final String[] SPECIES = {"setosa", "versicolor", "virginica"};
    private static final String[] COLOURS = {"red", "green", "blue"};

    @TempDir
    Path tmp;

    /** Three separable classes with text names, two numeric features and a colour column that hints the class. */
    private Path tabular(String name, int rows, long seed) throws IOException {
        SplittableRandom r = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder("x1,x2,colour,species\n");
        for (int i = 0; i < rows; i++) {
            int c = r.nextInt(3);
            sb.append(String.format(java.util.Locale.ROOT, "%.3f,%.3f,%s,%s%n", c + 0.4 * r.nextGaussian(),
                -c + 0.4 * r.nextGaussian(), COLOURS[(c + (r.nextDouble() < 0.2 ? 1 : 0)) % 3], SPECIES[c]));
        }
        return Cli.write(tmp.resolve(name), sb.toString());
    }

    /** The same data with integer labels 0..2 and no text column. */
    private Path numeric(String name) throws IOException {
        SplittableRandom r = new SplittableRandom(3);
        StringBuilder sb = new StringBuilder("x1,x2,y\n");
        for (int i = 0; i < 300; i++) {
            int c = r.nextInt(3);
            sb.append(c + 0.4 * r.nextGaussian()).append(',').append(-c + 0.4 * r.nextGaussian()).append(',')
              .append(c).append('\n');
        }
        return Cli.write(tmp.resolve(name), sb.toString());
    }

    private Cli.Result train(Path data, Path run, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("train", "--data", data.toString(), "--device", "cpu",
            "--out", run.toString(), "--json"));
        a.addAll(List.of(more));
        return Cli.run(a.toArray(new String[0]));
    }

    @Test
    void mseOnClassLabelsTrainsOnOneHotTargetsWithArgmaxAccuracy() throws IOException {
        Path data = numeric("three.csv");
        Path run = tmp.resolve("mse");
        Cli.Result r = train(data, run, "--set", "loss=mse", "--set", "data.test_fraction=0.2", "--epochs", "6",
            "--set", "optimizer.lr=0.01");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("targets: class labels as one-hot vectors of 3 classes for mse; accuracy is the "
            + "argmax match"), r.err());
        JsonNode j = r.json();
        assertTrue(j.at("/test/accuracy").asDouble() > 0.8, "argmax accuracy of an mse classifier: " + j.get("test"));
        assertTrue(j.at("/history/5/accuracy").isNumber() && j.at("/history/5/val_accuracy").isNumber(), j.toString());
        assertFalse(j.at("/history/5").has("mae"), "no regression metrics for a classifier");
        String model = Files.readString(run.resolve("best/model.json"));
        assertTrue(model.contains("\"one_hot\" : true") && model.contains("\"units\" : 3"), model);
        Cli.Result e = Cli.run("eval", run.resolve("best").toString(), "--json");
        assertEquals(0, e.code(), e.toString());
        assertEquals(j.at("/test/accuracy").asDouble(), e.json().get("accuracy").asDouble(), 1e-9,
            "eval encodes the run's test rows as the run did");
        assertEquals(3, e.json().get("per_class").size(), "the per-class report comes from the argmax");
    }

    @Test
    void labelSmoothingChangesTheTargetsAndIsSaid() throws IOException {
        Path data = numeric("three.csv");
        Cli.Result plain = train(data, tmp.resolve("a"), "--epochs", "1");
        Cli.Result smooth = train(data, tmp.resolve("b"), "--epochs", "1", "--set", "data.label_smoothing=0.2");
        assertEquals(0, smooth.code(), smooth.toString());
        assertTrue(smooth.err().contains("label-smoothed (0.200) for softmax_cross_entropy"), smooth.err());
        assertNotEquals(plain.json().at("/history/0/loss").asDouble(), smooth.json().at("/history/0/loss").asDouble(),
            "the smoothed targets give another loss");
        Cli.Result bad = train(data, tmp.resolve("c"), "--set", "data.label_smoothing=1.5");
        assertEquals(2, bad.code(), bad.toString());
        assertTrue(bad.err().contains("data.label_smoothing: must be in [0, 1)"), bad.err());
    }

    @Test
    void bceOnThreeClassesIsOneHotAndOnTwoKeepsOneOutput() throws IOException {
        Path three = numeric("three.csv");
        Cli.Result r = train(three, tmp.resolve("bce3"), "--set", "loss=bce", "--epochs", "2");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("one-hot vectors of 3 classes for bce"), r.err());
        StringBuilder two = new StringBuilder("x,y\n");
        for (int i = 0; i < 200; i++) {
            two.append(i % 2 == 0 ? -1 - 0.01 * i : 1 + 0.01 * i).append(',').append(i % 2).append('\n');
        }
        Path bin = Cli.write(tmp.resolve("two.csv"), two.toString());
        Cli.Result b = train(bin, tmp.resolve("bce2"), "--set", "loss=bce", "--epochs", "2");
        assertEquals(0, b.code(), b.toString());
        assertFalse(b.err().contains("one-hot"), b.err());
        assertTrue(Files.readString(tmp.resolve("bce2/best/model.json")).contains("\"units\" : 1"));
    }

    @Test
    void severalLabelColumnsTrainAMultiLabelClassifier() throws IOException {
        SplittableRandom r = new SplittableRandom(9);
        StringBuilder sb = new StringBuilder("a,b,c,big_a,pos_bc\n");
        for (int i = 0; i < 400; i++) {
            double a = r.nextDouble() * 2 - 1;
            double b = r.nextDouble() * 2 - 1;
            double c = r.nextDouble() * 2 - 1;
            sb.append(a).append(',').append(b).append(',').append(c).append(',').append(a > 0 ? 1 : 0).append(',')
              .append(b + c > 0 ? 1 : 0).append('\n');
        }
        Path data = Cli.write(tmp.resolve("ml.csv"), sb.toString());
        Path run = tmp.resolve("ml");
        Cli.Result t = train(data, run, "--set", "loss=bce", "--set", "data.label_columns=[big_a, pos_bc]",
            "--epochs", "8", "--set", "optimizer.lr=0.01");
        assertEquals(0, t.code(), t.toString());
        assertTrue(t.json().at("/history/7/val_accuracy").asDouble() > 0.85, t.json().toString());
        String model = Files.readString(run.resolve("best/model.json"));
        assertTrue(model.contains("\"task\" : \"multilabel\"") && model.contains("[ \"big_a\", \"pos_bc\" ]"), model);
        Path rows = Cli.write(tmp.resolve("rows.csv"), "a,b,c\n0.9,0.9,0.9\n-0.9,-0.9,-0.9\n");
        Cli.Result p = Cli.run("predict", run.resolve("best").toString(), rows.toString());
        assertEquals(0, p.code(), p.toString());
        assertTrue(p.out().startsWith("0: big_a, pos_bc  ["), p.out());
        assertTrue(p.out().contains("1: (no label)  ["), p.out());
        Cli.Result both = train(data, tmp.resolve("x"), "--set", "data.label_columns=[big_a]", "--set",
            "data.label_column=pos_bc");
        assertEquals(2, both.code(), both.toString());
        Cli.Result softmax = train(data, tmp.resolve("s"), "--set", "data.label_columns=[big_a, pos_bc]");
        assertEquals(2, softmax.code(), softmax.toString());
        assertTrue(softmax.err().contains("which softmax_cross_entropy cannot learn; set loss: binary_cross_entropy"),
            softmax.err());
    }

    @Test
    void textClassesAndCategoricalColumnsAreEncodedAndKept() throws IOException {
        Path data = tabular("iris.csv", 400, 1);
        Path test = tabular("iris-test.csv", 90, 2);
        Path run = tmp.resolve("iris");
        Cli.Result r = train(data, run, "--set", "data.test_file=" + test, "--epochs", "8", "--set",
            "optimizer.lr=0.01");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("column 'colour' is categorical: 3 values (blue, green, red), one-hot encoded as 3 "
            + "features"), r.err());
        assertTrue(r.err().contains("labels in column 'species' are text: 3 classes (setosa, versicolor, virginica)"),
            r.err());
        assertEquals(90, r.json().at("/test/samples").asInt(), "the test file is the test split");
        String model = Files.readString(run.resolve("best/model.json"));
        assertTrue(model.contains("[ \"setosa\", \"versicolor\", \"virginica\" ]"), model);
        assertTrue(model.contains("\"colour=blue\", \"colour=green\", \"colour=red\""), model);
        Cli.Result e = Cli.run("eval", run.resolve("best").toString(), "--data", test.toString(), "--json");
        assertEquals(0, e.code(), e.toString());
        assertEquals("setosa", e.json().at("/per_class/0/name").asText());
        assertEquals(r.json().at("/test/accuracy").asDouble(), e.json().get("accuracy").asDouble(), 1e-9);
        Path rows = Cli.write(tmp.resolve("rows.csv"), "x2,colour,x1\n0.1,red,0.0\n-2.1,blue,2.0\n");
        Cli.Result p = Cli.run("predict", run.resolve("best").toString(), rows.toString());
        assertEquals(0, p.code(), p.toString());
        assertTrue(p.out().startsWith("0: setosa (") && p.out().contains("\n1: virginica ("), p.out());
        Path unknown = Cli.write(tmp.resolve("unknown.csv"), "x1,x2,colour,species\n0,0,red,rose\n");
        Cli.Result u = Cli.run("eval", run.resolve("best").toString(), "--data", unknown.toString());
        assertEquals(3, u.code(), u.toString());
        assertTrue(u.err().contains("unknown.csv:2: label 'rose' in column 'species' is not one of the model's classes"),
            u.err());
    }

    @Test
    void aMixedColumnIsRefusedUnlessListedAsCategorical() throws IOException {
        Path data = Cli.write(tmp.resolve("zip.csv"), "zip,size,y\n1010,S,0\n2020,M,1\n1010,L,0\n3030,x,1\n"
            + "2020,S,1\n3030,M,0\n");
        Cli.Result ok = train(data, tmp.resolve("z"), "--set", "data.categorical=[zip]", "--epochs", "1");
        assertEquals(0, ok.code(), ok.toString());
        assertTrue(ok.err().contains("column 'zip' is categorical: 3 values (1010, 2020, 3030)"), ok.err());
        Path mixed = Cli.write(tmp.resolve("mixed.csv"), "a,y\n1,0\nx,1\n2,1\n");
        Cli.Result bad = train(mixed, tmp.resolve("m"));
        assertEquals(3, bad.code(), bad.toString());
        assertTrue(bad.err().contains("mixed.csv:3:1: column 'a' holds 'x', which is not a number"), bad.err());
    }

    @Test
    void aHeldOutTestFractionIsTheSameRowsForTrainAndEval() throws IOException {
        Path data = numeric("three.csv");
        Path run = tmp.resolve("frac");
        Cli.Result r = train(data, run, "--set", "data.test_fraction=0.25", "--epochs", "2");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("holding out 75 of 300 rows as the test split"), r.err());
        assertEquals(75, r.json().at("/test/samples").asInt());
        Cli.Result e = Cli.run("eval", run.resolve("best").toString(), "--json");
        assertEquals(0, e.code(), e.toString());
        assertEquals(r.json().at("/test/loss").asDouble(), e.json().get("loss").asDouble(), 1e-6);
        Cli.Result both = train(data, tmp.resolve("x"), "--set", "data.test_fraction=0.2", "--set",
            "data.test_file=" + data);
        assertEquals(2, both.code(), both.toString());
        Cli.Result images = Cli.run("train", "--set", "data.test_fraction=0.2", "--device", "cpu", "--out",
            tmp.resolve("y").toString());
        assertEquals(2, images.code(), images.toString());
        assertTrue(images.err().contains("data.test_fraction applies to CSV data"), images.err());
    }

    @Test
    void anySplitIsEvaluatedEveryNEpochsIntoTheMetrics() throws IOException {
        Path data = numeric("three.csv");
        Path run = tmp.resolve("every");
        Cli.Result r = train(data, run, "--set", "data.test_fraction=0.2", "--set", "evaluation.every_epochs=2",
            "--set", "evaluation.splits=[validation, test]", "--set", "training.early_stopping.monitor=test_accuracy",
            "--epochs", "5");
        assertEquals(0, r.code(), r.toString());
        List<String> csv = Files.readAllLines(run.resolve("metrics.csv"));
        assertEquals("epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds,test_loss,test_accuracy", csv.get(0));
        assertTrue(csv.get(1).endsWith(",,"), "epoch 1 is not evaluated: " + csv.get(1));
        assertFalse(csv.get(2).endsWith(",,") || csv.get(2).split(",")[3].isEmpty(), csv.get(2));
        assertFalse(csv.get(5).endsWith(",,"), "the last epoch is always evaluated: " + csv.get(5));
        JsonNode h = r.json().get("history");
        assertTrue(h.get(0).get("val_loss").isNull() && h.get(1).get("test_accuracy").isNumber(), h.toString());
        int best = r.json().get("best_epoch").asInt();
        assertTrue(best == 2 || best == 4 || best == 5, "the best epoch is an evaluated one: " + best);
        assertTrue(r.err().contains("test_loss"), "the console shows the test numbers: " + r.err());
        Cli.Result noTest = train(data, tmp.resolve("n"), "--set", "evaluation.splits=[test]", "--set",
            "training.early_stopping.monitor=test_loss");
        assertEquals(2, noTest.code(), noTest.toString());
        assertTrue(noTest.err().contains("evaluation.splits lists test, but the data"), noTest.err());
        Cli.Result noVal = train(data, tmp.resolve("v"), "--set", "data.test_fraction=0.2", "--set",
            "evaluation.splits=[test]");
        assertEquals(2, noVal.code(), noVal.toString());
        assertTrue(noVal.err().contains("reads the validation split, but evaluation.splits does not list validation"),
            noVal.err());
        Cli.Result monitor = train(data, tmp.resolve("o"), "--set", "training.early_stopping.monitor=test_loss");
        assertEquals(2, monitor.code(), monitor.toString());
        assertTrue(monitor.err().contains("add test to evaluation.splits"), monitor.err());
    }

    @Test
    void validationOnTheTestSplitIsSaidAndIsTheTestSplit() throws IOException {
        Path data = numeric("three.csv");
        Cli.Result r = train(data, tmp.resolve("vt"), "--set", "data.test_fraction=0.2", "--set",
            "data.validation=test", "--epochs", "2");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("data.validation: test — validating on the test split (60 samples)"), r.err());
        assertTrue(r.err().contains("(240 training, 60 validation, 60 test samples)"), r.err());
        JsonNode j = r.json();
        assertEquals(j.at("/history/1/val_loss").asDouble(), j.at("/test/loss").asDouble(), 1e-6,
            "the last epoch is the best and its validation is the test split");
        Cli.Result none = train(data, tmp.resolve("vn"), "--set", "data.validation=test");
        assertEquals(2, none.code(), none.toString());
        assertTrue(none.err().contains("data.validation: test, but the data"), none.err());
        Cli.Result typo = train(data, tmp.resolve("vx"), "--set", "data.validation=tset");
        assertEquals(2, typo.code(), typo.toString());
        assertTrue(typo.err().contains("or test (validate on the test split), got tset"), typo.err());
    }

    @Test
    void regressionHistoryHasMaeAndRmseAndTheCurvesShowThem() throws IOException {
        SplittableRandom r = new SplittableRandom(4);
        StringBuilder sb = new StringBuilder("a,b,y1,y2\n");
        for (int i = 0; i < 300; i++) {
            double a = r.nextDouble() * 2 - 1;
            double b = r.nextDouble() * 2 - 1;
            sb.append(a).append(',').append(b).append(',').append(2 * a - b).append(',').append(a + b).append('\n');
        }
        Path data = Cli.write(tmp.resolve("reg.csv"), sb.toString());
        Path run = tmp.resolve("reg");
        Cli.Result t = train(data, run, "--set", "data.task=regression", "--set", "data.label_columns=[y1, y2]",
            "--set", "data.test_fraction=0.2", "--epochs", "4");
        assertEquals(0, t.code(), t.toString());
        JsonNode last = t.json().at("/history/3");
        for (String k : List.of("mae", "rmse", "val_mae", "val_rmse")) {
            assertTrue(last.get(k).asDouble() > 0, k + " in " + last);
        }
        assertEquals(Math.sqrt(last.get("loss").asDouble()), last.get("rmse").asDouble(), 1e-6,
            "the running rmse is the root of the running mean squared error");
        assertTrue(last.get("accuracy").isNull());
        for (String k : List.of("loss", "mae", "rmse", "r2")) {
            assertTrue(t.json().get("test").has(k), k);
        }
        assertTrue(Files.readString(run.resolve("metrics.csv")).lines().findFirst().orElseThrow()
            .endsWith(",mae,rmse,val_mae,val_rmse"));
        java.awt.image.BufferedImage png = javax.imageio.ImageIO.read(run.resolve("curves.png").toFile());
        assertEquals(1800, png.getWidth(), "three panels: loss, mean absolute error, learning rate");
        assertTrue(t.err().contains("  mae "), "the console shows the mae: " + t.err());
    }

    @Test
    void theTextbookExampleRunsFromItsJobFile() throws IOException {
        Path shared = Cli.sharedData();
        assumeTrue(shared != null, "MNIST not found: ../shared/data/mnist is absent on this machine");
        Path job = Cli.root().resolve("examples/textbook-mnist.yaml");
        Path run = tmp.resolve("book");
        // the example as written, shortened: 20 epochs on 3000 training images (evaluated at 10 and 20)
        Cli.Result r = Cli.run("train", job.toString(), "--data-dir", shared.toString(), "--set", "data.limit=3000",
            "--epochs", "20", "--out", run.toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("validating on the test split (10000 samples)"), r.err());
        JsonNode h = r.json().get("history");
        for (int e = 0; e < 20; e++) {
            assertEquals(e == 9 || e == 19, h.get(e).get("val_accuracy").isNumber(), "epoch " + (e + 1) + ": " + h.get(e));
        }
        assertTrue(r.json().at("/test/accuracy").asDouble() > 0.6, r.json().get("test").toString());
        String yaml = Files.readString(run.resolve("job.yaml"));
        assertTrue(yaml.contains("init: \"normal(0, 1)\"") && yaml.contains("bias_init: \"normal(0, 1)\""), yaml);
        assertTrue(yaml.contains("validation: test") && yaml.contains("every_epochs: 10"), yaml);
    }
}
