package io.jtrain.data;

import io.jtrain.tensor.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Tabular data from CSV: a header line, one label column (by name; the last column by default) and
 * numeric feature columns. For classification the labels are integer class indices 0..K-1. Empty,
 * {@code nan} and infinite cells are non-finite values: {@link #read} refuses them (naming file:line:column),
 * {@link #load} keeps them and reports where they are, for the doctor.
 */
public final class CsvData {
    /** The most classes a CSV classification data set may have (labels 0 .. MAX_CLASSES - 1). */
    public static final int MAX_CLASSES = 1 << 16;

    private CsvData() { }

    /** A CSV data set, its file rows and its non-finite cells (null when there are none). */
    public record Loaded(Dataset data, String[] features, DataSplits.Origin origin, DataSplits.NonFinite nonFinite) {
        /** As splits: everything is training data. */
        public DataSplits splits() {
            return new DataSplits(data, null, null, origin, null, nonFinite, features);
        }
    }

    /** Reads a data set, refusing non-finite values. */
    public static Dataset read(Path file, String labelColumn, boolean regression) {
        Loaded l = load(file, labelColumn, regression);
        if (l.nonFinite() != null) {
            throw new DataException(l.nonFinite().message());
        }
        return l.data();
    }

    /** Reads a data set, keeping non-finite values (reported in {@link Loaded#nonFinite()}). */
    public static Loaded load(Path file, String labelColumn, boolean regression) {
        return load(CsvTable.read(file), labelColumn, regression);
    }

    /** As {@link #load(Path, String, boolean)} for CSV text ({@code where} names it in messages). */
    public static Loaded parse(String text, Path where, String labelColumn, boolean regression) {
        return load(CsvTable.parse(text, where), labelColumn, regression);
    }

    private static Loaded load(CsvTable t, String labelColumn, boolean regression) {
        Path file = t.file();
        String[] header = t.header();
        int label = labelColumn == null ? header.length - 1 : t.column(labelColumn);
        if (header.length < 2) {
            throw new DataException(file + ":1: the header has one column; a data set needs at least one feature "
                + "column and a label column (separate the columns with commas)");
        }
        int f = header.length - 1;
        int n = t.rows();
        float[] x = new float[n * f];
        float[] y = new float[n];
        NonFiniteCounter bad = new NonFiniteCounter(file);
        for (int i = 0; i < n; i++) {
            int k = 0;
            for (int j = 0; j < header.length; j++) {
                float v = t.value(i, j);
                bad.check(v, t, i, j);
                if (j == label) {
                    y[i] = v;
                } else {
                    x[i * f + k++] = v;
                }
            }
        }
        int classes = regression ? 0 : classes(t, y, label);
        String[] names = new String[classes];
        Arrays.setAll(names, Integer::toString);
        String[] features = new String[f];
        for (int j = 0, k = 0; j < header.length; j++) {
            if (j != label) {
                features[k++] = header[j];
            }
        }
        Dataset d = new Dataset(file.getFileName().toString(), Shape.of(f), x, y, 1, classes, names);
        return new Loaded(d, features, i -> file + ":" + t.line(i), bad.result());
    }

    private static int classes(CsvTable t, float[] y, int label) {
        int classes = 0;
        for (int i = 0; i < y.length; i++) {
            float v = y[i];
            if (!Float.isFinite(v)) {
                continue;
            }
            if (v != Math.rint(v) || v < 0) {
                throw new DataException(t.file() + ":" + t.line(i) + ": label " + v + " in column '" + t.header()[label]
                    + "' is not a class index (0, 1, 2, ...); set data.task: regression for numeric targets");
            }
            if (v >= MAX_CLASSES) {
                throw new DataException(t.file() + ":" + t.line(i) + ": label " + v + " in column '" + t.header()[label]
                    + "' is beyond the " + MAX_CLASSES + " classes a classifier here may have; is it a regression "
                    + "target (data.task: regression)?");
            }
            classes = Math.max(classes, (int) v + 1);
        }
        return classes;
    }

    /**
     * The feature rows of a CSV for a model taking {@code features} values: columns chosen by the model's
     * feature names when it has them (extra columns, such as the label, are ignored with a notice), else
     * all columns by position. Non-finite values are refused.
     *
     * @param names the model's feature column names, or null
     * @return one array of {@code features} values per data row
     */
    public static float[][] features(Path file, int features, String[] names, Consumer<String> notices) {
        CsvTable t = CsvTable.read(file);
        int[] cols = columns(t, features, names, notices);
        float[][] out = new float[t.rows()][features];
        NonFiniteCounter bad = new NonFiniteCounter(file);
        for (int i = 0; i < t.rows(); i++) {
            for (int k = 0; k < features; k++) {
                float v = t.value(i, cols[k]);
                bad.check(v, t, i, cols[k]);
                out[i][k] = v;
            }
        }
        if (bad.result() != null) {
            throw new DataException(bad.result().message());
        }
        return out;
    }

    private static int[] columns(CsvTable t, int features, String[] names, Consumer<String> notices) {
        String[] header = t.header();
        int[] cols = new int[features];
        if (names != null && names.length == features) {
            List<String> missing = new ArrayList<>();
            for (int k = 0; k < features; k++) {
                cols[k] = Arrays.asList(header).indexOf(names[k]);
                if (cols[k] < 0) {
                    missing.add(names[k]);
                }
            }
            if (missing.isEmpty()) {
                if (header.length > features) {
                    List<String> extra = new ArrayList<>(Arrays.asList(header));
                    extra.removeAll(Arrays.asList(names));
                    notices.accept(t.file() + ": ignoring column(s) " + String.join(", ", extra) + " (not features of "
                        + "the model)");
                }
                return cols;
            }
            if (header.length != features) {
                throw new DataException(t.file() + ":1: no column(s) named " + String.join(", ", missing) + "; the "
                    + "model was trained on the columns " + String.join(", ", names));
            }
            notices.accept(t.file() + ": the header does not name the model's features (" + String.join(", ", names)
                + "); taking its " + features + " columns in order");
        } else if (header.length != features) {
            throw new DataException(t.file() + ":1: " + header.length + " columns, but the model takes " + features
                + " features" + (header.length == features + 1 ? "; remove the label column" : ""));
        }
        Arrays.setAll(cols, k -> k);
        return cols;
    }

    /** Counts non-finite cells and remembers the first. */
    private static final class NonFiniteCounter {
        private final Path file;
        private long count;
        private String first;

        NonFiniteCounter(Path file) {
            this.file = file;
        }

        void check(float v, CsvTable t, int row, int col) {
            if (!Float.isFinite(v) && count++ == 0) {
                first = file + ":" + t.line(row) + ":" + t.columnNumber(row, col) + ": column '" + t.header()[col]
                    + "' holds '" + t.cell(row, col) + "'";
            }
        }

        DataSplits.NonFinite result() {
            return count == 0 ? null : new DataSplits.NonFinite(count, first);
        }
    }
}
