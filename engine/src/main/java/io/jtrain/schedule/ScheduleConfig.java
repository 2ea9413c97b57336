package io.jtrain.schedule;

import java.util.Locale;

/**
 * A learning-rate schedule, validated.
 *
 * @param kind constant, step, exponential, linear, cosine, one_cycle or reduce_on_plateau
 * @param initialLr the base learning rate
 * @param finalLr the rate reached at the end (linear, cosine)
 * @param gamma multiplicative factor (step, exponential, reduce_on_plateau)
 * @param stepEpochs epochs between decays (step)
 * @param warmupEpochs linear warm-up from 0 over this many epochs, before any schedule (may be fractional)
 * @param patience epochs without improvement before reducing (reduce_on_plateau)
 * @param minDelta smallest improvement that counts (reduce_on_plateau)
 * @param epochs the planned number of epochs (linear, cosine, one_cycle)
 * @param perStep step and exponential: decay continuously every step (true) or once per epoch (false); linear,
 *                cosine and one_cycle always change every step
 */
public record ScheduleConfig(Kind kind, double initialLr, double finalLr, double gamma, int stepEpochs,
                             double warmupEpochs, int patience, double minDelta, int epochs, boolean perStep) {

    /** A schedule updated per epoch where that is a choice ({@code schedule.per: epoch}, the default). */
    public ScheduleConfig(Kind kind, double initialLr, double finalLr, double gamma, int stepEpochs, double warmupEpochs,
                          int patience, double minDelta, int epochs) {
        this(kind, initialLr, finalLr, gamma, stepEpochs, warmupEpochs, patience, minDelta, epochs, false);
    }

    /** The schedule shapes. */
    public enum Kind {
        CONSTANT, STEP, EXPONENTIAL, LINEAR, COSINE, ONE_CYCLE, REDUCE_ON_PLATEAU;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind parse(String s) {
            for (Kind k : values()) {
                if (k.id().equalsIgnoreCase(s)) {
                    return k;
                }
            }
            throw new io.jtrain.util.UsageException("unknown schedule '" + s
                + "'; allowed: constant, step, exponential, linear, cosine, one_cycle, reduce_on_plateau");
        }
    }

    public ScheduleConfig {
        if (!(initialLr > 0) || Double.isInfinite(initialLr)) {
            throw new io.jtrain.util.UsageException("learning rate must be positive, got " + initialLr);
        }
        String bad = finalLr < 0 ? "final_lr must not be negative, got " + finalLr
            : gamma <= 0 ? "gamma must be positive, got " + gamma
            : stepEpochs <= 0 ? "step_epochs must be at least 1, got " + stepEpochs
            : warmupEpochs < 0 ? "warmup_epochs must not be negative, got " + warmupEpochs
            : patience < 0 ? "patience must not be negative, got " + patience
            : epochs <= 0 ? "the schedule's epochs must be at least 1, got " + epochs : null;
        if (bad != null) {
            throw new io.jtrain.util.UsageException(bad);
        }
    }

    public static ScheduleConfig constant(double lr, int epochs) {
        return new ScheduleConfig(Kind.CONSTANT, lr, 0, 0.1, 1, 0, 10, 1e-4, epochs);
    }

    public ScheduleConfig withEpochs(int e) {
        return new ScheduleConfig(kind, initialLr, finalLr, gamma, stepEpochs, warmupEpochs, patience, minDelta, e,
            perStep);
    }

    public ScheduleConfig withKind(Kind k) {
        return new ScheduleConfig(k, initialLr, finalLr, gamma, stepEpochs, warmupEpochs, patience, minDelta, epochs,
            perStep);
    }

    /** Builds the schedule. */
    public LrSchedule create() {
        LrSchedule base = switch (kind) {
            case CONSTANT -> (e, s, n) -> initialLr;
            case STEP -> (e, s, n) -> initialLr * Math.pow(gamma, Math.floor(at(e, s, n) / stepEpochs));
            case EXPONENTIAL -> (e, s, n) -> initialLr * Math.pow(gamma, at(e, s, n));
            case ONE_CYCLE -> new OneCycle(initialLr, epochs);
            case LINEAR -> (e, s, n) -> initialLr + (finalLr - initialLr) * progress(e, s, n);
            case COSINE -> (e, s, n) -> finalLr + 0.5 * (initialLr - finalLr) * (1 + Math.cos(Math.PI * progress(e, s, n)));
            case REDUCE_ON_PLATEAU -> new ReduceOnPlateau(initialLr, gamma, patience, minDelta, finalLr);
        };
        return warmupEpochs > 0 ? new Warmup(base, warmupEpochs) : base;
    }

    /** Epochs done at (epoch, step): whole epochs, or with the fraction of this one when updated per step. */
    private double at(int epoch, int step, int stepsPerEpoch) {
        return perStep ? epoch + (double) step / Math.max(1, stepsPerEpoch) : epoch;
    }

    /** Fraction of the planned training done at (epoch, step), in [0, 1]. */
    private double progress(int epoch, int step, int stepsPerEpoch) {
        double done = epoch + (double) step / Math.max(1, stepsPerEpoch);
        return Math.min(1.0, done / epochs);
    }
}
