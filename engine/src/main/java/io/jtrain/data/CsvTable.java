package io.jtrain.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A CSV file as read: the header's column names and every data row's cells, with the file line of each row
 * (blank lines are skipped but counted). Cells are separated by commas and may be quoted; a UTF-8 byte-order
 * mark is tolerated. As numbers, empty and {@code nan} cells read as NaN, {@code inf} as infinity; anything
 * else that is not a number is refused with file:line:column by {@link #value} (a column of text is read
 * with {@link #cell}: categorical values and class names).
 */
final class CsvTable {
    private final Path file;
    private final String[] header;
    private final List<String> lines = new ArrayList<>();
    private final List<Integer> lineNumbers = new ArrayList<>();
    /** Every cell as a number (NaN for missing values and for text); text cells are marked in {@link #text}. */
    private float[] values;
    private final java.util.BitSet text = new java.util.BitSet();

    private CsvTable(Path file, String[] header) {
        this.file = file;
        this.header = header;
    }

    static CsvTable read(Path file) {
        if (Files.isDirectory(file)) {
            throw new DataException(file + ": is a directory, not a CSV file");
        }
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(r, file);
        } catch (CharacterCodingException e) {
            throw new DataException(file + ": is not UTF-8 text (is it a CSV file?)");
        } catch (IOException e) {
            throw DataException.reading(file, e);
        } catch (java.io.UncheckedIOException e) {
            throw DataException.reading(file, e.getCause());
        }
    }

    /** Parses CSV text ({@code file} names it in messages). */
    static CsvTable parse(String text, Path file) {
        try {
            return read(new BufferedReader(new java.io.StringReader(text)), file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static CsvTable read(BufferedReader r, Path file) throws IOException {
        String first = r.readLine();
        int lineNo = 1;
        while (first != null && first.isBlank()) {
            first = r.readLine();
            lineNo++;
        }
        if (first == null) {
            throw new DataException(file + ": is empty; a CSV data set needs a header line and data rows");
        }
        if (first.startsWith("\uFEFF")) {
            first = first.substring(1);
        }
        CsvTable t = new CsvTable(file, cells(first).toArray(new String[0]));
        for (String l = r.readLine(); l != null; l = r.readLine()) {
            lineNo++;
            if (!l.isBlank()) {
                t.lines.add(l);
                t.lineNumbers.add(lineNo);
            }
        }
        if (t.lines.isEmpty()) {
            throw new DataException(file + ": has a header line but no data rows");
        }
        t.parse();
        return t;
    }

    /**
     * Parses every cell once into a float (a cell's text is not kept: a large file would hold a String per
     * cell; {@link #cell} splits its line again, which only error messages and text columns need).
     */
    private void parse() {
        values = new float[Math.multiplyExact(lines.size(), header.length)];
        for (int i = 0; i < lines.size(); i++) {
            List<String> c = cells(lines.get(i));
            if (c.size() != header.length) {
                throw new DataException(file + ":" + line(i) + ": " + c.size() + " columns, the header has "
                    + header.length);
            }
            for (int j = 0; j < header.length; j++) {
                Float f = number(c.get(j));
                int k = i * header.length + j;
                values[k] = f == null ? Float.NaN : f;
                if (f == null) {
                    text.set(k);
                }
            }
        }
    }

    /** The cell as a number: NaN for empty and missing-value cells, infinities; null when it is no number. */
    static Float number(String cell) {
        String s = cell.toLowerCase(Locale.ROOT);
        switch (s) {
            case "", "nan", "na", "null" -> {
                return Float.NaN;
            }
            case "inf", "+inf", "infinity", "+infinity" -> {
                return Float.POSITIVE_INFINITY;
            }
            case "-inf", "-infinity" -> {
                return Float.NEGATIVE_INFINITY;
            }
            default -> {
                if (s.isEmpty() || !(Character.isDigit(s.charAt(s.length() - 1)) || s.endsWith("."))) {
                    return null;    // Float.parseFloat would accept "1f", "2d", "NaN" spelled otherwise
                }
                try {
                    return Float.parseFloat(s);
                } catch (NumberFormatException e) {
                    return null;
                }
            }
        }
    }

    /** Whether the cell is a missing value (empty, nan, na, null). */
    static boolean missing(String cell) {
        Float f = number(cell);
        return f != null && Float.isNaN(f);
    }

    /** Whether every cell of the column that is not a missing value is text rather than a number. */
    boolean textColumn(int col) {
        boolean any = false;
        for (int i = 0; i < lines.size(); i++) {
            int k = i * header.length + col;
            if (!text.get(k) && !Float.isNaN(values[k])) {
                return false;
            }
            any |= text.get(k);
        }
        return any;
    }

    Path file() {
        return file;
    }

    String[] header() {
        return header;
    }

    int rows() {
        return lines.size();
    }

    /** The file line (1-based) of data row {@code row}. */
    int line(int row) {
        return lineNumbers.get(row);
    }

    /** The cell as a number; a cell that is no number is refused with file:line:column. */
    float value(int row, int col) {
        int k = row * header.length + col;
        if (text.get(k)) {
            String cell = cell(row, col);
            throw new DataException(file + ":" + line(row) + ":" + columnNumber(row, col) + ": column '"
                + header[col] + "' holds '" + cell + "', which is not a number (a column is read as categories only when "
                + "none of its values is a number, or when data.categorical lists it)");
        }
        return values[k];
    }

    /** Every row's cell of a column as text (each line split once). */
    String[] columnCells(int col) {
        String[] out = new String[lines.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = cells(lines.get(i)).get(col);
        }
        return out;
    }

    String cell(int row, int col) {
        return cells(lines.get(row)).get(col);
    }

    /** The character column (1-based) where cell {@code col} of row {@code row} starts. */
    int columnNumber(int row, int col) {
        String l = lines.get(row);
        int at = 0;
        boolean quoted = false;
        for (int c = 0, k = 0; k < col && c < l.length(); c++) {
            char ch = l.charAt(c);
            if (ch == '"') {
                quoted = !quoted;
            } else if (ch == ',' && !quoted) {
                k++;
                at = c + 1;
            }
        }
        return at + 1;
    }

    /** The index of the column named {@code name}. */
    int column(String name) {
        int i = Arrays.asList(header).indexOf(name);
        if (i < 0) {
            throw new DataException(file + ":1: no column named '" + name + "'; columns: " + String.join(", ", header));
        }
        return i;
    }

    /** Splits one line into trimmed cells; double quotes group commas and {@code ""} is a literal quote. */
    static List<String> cells(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (ch == '"') {
                if (quoted && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else {
                    quoted = !quoted;
                }
            } else if (ch == ',' && !quoted) {
                out.add(cur.toString().trim());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        out.add(cur.toString().trim());
        return out;
    }
}
