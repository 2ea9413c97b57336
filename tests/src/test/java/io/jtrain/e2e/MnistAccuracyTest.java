package io.jtrain.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real training runs through the command line on MNIST from ../shared/data (skipped, saying why, when
 * that folder is absent): lenet5 for one epoch and dlfs for five epochs, with fixed seeds.
 */
class MnistAccuracyTest {
    static Path data;

    @TempDir
    Path tmp;

    @BeforeAll
    static void findData() {
        data = Cli.sharedData();
    }

    @Test
    void lenet5OneEpochReaches97Percent() {
        assumeTrue(data != null, "MNIST not found: ../shared/data/mnist is absent on this machine");
        Cli.Result r = Cli.run("train", "--preset", "lenet5", "--data", "mnist", "--data-dir", data.toString(),
            "--epochs", "1", "--seed", "1", "--device", "cpu", "--out", tmp.resolve("lenet5").toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        double acc = r.json().get("test").get("accuracy").asDouble();
        System.err.println("lenet5, 1 epoch, MNIST test accuracy " + acc);
        assertTrue(acc >= 0.97, "test accuracy " + acc);
    }

    @Test
    void dlfsFiveEpochsReaches95Percent() {
        assumeTrue(data != null, "MNIST not found: ../shared/data/mnist is absent on this machine");
        Cli.Result r = Cli.run("train", "--preset", "dlfs", "--data", "mnist", "--data-dir", data.toString(),
            "--epochs", "5", "--seed", "1", "--device", "cpu", "--out", tmp.resolve("dlfs").toString(), "--json");
        assertEquals(0, r.code(), r.toString());
        double acc = r.json().get("test").get("accuracy").asDouble();
        System.err.println("dlfs, 5 epochs, MNIST test accuracy " + acc);
        assertTrue(acc >= 0.95, "test accuracy " + acc);
    }
}
