package io.jtrain.schedule;

/**
 * The one-cycle schedule as PyTorch's {@code OneCycleLR} computes it with its defaults: from maxLr / 25 up to
 * maxLr over the first 30 % of the steps, then down to maxLr / 25 / 1e4, both halves cosine-annealed, updated
 * every step. The momentum is not cycled (PyTorch's {@code cycle_momentum=False}). Stateless: the rate is a
 * function of the step, so resume needs nothing saved.
 */
final class OneCycle implements LrSchedule {
    static final double PCT_START = 0.3;
    static final double DIV_FACTOR = 25;
    static final double FINAL_DIV_FACTOR = 1e4;
    private final double maxLr;
    private final int epochs;

    OneCycle(double maxLr, int epochs) {
        this.maxLr = maxLr;
        this.epochs = epochs;
    }

    @Override
    public double lr(int epoch, int step, int stepsPerEpoch) {
        long total = (long) epochs * Math.max(1, stepsPerEpoch);
        double initial = maxLr / DIV_FACTOR;
        double min = initial / FINAL_DIV_FACTOR;
        long at = Math.min((long) epoch * Math.max(1, stepsPerEpoch) + step, total - 1);
        double upEnd = PCT_START * total - 1;
        if (at <= upEnd) {
            return anneal(initial, maxLr, upEnd <= 0 ? 1 : at / upEnd);
        }
        double downEnd = total - 1;
        return anneal(maxLr, min, downEnd <= upEnd ? 1 : (at - upEnd) / (downEnd - upEnd));
    }

    private static double anneal(double start, double end, double pct) {
        return end + (start - end) / 2 * (Math.cos(Math.PI * pct) + 1);
    }
}
