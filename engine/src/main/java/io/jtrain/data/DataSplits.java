package io.jtrain.data;

/**
 * Training, validation and (optional) test data as loaded. The validation split is carved from the training
 * data; the test split is never used for training or model selection.
 *
 * @param trainOrigin where each training sample comes from (file row or record), or null
 * @param testOrigin where each test sample comes from, or null
 * @param nonFinite the non-finite input values of a lenient load (see {@link CsvData#load}), or null
 * @param features the feature column names of tabular data, or null
 * @param notes one line per decision the reader made that the user should hear of (a column read as
 *     categories, text labels read as class names)
 */
public record DataSplits(Dataset train, Dataset validation, Dataset test, Origin trainOrigin, Origin testOrigin,
                         NonFinite nonFinite, String[] features, java.util.List<String> notes) {

    public DataSplits {
        notes = notes == null ? java.util.List.of() : java.util.List.copyOf(notes);
    }

    /** Splits without notes. */
    public DataSplits(Dataset train, Dataset validation, Dataset test, Origin trainOrigin, Origin testOrigin,
                      NonFinite nonFinite, String[] features) {
        this(train, validation, test, trainOrigin, testOrigin, nonFinite, features, null);
    }

    /** Splits with no origins, no non-finite values and no feature names. */
    public DataSplits(Dataset train, Dataset validation, Dataset test) {
        this(train, validation, test, null, null, null, null);
    }

    /** Names the place in the source files of sample {@code i} of a split, e.g. {@code iris.csv:17}. */
    @FunctionalInterface
    public interface Origin {
        String of(int sample);

        /** The origin's name for {@code i}, or {@code "sample i of NAME"} without an origin. */
        static String name(Origin o, int i, String dataName) {
            return o == null ? "sample " + i + " of " + dataName : o.of(i);
        }
    }

    /** How many input values are NaN or infinite, and the first of them (file:line:column and the cell). */
    public record NonFinite(long count, String first) {
        /** The refusal of {@code train}, {@code eval} and {@code predict}. */
        public String message() {
            return first + ", which is not a finite number (" + count + " non-finite value" + (count == 1 ? "" : "s")
                + " in the file); fill or drop the missing values, or run 'jtrain doctor' to see them";
        }
    }
}
