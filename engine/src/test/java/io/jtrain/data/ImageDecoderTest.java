package io.jtrain.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jtrain.tensor.Shape;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one image decoder: raw pixel values (no gamma), luminance, repetition, area-averaging resize. */
class ImageDecoderTest {
    @TempDir
    Path dir;

    static BufferedImage grey(int w, int h, int value) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, value);
            }
        }
        return img;
    }

    @Test
    void aGreyPngPixelOf110Is110Over255NotBrightened() throws IOException {
        Path p = dir.resolve("grey.png");
        ImageIO.write(grey(28, 28, 110), "png", p.toFile());
        List<String> notes = new ArrayList<>();
        float[] s = ImageDecoder.sample(ImageDecoder.read(p), Shape.of(1, 28, 28), p.toString(), notes::add);
        for (float v : s) {
            assertEquals(110 / 255f, v, 0f);
        }
        assertTrue(notes.isEmpty(), "no conversion for a grey image of the model's size: " + notes);
    }

    @Test
    void everyGreyLevelSurvivesAPngRoundTrip() throws IOException {
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        for (int i = 0; i < 256; i++) {
            img.getRaster().setSample(i % 16, i / 16, 0, i);
        }
        Path p = dir.resolve("ramp.png");
        ImageIO.write(img, "png", p.toFile());
        float[] s = ImageDecoder.sample(ImageDecoder.read(p), Shape.of(1, 16, 16), "ramp", x -> { });
        for (int i = 0; i < 256; i++) {
            assertEquals(i / 255f, s[i], 0f, "level " + i);
        }
    }

    @Test
    void colourToGreyIsLuminanceAndGreyToColourRepeats() {
        BufferedImage rgb = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(0, 0, 0xff0000);
        rgb.setRGB(1, 0, 0x0000ff);
        List<String> notes = new ArrayList<>();
        float[] g = ImageDecoder.sample(rgb, Shape.of(1, 1, 2), "rgb", notes::add);
        assertEquals(0.299f, g[0], 1e-6f);
        assertEquals(0.114f, g[1], 1e-6f);
        assertTrue(notes.get(0).contains("colour to grey"), notes.toString());
        float[] c = ImageDecoder.sample(grey(1, 1, 51), Shape.of(3, 1, 1), "grey", x -> { });
        assertEquals(0.2f, c[0], 1e-7f);
        assertEquals(0.2f, c[1], 1e-7f);
        assertEquals(0.2f, c[2], 1e-7f);
    }

    @Test
    void colourChannelsAreChannelMajor() {
        BufferedImage rgb = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(0, 0, 0x336699);
        float[] c = ImageDecoder.sample(rgb, Shape.of(3, 1, 1), "rgb", x -> { });
        assertEquals(0x33 / 255f, c[0], 0f);
        assertEquals(0x66 / 255f, c[1], 0f);
        assertEquals(0x99 / 255f, c[2], 0f);
    }

    @Test
    void integerDownscalingAveragesBlocksExactly() {
        BufferedImage img = new BufferedImage(4, 2, BufferedImage.TYPE_BYTE_GRAY);
        int[] v = {0, 255, 10, 20, 255, 0, 30, 40};
        for (int i = 0; i < 8; i++) {
            img.getRaster().setSample(i % 4, i / 4, 0, v[i]);
        }
        List<String> notes = new ArrayList<>();
        float[] s = ImageDecoder.sample(img, Shape.of(1, 1, 2), "img", notes::add);
        assertEquals(127.5f / 255f, s[0], 1e-6f);
        assertEquals(25f / 255f, s[1], 1e-6f);
        assertTrue(notes.get(0).contains("resized from 4x2 to 2x1"), notes.toString());
    }

    @Test
    void unreadableAndNonImageModelsAreRefused() throws IOException {
        Path txt = Files.writeString(dir.resolve("x.png"), "not an image");
        assertTrue(assertThrows(DataException.class, () -> ImageDecoder.read(txt)).getMessage()
            .contains("not a readable image"));
        assertTrue(assertThrows(DataException.class, () -> ImageDecoder.read(dir.resolve("none.png"))).getMessage()
            .contains("file not found"));
        assertTrue(assertThrows(DataException.class, () -> ImageDecoder.sample(grey(2, 2, 0), Shape.of(4), "img",
            x -> { })).getMessage().contains("not images"));
    }
}
