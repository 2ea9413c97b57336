package io.jtrain.data;

/** Target encodings made from class labels. */
public final class Targets {
    private Targets() { }

    /**
     * The data set with one-hot targets [N, classes] made from its class labels [N], label-smoothed with
     * {@code smoothing} ε: the label's entry is 1 - ε + ε / classes, every other ε / classes. A label that is
     * not a class index in [0, classes) becomes a row of NaN, which every loss refuses as a target (so it is
     * named, not trained on).
     */
    public static Dataset oneHot(Dataset d, int classes, double smoothing) {
        if (d == null) {
            return null;
        }
        if (d.targetSize() != 1) {
            throw new IllegalArgumentException(d.name() + ": one-hot targets need one class label per sample, not "
                + d.targetSize());
        }
        int n = d.size();
        float[] y = new float[n * classes];
        float off = (float) (smoothing / classes);
        float on = (float) (1 - smoothing + smoothing / classes);
        for (int i = 0; i < n; i++) {
            float v = d.y()[i];
            boolean ok = v == Math.rint(v) && v >= 0 && v < classes;
            for (int c = 0; c < classes; c++) {
                y[i * classes + c] = !ok ? Float.NaN : c == (int) v ? on : off;
            }
        }
        String[] names = d.classNames().length >= classes ? d.classNames() : defaultNames(d.classNames(), classes);
        return new Dataset(d.name(), d.sampleShape(), d.x(), y, classes, classes, names);
    }

    private static String[] defaultNames(String[] given, int classes) {
        String[] out = new String[classes];
        for (int i = 0; i < classes; i++) {
            out[i] = i < given.length ? given[i] : Integer.toString(i);
        }
        return out;
    }
}
