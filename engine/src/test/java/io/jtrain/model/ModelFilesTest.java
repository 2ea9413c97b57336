package io.jtrain.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jtrain.TestBackends;
import io.jtrain.backend.cpu.CpuBackend;
import io.jtrain.data.DataException;
import io.jtrain.data.Normalization;
import io.jtrain.nn.Layer;
import io.jtrain.nn.ModelSpec;
import io.jtrain.nn.Sequential;
import io.jtrain.tensor.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** safetensors round trips, corrupt and truncated files, model directories. */
class ModelFilesTest {
    @TempDir
    Path dir;

    @Test
    void safetensorsRoundTripWithMetadata() {
        Path f = dir.resolve("a.safetensors");
        Safetensors.write(f, List.of(new Safetensors.Entry("w", new int[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}),
            new Safetensors.Entry("b", new int[] {2}, new float[] {-1, 0.5f})), Map.of("k", "v"));
        Safetensors.Contents c = Safetensors.read(f);
        assertArrayEquals(new int[] {2, 3}, c.tensors().get("w").shape());
        assertArrayEquals(new float[] {-1, 0.5f}, c.tensors().get("b").data());
        assertEquals("v", c.metadata().get("k"));
    }

    @Test
    void truncatedAndCorruptFilesAreRejected() throws IOException {
        Path f = dir.resolve("a.safetensors");
        Safetensors.write(f, List.of(new Safetensors.Entry("w", new int[] {4}, new float[] {1, 2, 3, 4})), Map.of());
        byte[] b = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(b, b.length - 3));
        DataException e = assertThrows(DataException.class, () -> Safetensors.read(f));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        b[9] = '#';
        Files.write(f, b);
        assertThrows(DataException.class, () -> Safetensors.read(f));
        Files.write(f, new byte[] {1, 2});
        assertThrows(DataException.class, () -> Safetensors.read(f));
    }

    @Test
    void modelDirectoryRoundTripAndShapeCheck() {
        ModelSpec spec = new ModelSpec(Shape.of(1, 28, 28), Presets.get("cnn-bn").layers());
        try (CpuBackend be = TestBackends.cpu(); Sequential m = Sequential.build(spec)) {
            m.bind(be, 5);
            ModelMeta meta = new ModelMeta(spec, "softmax_cross_entropy",
                new Normalization(Normalization.Mode.GLOBAL, new float[] {0.3f}, new float[] {0.2f}),
                new String[] {"a", "b"}, 4);
            ModelFiles.saveModel(dir.resolve("best"), m, meta);
            try (ModelFiles.Loaded l = ModelFiles.loadModel(dir.resolve("best"), be)) {
                List<Layer.NamedTensor> a = m.stateTensors();
                List<Layer.NamedTensor> b = l.model().stateTensors();
                for (int i = 0; i < a.size(); i++) {
                    assertArrayEquals(TestBackends.get(be, a.get(i).tensor()), TestBackends.get(be, b.get(i).tensor()),
                        a.get(i).name());
                }
                assertEquals(4, l.meta().epoch());
                assertEquals(0.3f, l.meta().normalization().mean()[0]);
            }
            ModelSpec other = new ModelSpec(Shape.of(1, 28, 28), Presets.get("lenet5").layers());
            ModelMeta wrong = new ModelMeta(other, "softmax_cross_entropy", Normalization.none(), new String[0], 1);
            io.jtrain.util.AtomicFiles.writeString(dir.resolve("best/model.json"), ModelJson.toJson(wrong).toString());
            DataException e = assertThrows(DataException.class, () -> ModelFiles.loadModel(dir.resolve("best"), be));
            assertTrue(e.getMessage().contains("shape") || e.getMessage().contains("missing"), e.getMessage());
            assertEquals(true, be.pool().inUseBytes() > 0);
        }
    }
}
