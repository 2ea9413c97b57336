package io.jtrain.schedule;

/** Linear warm-up from lr/steps to the wrapped schedule's rate over the first {@code epochs} epochs. */
final class Warmup implements LrSchedule {
    private final LrSchedule inner;
    private final double epochs;

    Warmup(LrSchedule inner, double epochs) {
        this.inner = inner;
        this.epochs = epochs;
    }

    @Override
    public double lr(int epoch, int step, int stepsPerEpoch) {
        double done = epoch + (step + 1.0) / Math.max(1, stepsPerEpoch);
        double base = inner.lr(epoch, step, stepsPerEpoch);
        return done >= epochs ? base : base * done / epochs;
    }

    @Override
    public void epochEnd(int epoch, double metric, boolean higherIsBetter) {
        inner.epochEnd(epoch, metric, higherIsBetter);
    }

    @Override
    public double[] state() {
        return inner.state();
    }

    @Override
    public void restore(double[] state) {
        inner.restore(state);
    }
}
