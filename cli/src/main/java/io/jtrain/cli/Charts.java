package io.jtrain.cli;

import io.jtrain.metrics.ConfusionMatrix;
import io.jtrain.train.EpochMetrics;
import io.jtrain.util.OutputException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG charts drawn with XChart: learning curves, confusion matrices, and simple x-y plots. */
public final class Charts {
    private Charts() { }

    /**
     * Three panels: loss per epoch, training against validation (and the test split when it was evaluated during
     * training), with the best epoch marked; accuracy for classification or the mean absolute error for
     * regression; the learning rate. Epochs a split was not evaluated leave a gap in its curve. Whole epochs
     * on the x axis.
     *
     * @param bestEpoch the epoch the run keeps (0: none marked)
     */
    public static void learningCurves(Path file, List<EpochMetrics> history, int bestEpoch) {
        List<Double> epochs = new ArrayList<>();
        history.forEach(m -> epochs.add((double) m.epoch()));
        XYChart loss = curve("Loss", "loss", history.size());
        add(loss, "training", epochs, history, EpochMetrics::loss);
        add(loss, "validation", epochs, history, EpochMetrics::valLoss);
        add(loss, "test", epochs, history, m -> m.metric("test_loss"));
        mark(loss, history, bestEpoch);
        boolean regression = history.stream().anyMatch(m -> m.metric("mae") != null);
        String metric = regression ? "mae" : "accuracy";
        XYChart second = curve(regression ? "Mean absolute error" : "Accuracy", metric, history.size());
        add(second, "training", epochs, history, m -> m.metric(metric));
        add(second, "validation", epochs, history, m -> m.metric("val_" + metric));
        add(second, "test", epochs, history, m -> m.metric("test_" + metric));
        XYChart lr = curve("Learning rate", "learning rate", history.size());
        add(lr, "learning rate", epochs, history, EpochMetrics::lr);
        List<XYChart> panels = new ArrayList<>(List.of(loss));
        if (!second.getSeriesMap().isEmpty()) {
            panels.add(second);
        }
        panels.add(lr);
        save(file, panels);
    }

    /** A vertical line at the best epoch, named by it. */
    private static void mark(XYChart c, List<EpochMetrics> h, int best) {
        if (best <= 0 || h.stream().noneMatch(m -> m.epoch() == best)) {
            return;
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (EpochMetrics m : h) {
            for (Double v : new Double[] {m.loss(), m.valLoss(), m.metric("test_loss")}) {
                if (v != null && Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (lo <= hi) {
            c.addSeries("best (epoch " + best + ")", List.of((double) best, (double) best), List.of(lo, hi))
                .setMarker(SeriesMarkers.NONE).setLineColor(java.awt.Color.GRAY);
        }
    }

    private static XYChart curve(String title, String y, int epochs) {
        XYChart c = new XYChartBuilder().width(600).height(400).title(title).xAxisTitle("epoch").yAxisTitle(y).build();
        c.getStyler().setMarkerSize(6);
        // whole epochs only (a 1-epoch run had ticks like 1.854383900430467), values to 4 significant decimals
        c.getStyler().setxAxisTickLabelsFormattingFunction(x -> Math.abs(x - Math.rint(x)) < 1e-9
            ? Long.toString(Math.round(x)) : "");
        c.getStyler().setYAxisDecimalPattern("0.####");
        return c;
    }

    private static void add(XYChart c, String name, List<Double> x, List<EpochMetrics> h,
                            Function<EpochMetrics, Double> f) {
        List<Double> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (int i = 0; i < h.size(); i++) {
            Double v = f.apply(h.get(i));
            if (v != null && Double.isFinite(v)) {
                xs.add(x.get(i));
                ys.add(v);
            }
        }
        if (!xs.isEmpty()) {
            c.addSeries(name, xs, ys).setMarker(SeriesMarkers.CIRCLE);
        }
    }

    /** A heat map of counts, true class on the vertical axis. */
    public static void confusion(Path file, ConfusionMatrix cm, String[] names) {
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < cm.classes(); i++) {
            labels.add(i < names.length ? names[i] : Integer.toString(i));
        }
        HeatMapChart c = new HeatMapChartBuilder().width(900).height(650).title("Confusion matrix (rows: true class)")
            .xAxisTitle("predicted").yAxisTitle("true").build();
        c.getStyler().setShowValue(true);
        // white for zero, darkening with the count (orange zero cells read as errors); slanted class names
        c.getStyler().setRangeColors(new java.awt.Color[] {java.awt.Color.WHITE, new java.awt.Color(198, 219, 239),
            new java.awt.Color(107, 174, 214), new java.awt.Color(66, 146, 198)});
        c.getStyler().setMin(0);
        c.getStyler().setXAxisLabelRotation(45);
        List<Number[]> cells = new ArrayList<>();
        for (int t = 0; t < cm.classes(); t++) {
            for (int p = 0; p < cm.classes(); p++) {
                cells.add(new Number[] {p, cm.classes() - 1 - t, cm.count(t, p)});
            }
        }
        List<String> reversed = new ArrayList<>(labels);
        java.util.Collections.reverse(reversed);
        c.addSeries("counts", labels, reversed, cells);
        save(file, List.of(c));
    }

    /** One x-y series (log-x optional). */
    public static void xy(Path file, String title, String xTitle, String yTitle, List<Double> x, List<Double> y,
                          boolean logX) {
        XYChart c = new XYChartBuilder().width(700).height(450).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle)
            .build();
        c.getStyler().setXAxisLogarithmic(logX);
        c.addSeries(yTitle, x, y).setMarker(SeriesMarkers.CIRCLE);
        save(file, List.of(c));
    }

    /** The LR finder: raw and smoothed loss against the rate (log scale), the suggestion marked. */
    public static void lrFind(Path file, List<Double> rates, List<Double> raw, List<Double> smooth, double suggested) {
        XYChart c = new XYChartBuilder().width(800).height(450).title("Learning-rate range test")
            .xAxisTitle("learning rate").yAxisTitle("loss").build();
        c.getStyler().setXAxisLogarithmic(true);
        if (rates.isEmpty()) {
            save(file, List.of(c));
            return;
        }
        c.addSeries("loss", rates, raw).setMarker(SeriesMarkers.NONE).setLineColor(new java.awt.Color(180, 180,
            220));
        c.addSeries("smoothed loss", rates, smooth).setMarker(SeriesMarkers.NONE);
        if (!Double.isNaN(suggested)) {
            double lo = smooth.stream().mapToDouble(d -> d).min().orElse(0);
            double hi = smooth.stream().mapToDouble(d -> d).max().orElse(1);
            c.addSeries(String.format(java.util.Locale.ROOT, "suggested %.2g", suggested), List.of(suggested,
                suggested), List.of(lo, hi)).setMarker(SeriesMarkers.NONE).setLineColor(java.awt.Color.RED);
        }
        save(file, List.of(c));
    }

    /** Samples/s (left axis) and peak memory in MiB (right axis) against the batch size (log scale). */
    public static void probe(Path file, List<Double> batch, List<Double> samplesPerS, List<Double> peakMiB) {
        XYChart c = new XYChartBuilder().width(800).height(450).title("Batch-size probe").xAxisTitle("batch size")
            .yAxisTitle("samples/s").build();
        c.getStyler().setXAxisLogarithmic(true);
        c.addSeries("samples/s", batch, samplesPerS).setMarker(SeriesMarkers.CIRCLE).setYAxisGroup(0);
        c.addSeries("peak memory (MiB)", batch, peakMiB).setMarker(SeriesMarkers.DIAMOND).setYAxisGroup(1);
        c.setYAxisGroupTitle(1, "peak memory (MiB)");
        c.getStyler().setYAxisGroupPosition(1, org.knowm.xchart.style.Styler.YAxisPosition.Right);
        save(file, List.of(c));
    }

    private static void save(Path file, List<? extends org.knowm.xchart.internal.chartpart.Chart<?, ?>> charts) {
        try {
            java.awt.image.BufferedImage img;
            if (charts.size() == 1) {
                img = BitmapEncoder.getBufferedImage(charts.get(0));
            } else {
                List<java.awt.image.BufferedImage> parts = new ArrayList<>();
                for (var ch : charts) {
                    parts.add(BitmapEncoder.getBufferedImage(ch));
                }
                int w = parts.stream().mapToInt(java.awt.image.BufferedImage::getWidth).sum();
                int h = parts.stream().mapToInt(java.awt.image.BufferedImage::getHeight).max().orElse(1);
                img = new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
                java.awt.Graphics2D g = img.createGraphics();
                int x = 0;
                for (var p : parts) {
                    g.drawImage(p, x, 0, null);
                    x += p.getWidth();
                }
                g.dispose();
            }
            Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp.png");
            javax.imageio.ImageIO.write(img, "png", tmp.toFile());
            java.nio.file.Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new OutputException("cannot write chart " + file + " (" + e.getMessage() + ")", e);
        }
    }
}
