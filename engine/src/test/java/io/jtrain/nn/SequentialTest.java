package io.jtrain.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jtrain.model.ModelJson;
import io.jtrain.model.Presets;
import io.jtrain.tensor.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Build-time shape inference, shape errors, summaries and spec round trips. */
class SequentialTest {

    @Test
    void shapeMismatchNamesLayerTypeAndBothShapes() {
        ModelSpec spec = new ModelSpec(Shape.of(1, 28, 28), List.of(LayerSpec.of("conv2d", "filters", 4, "kernel", 3),
            LayerSpec.of("dense", "units", 10)));
        ShapeException e = assertThrows(ShapeException.class, () -> Sequential.build(spec));
        assertEquals(1, e.index());
        assertTrue(e.getMessage().contains("layer 1 (dense)"), e.getMessage());
        assertTrue(e.getMessage().contains("[4, 26, 26]"), e.getMessage());
        assertTrue(e.getMessage().contains("flatten"), e.getMessage());
    }

    @Test
    void declaredInputSizeIsChecked() {
        ModelSpec spec = new ModelSpec(Shape.of(784), List.of(LayerSpec.of("dense", "units", 10, "in_features", 100)));
        ShapeException e = assertThrows(ShapeException.class, () -> Sequential.build(spec));
        assertTrue(e.getMessage().contains("[100]") && e.getMessage().contains("[784]"), e.getMessage());
    }

    @Test
    void kernelLargerThanInputIsReported() {
        ModelSpec spec = new ModelSpec(Shape.of(1, 4, 4), List.of(LayerSpec.of("conv2d", "filters", 2, "kernel", 5)));
        assertThrows(ShapeException.class, () -> Sequential.build(spec));
    }

    @Test
    void unknownLayerOptionsAndTypesAreRejectedWithAllowedValues() {
        SpecException e = assertThrows(SpecException.class, () -> Sequential.build(new ModelSpec(Shape.of(3),
            List.of(LayerSpec.of("dense", "unitz", 3)))));
        assertTrue(e.getMessage().contains("unknown option 'unitz'") && e.getMessage().contains("units"),
            e.getMessage());
        e = assertThrows(SpecException.class, () -> Sequential.build(new ModelSpec(Shape.of(3),
            List.of(LayerSpec.of("denze")))));
        assertTrue(e.getMessage().contains("allowed"), e.getMessage());
        e = assertThrows(SpecException.class, () -> Sequential.build(new ModelSpec(Shape.of(1, 8, 8),
            List.of(LayerSpec.of("conv2d", "filters", 2, "kernel", 4, "padding", "same")))));
        assertTrue(e.getMessage().contains("odd kernel"), e.getMessage());
    }

    @Test
    void summaryCountsMatchPyTorch() {
        // parameter counts of the equivalent torch.nn.Sequential models (sum(p.numel()))
        assertEquals(61_706, summary("lenet5", Shape.of(1, 28, 28)).trainableParams());
        assertEquals(269_322, summary("mlp", Shape.of(1, 28, 28)).trainableParams());
        assertEquals(70_765, summary("dlfs", Shape.of(1, 28, 28)).trainableParams());
        Summary cnn = summary("cnn-bn", Shape.of(1, 28, 28));
        assertEquals(384, cnn.nonTrainableParams(), "running mean and variance of 32+32+64+64 channels");
        assertTrue(cnn.render().contains("Total params"));
    }

    private static Summary summary(String preset, Shape in) {
        try (Sequential m = Sequential.build(new ModelSpec(in, Presets.get(preset).layers()))) {
            return m.summary();
        }
    }

    @Test
    void specRoundTripsThroughJson() {
        for (String p : Presets.names()) {
            ModelSpec spec = new ModelSpec(Shape.of(3, 32, 32), Presets.get(p).layers());
            ModelSpec back = ModelJson.specFrom(ModelJson.specJson(spec), "test");
            assertEquals(spec.input(), back.input());
            assertEquals(spec.layers().size(), back.layers().size());
            for (int i = 0; i < spec.layers().size(); i++) {
                assertEquals(spec.layers().get(i).type(), back.layers().get(i).type());
                assertEquals(ModelJson.MAPPER.valueToTree(spec.layers().get(i).options()),
                    ModelJson.MAPPER.valueToTree(back.layers().get(i).options()), p + " layer " + i);
            }
        }
    }
}
