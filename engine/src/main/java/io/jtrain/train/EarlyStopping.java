package io.jtrain.train;

import java.util.List;

/**
 * Stops training when the monitored metric has not improved by more than {@code minDelta} for
 * {@code patience} epochs in a row (Keras's semantics). Also tracks the best epoch, which checkpoints and the
 * final test use.
 */
public final class EarlyStopping {

    /**
     * @param enabled whether to stop early (the best epoch is tracked either way)
     * @param monitor a metric of metrics.csv: loss, accuracy, mae, rmse, each also of the validation split
     *     ({@code val_loss}, ...) or of the test split evaluated during training ({@code test_loss}, ...)
     * @param restoreBest use the best epoch's weights at the end
     */
    public record Config(boolean enabled, String monitor, double minDelta, int patience, boolean restoreBest) {
        public static final List<String> MONITORS = List.of("val_loss", "val_accuracy", "loss", "accuracy",
            "val_mae", "val_rmse", "mae", "rmse", "test_loss", "test_accuracy", "test_mae", "test_rmse");

        public Config {
            if (!MONITORS.contains(monitor)) {
                throw new io.jtrain.util.UsageException("unknown monitor '" + monitor + "'; allowed: " + MONITORS);
            }
            if (minDelta < 0 || patience < 0) {
                throw new io.jtrain.util.UsageException("min_delta and patience must not be negative");
            }
        }

        public static Config off() {
            return new Config(false, "val_loss", 0, 0, true);
        }

        public boolean maximize() {
            return monitor.endsWith("accuracy");
        }

        /** The split the monitor reads: "validation", "test" or "training". */
        public String split() {
            return monitor.startsWith("val_") ? "validation" : monitor.startsWith("test_") ? "test" : "training";
        }
    }

    private final Config cfg;
    private double best;
    private int bestEpoch;
    private int wait;

    public EarlyStopping(Config cfg) {
        this.cfg = cfg;
        this.best = cfg.maximize() ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    /**
     * The monitored value of an epoch; a validation metric falls back to the training one when the epoch has no
     * validation numbers (a run without a validation split). NaN when the epoch has neither.
     */
    public double value(EpochMetrics m) {
        Double v = m.metric(cfg.monitor());
        if (v == null && cfg.monitor().startsWith("val_")) {
            v = m.metric(cfg.monitor().substring(4));
        }
        return nz(v);
    }

    private static double nz(Double d) {
        return d == null ? Double.NaN : d;
    }

    /** Records an epoch; returns true when it is the new best. */
    public boolean update(EpochMetrics m) {
        double v = value(m);
        boolean improved = cfg.maximize() ? v > best + cfg.minDelta() : v < best - cfg.minDelta();
        if (improved || bestEpoch == 0) {
            best = v;
            bestEpoch = m.epoch();
            wait = 0;
            return true;
        }
        wait++;
        return false;
    }

    /** Keras's rule: stop once {@code patience} epochs in a row have not improved (patience 0: the first). */
    public boolean shouldStop() {
        return cfg.enabled() && wait >= Math.max(1, cfg.patience());
    }

    /** Whether higher values of the monitored metric are better (accuracy) or lower (loss). */
    public boolean maximize() {
        return cfg.maximize();
    }

    public int bestEpoch() {
        return bestEpoch;
    }

    public double best() {
        return best;
    }

    public Config config() {
        return cfg;
    }

    /** State for checkpoints: {best, bestEpoch, wait}. */
    public double[] state() {
        return new double[] {best, bestEpoch, wait};
    }

    public void restore(double[] s) {
        best = s[0];
        bestEpoch = (int) s[1];
        wait = (int) s[2];
    }
}
