package io.jtrain.data;

import io.jtrain.tensor.Shape;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Tabular data from CSV: a header line, one label column (by name; the last column by default) and
 * numeric feature columns. For classification the labels are integer class indices 0..K-1.
 */
public final class CsvData {
    private CsvData() { }

    public static Dataset read(Path file, String labelColumn, boolean regression) {
        List<String> lines;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            lines = r.lines().filter(l -> !l.isBlank()).toList();
        } catch (NoSuchFileException e) {
            throw new DataException(file + ": file not found");
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new DataException(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        if (lines.size() < 2) {
            throw new DataException(file + ": needs a header line and at least one data row");
        }
        String[] header = split(lines.get(0));
        int label = labelColumn == null ? header.length - 1 : indexOf(header, labelColumn, file);
        int f = header.length - 1;
        int n = lines.size() - 1;
        float[] x = new float[n * f];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            String[] cells = split(lines.get(i + 1));
            if (cells.length != header.length) {
                throw new DataException(file + ":" + (i + 2) + ": " + cells.length + " columns, the header has "
                    + header.length);
            }
            int k = 0;
            for (int j = 0; j < cells.length; j++) {
                float v = number(cells[j], file, i + 2, header[j]);
                if (j == label) {
                    y[i] = v;
                } else {
                    x[i * f + k++] = v;
                }
            }
        }
        int classes = 0;
        if (!regression) {
            for (float v : y) {
                if (v != Math.rint(v) || v < 0) {
                    throw new DataException(file + ": label " + v + " in column '" + header[label]
                        + "' is not a class index (0, 1, 2, ...); set the task to regression for numeric targets");
                }
                classes = Math.max(classes, (int) v + 1);
            }
        }
        String[] names = new String[classes];
        for (int c = 0; c < classes; c++) {
            names[c] = Integer.toString(c);
        }
        String name = file.getFileName().toString();
        return new Dataset(name, Shape.of(f), x, y, 1, classes, names);
    }

    private static int indexOf(String[] header, String name, Path file) {
        for (int i = 0; i < header.length; i++) {
            if (header[i].equals(name)) {
                return i;
            }
        }
        throw new DataException(file + ": no column named '" + name + "'; columns: " + String.join(", ", header));
    }

    private static String[] split(String line) {
        String[] cells = line.split(",", -1);
        for (int i = 0; i < cells.length; i++) {
            cells[i] = cells[i].trim().replaceAll("^\"|\"$", "");
        }
        return cells;
    }

    private static float number(String cell, Path file, int line, String column) {
        String s = cell.toLowerCase(Locale.ROOT);
        if (s.equals("nan") || s.isEmpty()) {
            return Float.NaN;
        }
        try {
            return Float.parseFloat(s);
        } catch (NumberFormatException e) {
            throw new DataException(file + ":" + line + ": column '" + column + "' holds '" + cell
                + "', which is not a number");
        }
    }
}
