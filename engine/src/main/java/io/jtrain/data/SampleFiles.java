package io.jtrain.data;

import io.jtrain.tensor.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Reads the samples of one input file for a model taking samples of shape {@code in}: an image (PNG, JPEG,
 * BMP, GIF; one sample, see {@link ImageDecoder}), a CSV file (one sample per row, see
 * {@link CsvData#features}) or an IDX file of images (one sample per image, bytes scaled to [0, 1]). Every
 * sample's shape is checked against the model's: a 32x32 IDX file is refused by a 28x28 model, never cut
 * into pieces.
 */
public final class SampleFiles {
    private SampleFiles() { }

    /**
     * The samples of {@code file}.
     *
     * @param in the model's per-sample input shape
     * @param features the model's feature column names (tabular models), or null
     * @param notices one line per conversion made (an image resized, CSV columns ignored)
     * @return one array of {@code in.size()} values per sample
     */
    public static float[][] read(Path file, Shape in, String[] features, Consumer<String> notices) {
        if (Files.isDirectory(file)) {
            throw new DataException(file + ": is a directory; pass image, CSV or IDX files");
        }
        if (ImageDecoder.isImage(file)) {
            return new float[][] {ImageDecoder.sample(ImageDecoder.read(file), in, file.toString(), notices)};
        }
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".csv")) {
            if (in.rank() != 1) {
                throw new DataException(file + ": a CSV file holds rows of features, but the model takes samples of "
                    + "shape " + in + "; pass images or an IDX file");
            }
            return CsvData.features(file, in.dim(0), features, notices);
        }
        return idx(file, in);
    }

    private static float[][] idx(Path file, Shape in) {
        IdxReader.Idx idx = IdxReader.read(file);
        int[] dims = idx.dims();
        int[] sample = Arrays.copyOfRange(dims, 1, dims.length);
        if (!fits(sample, in)) {
            throw new DataException(file + ": holds " + dims[0] + " samples of shape " + Arrays.toString(sample)
                + (dims.length == 1 ? " (a label file)" : "") + ", but the model takes samples of shape " + in);
        }
        int size = (int) in.size();
        float[] x = ImageData.toUnit(idx.data());
        float[][] out = new float[dims[0]][];
        for (int i = 0; i < out.length; i++) {
            out[i] = Arrays.copyOfRange(x, i * size, (i + 1) * size);
        }
        return out;
    }

    /** [H, W] fits [1, H, W]; otherwise the dimensions must be equal. */
    static boolean fits(int[] sample, Shape in) {
        int[] want = in.dims();
        if (Arrays.equals(sample, want)) {
            return true;
        }
        return want.length == sample.length + 1 && want[0] == 1
            && Arrays.equals(sample, Arrays.copyOfRange(want, 1, want.length));
    }
}
