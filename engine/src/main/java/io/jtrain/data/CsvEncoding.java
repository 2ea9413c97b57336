package io.jtrain.data;

import io.jtrain.tensor.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * How the columns of one or more CSV tables with the same header become samples (see {@link CsvData}): the
 * label columns, the features (a numeric column, or one category of a categorical column) and the class
 * names, decided once over every table so that a training file and its test file are encoded alike.
 */
final class CsvEncoding {
    /** One feature: a numeric column ({@code category} null) or the indicator of one category of a column. */
    record Feature(String column, String category) {
        String name() {
            return category == null ? column : column + "=" + category;
        }

        /** Parses a model's feature name: a column of {@code header}, else {@code column=category}, else null. */
        static Feature parse(String name, List<String> header) {
            if (header.contains(name)) {
                return new Feature(name, null);
            }
            int eq = name.indexOf('=');
            return eq > 0 && header.contains(name.substring(0, eq)) ? new Feature(name.substring(0, eq),
                name.substring(eq + 1)) : null;
        }

        /**
         * The feature's value in a row: the number, or 1/0 for the category (NaN for a missing cell).
         *
         * @param text the column's cells as text (for a category), or null
         */
        float value(CsvTable t, int row, int col, String[] text) {
            if (category == null) {
                return t.value(row, col);
            }
            String c = text[row];
            return CsvTable.missing(c) ? Float.NaN : c.equals(category) ? 1f : 0f;
        }
    }

    private final CsvData.Options opts;
    private final List<String> labels;
    private final List<Feature> features;
    private final String[] classNames;   // classification with one label column: the names; else null
    private final boolean textLabels;
    private final List<String> notes = new ArrayList<>();

    private CsvEncoding(CsvData.Options o, List<String> labels, List<Feature> features, String[] classNames,
                        boolean textLabels) {
        this.opts = o;
        this.labels = labels;
        this.features = features;
        this.classNames = classNames;
        this.textLabels = textLabels;
    }

    /** The encoding of {@code tables} (the first names the header the others must have). */
    static CsvEncoding of(List<CsvTable> tables, CsvData.Options o) {
        CsvTable first = tables.get(0);
        List<String> header = Arrays.asList(first.header());
        if (header.size() < 2) {
            throw new DataException(first.file() + ":1: the header has one column; a data set needs at least one "
                + "feature column and a label column (separate the columns with commas)");
        }
        for (CsvTable t : tables.subList(1, tables.size())) {
            if (!new TreeSet<>(Arrays.asList(t.header())).equals(new TreeSet<>(header))) {
                throw new DataException(t.file() + ":1: columns " + String.join(", ", t.header()) + ", but "
                    + first.file() + " has " + String.join(", ", header) + "; a test file needs the same columns");
            }
        }
        List<String> labels = o.labelColumns() != null ? o.labelColumns() : List.of(header.get(header.size() - 1));
        labels.forEach(first::column);
        List<String> notes = new ArrayList<>();
        List<Feature> features = o.knownFeatures() != null ? known(first, o.knownFeatures(), labels)
            : features(tables, header, labels, o, notes);
        boolean multi = labels.size() > 1;
        String[] names = null;
        boolean text = false;
        if (!o.regression() && !multi) {
            String label = labels.get(0);
            text = o.knownClasses() != null ? !defaultNames(o.knownClasses()) : tables.stream().allMatch(t ->
                t.textColumn(t.column(label))) && !tables.stream().allMatch(t -> allMissing(t, t.column(label)));
            names = o.knownClasses() != null ? o.knownClasses() : text ? textClasses(tables, label)
                : numericClasses(tables, label);
            if (text && o.knownClasses() == null) {
                notes.add(first.file() + ": labels in column '" + label + "' are text: " + names.length + " classes ("
                    + summary(names) + "), numbered in sorted order");
            }
        }
        CsvEncoding e = new CsvEncoding(o, labels, features, names, text);
        e.notes.addAll(notes);
        return e;
    }

    private static boolean allMissing(CsvTable t, int col) {
        for (int i = 0; i < t.rows(); i++) {
            if (!CsvTable.missing(t.cell(i, col))) {
                return false;
            }
        }
        return true;
    }

    private static boolean defaultNames(String[] names) {
        for (int i = 0; i < names.length; i++) {
            if (!names[i].equals(Integer.toString(i))) {
                return false;
            }
        }
        return true;
    }

    /** A trained model's features, by name, in its order. */
    private static List<Feature> known(CsvTable t, String[] names, List<String> labels) {
        List<String> header = Arrays.asList(t.header());
        List<Feature> out = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String n : names) {
            Feature f = Feature.parse(n, header);
            if (f == null) {
                missing.add(n);
            } else {
                out.add(f);
            }
        }
        if (!missing.isEmpty()) {
            throw new DataException(t.file() + ":1: no column(s) for the model's feature(s) " + String.join(", ",
                missing) + "; the model was trained on " + String.join(", ", names));
        }
        return out;
    }

    /** Every column but the labels: numeric, or categorical (text, or listed), one feature per category. */
    private static List<Feature> features(List<CsvTable> tables, List<String> header, List<String> labels,
                                          CsvData.Options o, List<String> notes) {
        List<String> listed = o.categorical() == null ? List.of() : o.categorical();
        for (String c : listed) {
            if (!header.contains(c) || labels.contains(c)) {
                throw new DataException(tables.get(0).file() + ":1: data.categorical names '" + c + "', which is "
                    + (labels.contains(c) ? "a label column" : "not a column") + "; columns: " + String.join(", ",
                    header));
            }
        }
        List<Feature> out = new ArrayList<>();
        for (String col : header) {
            if (labels.contains(col)) {
                continue;
            }
            boolean text = tables.stream().allMatch(t -> t.textColumn(t.column(col)));
            if (!text && !listed.contains(col)) {
                out.add(new Feature(col, null));
                continue;
            }
            String[] cats = distinct(tables, col);
            for (String c : cats) {
                out.add(new Feature(col, c));
            }
            notes.add(tables.get(0).file() + ": column '" + col + "' is categorical: " + cats.length + " values ("
                + summary(cats) + "), one-hot encoded as " + cats.length + " features");
        }
        return out;
    }

    private static String[] distinct(List<CsvTable> tables, String col) {
        TreeSet<String> s = new TreeSet<>();
        for (CsvTable t : tables) {
            for (String v : t.columnCells(t.column(col))) {
                if (!CsvTable.missing(v)) {
                    s.add(v);
                }
            }
        }
        return s.toArray(new String[0]);
    }

    private static String summary(String[] names) {
        return names.length <= 6 ? String.join(", ", names) : String.join(", ", Arrays.copyOf(names, 5)) + ", ...";
    }

    private static String[] textClasses(List<CsvTable> tables, String label) {
        String[] names = distinct(tables, label);
        if (names.length > CsvData.MAX_CLASSES) {
            throw new DataException(tables.get(0).file() + ": column '" + label + "' has " + names.length
                + " different text labels, more than the " + CsvData.MAX_CLASSES + " classes a classifier may have");
        }
        return names;
    }

    /** Integer labels 0..K-1 over every table; a label that is not one is refused by its row. */
    private static String[] numericClasses(List<CsvTable> tables, String label) {
        int classes = 0;
        for (CsvTable t : tables) {
            int col = t.column(label);
            for (int i = 0; i < t.rows(); i++) {
                float v = t.value(i, col);
                if (!Float.isFinite(v)) {
                    continue;
                }
                if (v != Math.rint(v) || v < 0) {
                    throw new DataException(t.file() + ":" + t.line(i) + ": label " + v + " in column '" + label
                        + "' is not a class index (0, 1, 2, ...); set data.task: regression for numeric targets");
                }
                if (v >= CsvData.MAX_CLASSES) {
                    throw new DataException(t.file() + ":" + t.line(i) + ": label " + v + " in column '" + label
                        + "' is beyond the " + CsvData.MAX_CLASSES + " classes a classifier here may have; is it a "
                        + "regression target (data.task: regression)?");
                }
                classes = Math.max(classes, (int) v + 1);
            }
        }
        String[] names = new String[classes];
        Arrays.setAll(names, Integer::toString);
        return names;
    }

    /** The table's samples. */
    CsvData.Loaded encode(CsvTable t) {
        int n = t.rows();
        int f = features.size();
        int l = labels.size();
        int[] fcol = features.stream().mapToInt(x -> t.column(x.column())).toArray();
        int[] lcol = labels.stream().mapToInt(t::column).toArray();
        float[] x = new float[n * f];
        float[] y = new float[n * l];
        CsvData.NonFiniteCounter bad = new CsvData.NonFiniteCounter(t.file());
        java.util.Map<Integer, String[]> text = new java.util.HashMap<>();
        String[][] ftext = new String[f][];
        for (int k = 0; k < f; k++) {
            int col = fcol[k];
            ftext[k] = features.get(k).category() == null ? null : text.computeIfAbsent(col, t::columnCells);
        }
        String[][] ltext = new String[l][];
        for (int k = 0; k < l; k++) {
            ltext[k] = textLabels ? t.columnCells(lcol[k]) : null;
        }
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < f; k++) {
                float v = features.get(k).value(t, i, fcol[k], ftext[k]);
                bad.check(v, t, i, fcol[k]);
                x[i * f + k] = v;
            }
            for (int k = 0; k < l; k++) {
                float v = textLabels ? textLabel(t, i, lcol[k], ltext[k][i]) : t.value(i, lcol[k]);
                bad.check(v, t, i, lcol[k]);
                y[i * l + k] = v;
            }
        }
        String[] names = classNames != null ? classNames : opts.regression() ? new String[0]
            : labels.toArray(new String[0]);
        Dataset d = new Dataset(t.file().getFileName().toString(), Shape.of(f), x, y, l, names.length, names);
        String[] fnames = features.stream().map(Feature::name).toArray(String[]::new);
        return new CsvData.Loaded(d, fnames, i -> t.file() + ":" + t.line(i), bad.result(), List.copyOf(notes));
    }

    private float textLabel(CsvTable t, int row, int col, String c) {
        if (CsvTable.missing(c)) {
            return Float.NaN;
        }
        int k = Arrays.binarySearch(classNames, c);
        if (k < 0 || !classNames[k].equals(c)) {
            k = Arrays.asList(classNames).indexOf(c);
        }
        if (k < 0) {
            throw new DataException(t.file() + ":" + t.line(row) + ": label '" + c + "' in column '" + t.header()[col]
                + "' is not one of the model's classes (" + summary(classNames) + ")");
        }
        return k;
    }
}
