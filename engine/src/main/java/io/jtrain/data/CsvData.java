package io.jtrain.data;

import io.jtrain.tensor.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Tabular data from CSV: a header line, the label column(s) (by name; the last column by default) and feature
 * columns. A feature column none of whose values is a number (or one listed in {@code data.categorical}) is
 * categorical: one-hot encoded into one feature per value, named {@code column=value}, values sorted. For
 * classification, labels are integer class indices 0..K-1, or text: class names, sorted, the index of each
 * its place in that order. Several label columns make each sample's targets a vector (0/1 labels for
 * multi-label classification, values for regression). Empty, {@code nan} and infinite cells are non-finite
 * values: {@link #read} refuses them (naming file:line:column), {@link #load} keeps them and reports where
 * they are, for the doctor. A test file is encoded with the training file's categories and classes together.
 */
public final class CsvData {
    /** The most classes a CSV classification data set may have (labels 0 .. MAX_CLASSES - 1). */
    public static final int MAX_CLASSES = 1 << 16;

    private CsvData() { }

    /**
     * How to read a CSV.
     *
     * @param labelColumns the label columns by name; null for the last column
     * @param categorical numeric feature columns to encode as categories anyway; null for none
     * @param knownClasses the class names of a trained model (labels must be among them), or null
     * @param knownFeatures the feature names of a trained model (the columns to take, categories encoded as it
     *     was trained), or null
     */
    public record Options(List<String> labelColumns, boolean regression, List<String> categorical,
                          String[] knownClasses, String[] knownFeatures) {
        /** One label column (null: the last). */
        public static Options of(String labelColumn, boolean regression) {
            return new Options(labelColumn == null ? null : List.of(labelColumn), regression, null, null, null);
        }
    }

    /** A CSV data set, its file rows, its non-finite cells (null when there are none) and the reader's notes. */
    public record Loaded(Dataset data, String[] features, DataSplits.Origin origin, DataSplits.NonFinite nonFinite,
                         List<String> notes) {
        public Loaded(Dataset data, String[] features, DataSplits.Origin origin, DataSplits.NonFinite nonFinite) {
            this(data, features, origin, nonFinite, List.of());
        }

        /** As splits: everything is training data. */
        public DataSplits splits() {
            return new DataSplits(data, null, null, origin, null, nonFinite, features, notes);
        }

        /** As splits with {@code test} (read with {@link #load(Path, Path, Options)}) as the test split. */
        public DataSplits withTest(Loaded test) {
            DataSplits.NonFinite nf = nonFinite != null ? nonFinite : test.nonFinite();
            return new DataSplits(data, null, test.data(), origin, test.origin(), nf, features, notes);
        }

        /** As splits with a seeded {@code fraction} of the rows held out as the test split. */
        public DataSplits holdOut(double fraction, long seed) {
            int n = data.size();
            int nt = (int) Math.round(n * fraction);
            if (nt < 1 || nt >= n) {
                throw new DataException(data.name() + ": data.test_fraction " + fraction + " of " + n + " rows leaves "
                    + (nt < 1 ? "no test row" : "no training row") + "; choose another fraction");
            }
            int[] perm = Splits.permutation(n, seed);
            int[] test = Arrays.copyOfRange(perm, 0, nt);
            int[] train = Arrays.copyOfRange(perm, nt, n);
            Arrays.sort(test);
            Arrays.sort(train);
            List<String> all = new ArrayList<>(notes);
            all.add(data.name() + ": holding out " + nt + " of " + n + " rows as the test split (data.test_fraction "
                + fraction + ")");
            return new DataSplits(data.subset(train, data.name()), null, data.subset(test, data.name() + " (test)"),
                i -> origin.of(train[i]), i -> origin.of(test[i]), nonFinite, features, all);
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
        return load(file, Options.of(labelColumn, regression));
    }

    /** As {@link #load(Path, String, boolean)} with every option. */
    public static Loaded load(Path file, Options o) {
        CsvTable t = CsvTable.read(file);
        return CsvEncoding.of(List.of(t), o).encode(t);
    }

    /** A training file and its test file, encoded together (the same categories, classes and columns). */
    public static Loaded[] load(Path train, Path test, Options o) {
        CsvTable a = CsvTable.read(train);
        CsvTable b = CsvTable.read(test);
        CsvEncoding e = CsvEncoding.of(List.of(a, b), o);
        return new Loaded[] {e.encode(a), e.encode(b)};
    }

    /** As {@link #load(Path, String, boolean)} for CSV text ({@code where} names it in messages). */
    public static Loaded parse(String text, Path where, String labelColumn, boolean regression) {
        CsvTable t = CsvTable.parse(text, where);
        return CsvEncoding.of(List.of(t), Options.of(labelColumn, regression)).encode(t);
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
        List<String> header = Arrays.asList(t.header());
        if (names != null && names.length == features && Arrays.stream(names).anyMatch(n -> !header.contains(n))
            && Arrays.stream(names).allMatch(n -> CsvEncoding.Feature.parse(n, header) != null)) {
            return encoded(t, names, notices);    // categorical features: each value's indicator from its column
        }
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

    private static float[][] encoded(CsvTable t, String[] names, Consumer<String> notices) {
        List<String> header = Arrays.asList(t.header());
        CsvEncoding.Feature[] fs = Arrays.stream(names).map(n -> CsvEncoding.Feature.parse(n, header))
            .toArray(CsvEncoding.Feature[]::new);
        java.util.Set<String> used = new java.util.HashSet<>();
        Arrays.stream(fs).forEach(f -> used.add(f.column()));
        List<String> extra = header.stream().filter(h -> !used.contains(h)).toList();
        if (!extra.isEmpty()) {
            notices.accept(t.file() + ": ignoring column(s) " + String.join(", ", extra) + " (not features of the "
                + "model)");
        }
        float[][] out = new float[t.rows()][fs.length];
        NonFiniteCounter bad = new NonFiniteCounter(t.file());
        java.util.Map<String, String[]> text = new java.util.HashMap<>();
        for (int i = 0; i < t.rows(); i++) {
            for (int k = 0; k < fs.length; k++) {
                int col = t.column(fs[k].column());
                String[] cells = fs[k].category() == null ? null : text.computeIfAbsent(fs[k].column(),
                    c -> t.columnCells(col));
                out[i][k] = fs[k].value(t, i, col, cells);
                bad.check(out[i][k], t, i, col);
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
    static final class NonFiniteCounter {
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
