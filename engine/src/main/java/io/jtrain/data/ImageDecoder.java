package io.jtrain.data;

import io.jtrain.tensor.Shape;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.awt.color.ColorSpace;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import javax.imageio.ImageIO;

/**
 * The one image decoder of {@code predict}, {@link io.jtrain.api.Predictor} and image-folder data: an image
 * becomes a sample of a model's input shape [C, H, W] with values in [0, 1], exactly as the IDX and CIFAR
 * readers scale bytes. Pixel values are read from the image's raster as stored — no colour management — so
 * a grey-scale PNG with value 110 gives 110/255 (drawing it into an RGB image would apply a gamma curve and
 * brighten it to 175). A colour image given to a one-channel model is converted to luminance
 * (0.299 R + 0.587 G + 0.114 B); a grey image given to a three-channel model is repeated in each channel;
 * alpha is ignored; an image of another size is resized by area averaging. Each conversion is reported in
 * one line through the notice consumer.
 */
public final class ImageDecoder {
    private ImageDecoder() { }

    /** File name endings read as images. */
    public static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".bmp")
            || n.endsWith(".gif");
    }

    /** Reads an image file; problems are {@link DataException}s naming the file. */
    public static BufferedImage read(Path p) {
        if (Files.isDirectory(p)) {
            throw new DataException(p + ": is a directory, not an image file");
        }
        BufferedImage img;
        try (var in = Files.newInputStream(p)) {
            img = ImageIO.read(in);
        } catch (NoSuchFileException | AccessDeniedException e) {
            throw DataException.reading(p, e);
        } catch (IOException | RuntimeException e) {
            throw new DataException(p + ": not a readable image (" + e.getMessage() + ")");
        }
        if (img == null) {
            throw new DataException(p + ": not a readable image (PNG, JPEG, BMP or GIF)");
        }
        return img;
    }

    /**
     * The sample of {@code img} for a model taking {@code in} = [C, H, W] (C = 1 or 3).
     *
     * @param where names the image in messages
     * @param notices receives one line per conversion made (resize, colour to grey, grey to colour)
     * @return C*H*W values in [0, 1], channel-major
     */
    public static float[] sample(BufferedImage img, Shape in, String where, Consumer<String> notices) {
        if (in.rank() != 3 || (in.dim(0) != 1 && in.dim(0) != 3)) {
            throw new DataException(where + ": the model takes samples of shape " + in + ", not images; pass the "
                + "data as CSV or IDX");
        }
        int c = in.dim(0);
        int h = in.dim(1);
        int w = in.dim(2);
        float[][] planes = planes(img);
        List<String> done = new ArrayList<>();
        if (c == 1 && planes.length == 3) {
            planes = new float[][] {luminance(planes)};
            done.add("converted from colour to grey-scale");
        } else if (c == 3 && planes.length == 1) {
            planes = new float[][] {planes[0], planes[0], planes[0]};
            done.add("repeated its grey channel in R, G and B");
        }
        if (img.getWidth() != w || img.getHeight() != h) {
            for (int k = 0; k < planes.length; k++) {
                planes[k] = resize(planes[k], img.getWidth(), img.getHeight(), w, h);
            }
            done.add("resized from " + img.getWidth() + "x" + img.getHeight() + " to " + w + "x" + h);
        }
        if (!done.isEmpty()) {
            notices.accept(where + ": " + String.join(", ", done) + " for the model's input " + in);
        }
        float[] s = new float[c * h * w];
        for (int k = 0; k < c; k++) {
            System.arraycopy(planes[k], 0, s, k * h * w, h * w);
        }
        return s;
    }

    /** One plane per colour channel (1 for grey, 3 for colour), values in [0, 1], alpha dropped. */
    static float[][] planes(BufferedImage img) {
        ColorModel cm = img.getColorModel();
        int w = img.getWidth();
        int h = img.getHeight();
        if (cm instanceof ComponentColorModel && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY) {
            Raster r = img.getRaster();
            double max = (1L << cm.getComponentSize(0)) - 1;
            float[] g = new float[w * h];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    g[y * w + x] = (float) (r.getSample(x, y, 0) / max);
                }
            }
            return new float[][] {g};
        }
        float[][] rgb = new float[3][w * h];
        boolean grey = true;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = img.getRGB(x, y);
                int r = (v >> 16) & 0xff;
                int g = (v >> 8) & 0xff;
                int b = v & 0xff;
                grey &= r == g && g == b;
                rgb[0][y * w + x] = r / 255f;
                rgb[1][y * w + x] = g / 255f;
                rgb[2][y * w + x] = b / 255f;
            }
        }
        return grey && cm.getNumColorComponents() == 1 ? new float[][] {rgb[0]} : rgb;
    }

    private static float[] luminance(float[][] rgb) {
        float[] g = new float[rgb[0].length];
        for (int i = 0; i < g.length; i++) {
            g[i] = 0.299f * rgb[0][i] + 0.587f * rgb[1][i] + 0.114f * rgb[2][i];
        }
        return g;
    }

    /**
     * Area-averaging resize of one plane: each output pixel is the mean of the source area it covers,
     * weighted by the covered fraction of each source pixel (exact for integer down-scaling; an up-scaled
     * pixel takes the source pixel it lies in).
     */
    static float[] resize(float[] src, int sw, int sh, int dw, int dh) {
        float[] out = new float[dw * dh];
        double fx = (double) sw / dw;
        double fy = (double) sh / dh;
        for (int oy = 0; oy < dh; oy++) {
            double y0 = oy * fy;
            double y1 = y0 + fy;
            for (int ox = 0; ox < dw; ox++) {
                double x0 = ox * fx;
                double x1 = x0 + fx;
                double sum = 0;
                double area = 0;
                for (int sy = (int) y0; sy < Math.min(sh, (int) Math.ceil(y1)); sy++) {
                    double wy = Math.min(y1, sy + 1) - Math.max(y0, sy);
                    for (int sx = (int) x0; sx < Math.min(sw, (int) Math.ceil(x1)); sx++) {
                        double wx = Math.min(x1, sx + 1) - Math.max(x0, sx);
                        sum += wx * wy * src[sy * sw + sx];
                        area += wx * wy;
                    }
                }
                out[oy * dw + ox] = (float) (sum / area);
            }
        }
        return out;
    }
}
