package io.jtrain.schedule;

/**
 * Multiplies the rate by {@code factor} when the monitored metric has not improved by more than
 * {@code minDelta} for {@code patience} epochs in a row (Keras's ReduceLROnPlateau); never below {@code minLr}.
 * Whether higher is better comes with each value (accuracy: higher; loss: lower).
 */
final class ReduceOnPlateau implements LrSchedule {
    private final double factor;
    private final int patience;
    private final double minDelta;
    private final double minLr;
    private double lr;
    private double best = Double.POSITIVE_INFINITY;
    private int bad;

    ReduceOnPlateau(double lr, double factor, int patience, double minDelta, double minLr) {
        this.lr = lr;
        this.factor = factor;
        this.patience = patience;
        this.minDelta = minDelta;
        this.minLr = minLr;
    }

    @Override
    public double lr(int epoch, int step, int stepsPerEpoch) {
        return lr;
    }

    @Override
    public void epochEnd(int epoch, double metric, boolean higherIsBetter) {
        if (Double.isNaN(metric)) {
            return;
        }
        double v = higherIsBetter ? -metric : metric;
        if (v < best - minDelta) {
            best = v;
            bad = 0;
        } else if (++bad >= Math.max(1, patience)) {
            lr = Math.max(minLr, lr * factor);
            bad = 0;
        }
    }

    @Override
    public double[] state() {
        return new double[] {lr, best, bad};
    }

    @Override
    public void restore(double[] s) {
        lr = s[0];
        best = s[1];
        bad = (int) s[2];
    }
}
