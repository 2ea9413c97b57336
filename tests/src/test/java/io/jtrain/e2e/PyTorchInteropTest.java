package io.jtrain.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Saved weights load into PyTorch: a trained cnn-bn model (convolutions, batch norm with running
 * statistics, dropout, dense) is rebuilt as torch.nn.Sequential by tests/pytorch/load_in_pytorch.py,
 * and its predictions match jtrain predict. Skipped when Debian's python3-torch is not installed.
 */
class PyTorchInteropTest {
    @TempDir
    Path tmp;

    static boolean torchAvailable() {
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import torch").redirectErrorStream(true).start();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void pytorchReproducesPredictionsFromOurSafetensors() throws Exception {
        assumeTrue(torchAvailable(), "PyTorch not installed (apt-get install python3-torch): interop not checked");
        Path job = Cli.write(tmp.resolve("job.yaml"), "data:\n  limit: 600\nmodel:\n  preset: cnn-bn\n"
            + "training:\n  epochs: 1\n  batch_size: 32\n  device: cpu\n");
        Path run = tmp.resolve("run");
        assertEquals(0, Cli.run("train", job.toString(), "--out", run.toString()).code());
        byte[] img = new byte[5 * 784];
        byte[] src = io.jtrain.data.IdxReader.read(Cli.root().resolve(
            "engine/src/main/resources/io/jtrain/data/embedded/t10k-images-idx3-ubyte.gz")).data();
        System.arraycopy(src, 0, img, 0, img.length);
        Path idx = tmp.resolve("five-idx3-ubyte");
        Files.write(idx, io.jtrain.data.IdxReader.encode(new int[] {5, 28, 28}, img));
        JsonNode ours = Cli.run("predict", run.resolve("best").toString(), idx.toString(), "--json").json()
            .get("predictions");
        Process p = new ProcessBuilder("/usr/bin/python3",
            Cli.root().resolve("tests/pytorch/load_in_pytorch.py").toString(), run.resolve("best").toString(),
            idx.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        JsonNode theirs = Cli.JSON.readTree(out);
        assertEquals(5, theirs.size());
        for (int i = 0; i < 5; i++) {
            for (int c = 0; c < 10; c++) {
                assertEquals(theirs.get(i).get(c).asDouble(),
                    ours.get(i).get("probabilities").get(c).asDouble(), 2e-5, "sample " + i + " class " + c);
            }
        }
    }
}
