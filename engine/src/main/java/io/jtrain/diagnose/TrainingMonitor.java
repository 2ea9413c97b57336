package io.jtrain.diagnose;

import static io.jtrain.diagnose.Finding.Severity.ERROR;
import static io.jtrain.diagnose.Finding.Severity.WARNING;

import io.jtrain.backend.Activation;
import io.jtrain.backend.Backend;
import io.jtrain.nn.ActivationLayer;
import io.jtrain.nn.Layer;
import io.jtrain.nn.Parameter;
import io.jtrain.nn.Sequential;
import io.jtrain.tensor.Tensor;
import io.jtrain.train.EpochMetrics;
import io.jtrain.train.TrainingListener;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The live detectors. Every {@link Thresholds#SAMPLE_EVERY} steps it samples, on the device, the gradients,
 * the outputs of activation layers and (on the next step) the weight change ({@link MonitorSampler}); after every epoch it judges dead ReLUs,
 * saturation and overfitting; {@link #finish} judges the run as a whole. Each finding is reported once,
 * through the callback; with {@code strict}, an error-level finding stops training.
 */
public final class TrainingMonitor implements TrainingListener {
    private final Sequential model;
    private final Backend be;
    private final Consumer<Finding> report;
    private final boolean strict;
    private final Map<String, Finding> found = new LinkedHashMap<>();
    private final RootCauses.Live ranker = new RootCauses.Live();
    private double lr = Double.NaN;
    private boolean updatesJudged;
    private final Map<Integer, boolean[]> everActive = new HashMap<>();
    /** Values each unit of a ReLU layer has been seen with since its last judgement. */
    private final Map<Integer, Long> reluValues = new HashMap<>();
    private final Map<Integer, Integer> deadSince = new HashMap<>();
    private final Map<Integer, long[]> saturated = new HashMap<>();
    private final List<double[]> gradRatios = new ArrayList<>();
    private final List<Double> updateRatios = new ArrayList<>();
    private final List<EpochMetrics> history = new ArrayList<>();
    private MonitorSampler sampler;
    /** 0: idle; 1: captured at the last step; 2: downloading, readable now. */
    private int phase;
    private int sampledEpoch;
    private int sampledStep;
    private long step;

    public TrainingMonitor(Sequential model, Consumer<Finding> report, boolean strict) {
        this.model = model;
        this.be = model.backend();
        this.report = report;
        this.strict = strict;
    }

    /** Thrown by {@code --strict} on an error-level finding. */
    public static final class StopOnError extends RuntimeException {
        private final Finding finding;

        StopOnError(Finding f) {
            super("stopped by --strict: " + f.id() + ": " + f.summary());
            this.finding = f;
        }

        public Finding finding() {
            return finding;
        }
    }

    public List<Finding> findings() {
        return new ArrayList<>(found.values());
    }

    /**
     * Records a finding once (by id) and reports it ranked as {@code doctor} would: downgraded to info when
     * a root cause already reported explains it. With {@code strict}, an error-level root cause (or the fact
     * nan_in_training) stops training; a symptom never does.
     */
    public void add(Finding f) {
        if (found.containsKey(f.id())) {
            return;
        }
        Finding r = ranker.rank(f);
        found.put(f.id(), r);
        report.accept(r);
        if (strict && r.severity() == ERROR && (RootCauses.isRootCause(r.id()) || r.id().equals("nan_in_training"))) {
            throw new StopOnError(r);
        }
    }

    /**
     * Sampling runs on the device ({@link MonitorSampler}): statistics are launched at every
     * {@link Thresholds#SAMPLE_EVERY}-th step, the weight change at the step after, and the findings are judged
     * from the step after that, when the values have arrived without a blocking transfer of their own.
     */
    @Override
    public void stepEnd(StepEnd e) {
        int epoch = e.epoch();
        int s = e.step();
        lr = e.lr();
        step++;
        if (phase == 2) {
            judge(sampler.read(), sampledEpoch, sampledStep);
            phase = 0;
        }
        if (phase == 1) {
            sampler.finishUpdate();
            phase = 2;
            return;
        }
        if (step % Thresholds.SAMPLE_EVERY != 1 && Thresholds.SAMPLE_EVERY > 1) {
            return;
        }
        if (sampler == null) {
            sampler = new MonitorSampler(model);
        }
        sampler.capture();
        sampledEpoch = epoch;
        sampledStep = s;
        phase = 1;
    }

    private void judge(MonitorSampler.Sample smp, int epoch, int s) {
        gradients(smp, epoch, s);
        activations(smp, epoch, s);
        updateRatio(smp);
        if (!updatesJudged && updateRatios.size() >= Thresholds.EARLY_SAMPLES) {
            updatesJudged = true;
            updatesTooLarge();
        }
    }

    private void gradients(MonitorSampler.Sample smp, int epoch, int s) {
        double first = Double.NaN;
        double last = Double.NaN;
        double global = 0;
        for (int i = 0; i < smp.params().size(); i++) {
            Parameter p = smp.params().get(i);
            float[] st = smp.grads()[i];
            if (st[4] > 0) {
                add(new Finding("nan_in_training", ERROR, "gradients became NaN or infinite", "parameter " + p.name()
                    + " at epoch " + epoch + ", step " + s, "a too-high learning rate or non-finite inputs",
                    "lower the learning rate, clip gradients (optimizer.clip_norm: 1.0), check the data"));
                return;
            }
            double norm = Math.sqrt(Math.max(0, st[1]));
            if (p.kind() == Parameter.Kind.DENSE_WEIGHT || p.kind() == Parameter.Kind.CONV_KERNEL) {
                first = Double.isNaN(first) ? norm : first;
                last = norm;
            }
            global += Math.max(0, st[1]);
        }
        gradRatios.add(new double[] {first, last, Math.sqrt(global)});
    }

    private void activations(MonitorSampler.Sample smp, int epoch, int s) {
        for (int i = 0; i < smp.acts().size(); i++) {
            ActivationLayer l = smp.acts().get(i);
            float[] u = smp.units()[i];
            if (u == null) {
                continue;
            }
            int units = u.length / 4;
            for (int k = 0; k < units; k++) {
                if (u[4 * k + 3] > 0) {
                    add(new Finding("nan_in_training", ERROR, "activations became NaN or infinite", "first at layer "
                        + l.index() + " (" + l.type() + ") at epoch " + epoch + ", step " + s, "overflow from a "
                        + "too-high learning rate or non-finite inputs", "lower the learning rate, check the data"));
                    return;
                }
            }
            Activation.Kind k = l.activation().kind();
            if (k == Activation.Kind.RELU) {
                boolean[] act = everActive.computeIfAbsent(l.index(), x -> new boolean[units]);
                for (int j = 0; j < units; j++) {
                    act[j] |= u[4 * j] > 0;
                }
                reluValues.merge(l.index(), smp.valuesPerUnit()[i], Long::sum);
            } else if (k == Activation.Kind.TANH || k == Activation.Kind.SIGMOID) {
                long[] c = saturated.computeIfAbsent(l.index(), x -> new long[units + 1]);
                for (int j = 0; j < units; j++) {
                    c[j] += (long) (u[4 * j + 1] + u[4 * j + 2]);
                }
                c[units] += smp.valuesPerUnit()[i];
            }
        }
    }

    /** The largest relative weight change of the sampled step: ||w_after - w_before|| / ||w_before||. */
    private void updateRatio(MonitorSampler.Sample smp) {
        double worst = 0;
        for (int i = 0; i < smp.weights().size(); i++) {
            double d = Math.max(0, smp.diffStats()[i][1]);
            double w = Math.max(0, smp.weightStats()[i][1]);
            double r = w == 0 ? (d == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(d / w);
            worst = Math.max(worst, r);
        }
        if (!smp.weights().isEmpty()) {
            updateRatios.add(worst);
        }
    }

    @Override
    public void epochEnd(EpochEnd end) {
        EpochMetrics m = end.metrics();
        history.add(m);
        deadUnits(m.epoch());
        for (Map.Entry<Integer, long[]> e : saturated.entrySet()) {
            long[] c = e.getValue();
            int units = c.length - 1;
            int sat = 0;
            for (int u = 0; u < units; u++) {
                sat += c[u] > Thresholds.SATURATED_SAMPLES * c[units] ? 1 : 0;
            }
            double frac = (double) sat / Math.max(1, units);
            if (frac > Thresholds.SATURATED_FRACTION) {
                Layer l = model.layers().get(e.getKey());
                add(new Finding("saturated_activations", WARNING, "tanh/sigmoid units are saturated",
                    String.format(Locale.ROOT, "layer %d (%s): %d of %d units (%.0f %%) saturated (beyond %.2f) in more "
                        + "than %.0f %% of epoch %d's sampled samples", l.index(), l.type(), sat, units, 100 * frac,
                        Thresholds.SATURATED_OUTPUT, 100 * Thresholds.SATURATED_SAMPLES, m.epoch()), "pre-activations too large "
                        + "(inputs not normalised, weights too large)", "normalise the inputs, use glorot "
                        + "initialisation, add batch_norm before the activation"));
            }
        }
        saturated.clear();
        Finding over = OverfittingRule.judge(history);
        if (over != null) {
            add(over);
        }
        if (gradRatios.size() >= Thresholds.FLOW_SAMPLES) {
            gradientFlow();
        }
        oscillation();
        if (updateRatios.size() >= Thresholds.FLOW_SAMPLES) {
            updatesTooSmall();
        }
    }

    /**
     * Dead ReLU units: judged per layer once each unit has been seen with at least {@link
     * Thresholds#DEAD_MIN_VALUES} values (the sampled batches of one or more epochs), so that a unit that fires
     * rarely is not called dead on a handful of samples; layers of fewer than {@link Thresholds#DEAD_MIN_UNITS}
     * units are a capacity question, not a fraction, and are not judged.
     */
    private void deadUnits(int epoch) {
        List<Integer> judged = new ArrayList<>();
        for (Map.Entry<Integer, boolean[]> e : everActive.entrySet()) {
            boolean[] act = e.getValue();
            if (reluValues.getOrDefault(e.getKey(), 0L) < Thresholds.DEAD_MIN_VALUES
                || act.length < Thresholds.DEAD_MIN_UNITS) {
                continue;
            }
            judged.add(e.getKey());
            int dead = 0;
            for (boolean b : act) {
                dead += b ? 0 : 1;
            }
            double frac = (double) dead / act.length;
            if (frac > Thresholds.DEAD_UNITS) {
                Layer l = model.layers().get(e.getKey());
                String[] why = deadCause(l.index());
                int since = deadSince.getOrDefault(e.getKey(), 1);
                String when = since == epoch ? "epoch " + epoch : "epochs " + since + "-" + epoch;
                add(new Finding("dead_relu", frac > 0.9 ? ERROR : WARNING, "most ReLU units never activate",
                    String.format(Locale.ROOT, "layer %d (%s): %d of %d units (%.0f %%) were never positive in %d "
                        + "sampled values each (%s); %s", l.index(), l.type(), dead, act.length, 100 * frac,
                        reluValues.get(e.getKey()), when, why[0]), why[1], why[2]));
            }
        }
        for (int k : judged) {
            everActive.remove(k);
            reluValues.remove(k);
            deadSince.put(k, epoch + 1);
        }
    }

    /**
     * Why the units after layer {@code reluIndex} are dead, from the weighted layer that feeds them: biases that
     * push the pre-activations below zero, a weight scale far from He's, or (neither) steps that were too
     * large. Returns {evidence, cause, fix}, quoting the numbers.
     */
    private String[] deadCause(int reluIndex) {
        Parameter w = null;
        Parameter b = null;
        for (int i = reluIndex - 1; i >= 0 && w == null; i--) {
            for (Parameter p : model.layers().get(i).parameters()) {
                if (p.kind() == Parameter.Kind.DENSE_WEIGHT || p.kind() == Parameter.Kind.CONV_KERNEL) {
                    w = p;
                } else if (p.kind() == Parameter.Kind.BIAS) {
                    b = p;
                }
            }
        }
        if (w == null) {
            return new String[] {"no weighted layer feeds it", "the inputs are never positive",
                "check the data and the layer order"};
        }
        double fanIn = (double) w.value().size() / w.value().dim(0);
        double wStd = be.stats(w.value()).std();
        double preStd = wStd * Math.sqrt(fanIn);
        double bMean = b == null ? 0 : be.stats(b.value()).mean();
        double he = Math.sqrt(2 / fanIn);
        if (bMean < -preStd) {
            return new String[] {String.format(Locale.ROOT, "the biases of %s average %.3g against a pre-activation "
                + "spread of about %.3g", b.name(), bMean, preStd), "negative biases keep the pre-activations below "
                + "zero", "initialise the biases to zero (bias_init: zeros) and retrain"};
        }
        if (wStd > 3 * he || wStd < he / 3) {
            return new String[] {String.format(Locale.ROOT, "the weights of %s have deviation %.3g; He's for a fan-in "
                + "of %.0f is %.3g", w.name(), wStd, fanIn, he), "a weight scale far from what ReLU needs",
                "use he_uniform (or he_normal) initialisation"};
        }
        return new String[] {String.format(Locale.ROOT, "weights of %s at deviation %.3g (He: %.3g), mean bias %.3g; "
            + "learning rate %.3g", w.name(), wStd, he, bMean, lr), "large steps pushed the units negative, from which "
            + "ReLU never recovers", String.format(Locale.ROOT, "lower the learning rate (now %.3g) or use "
                + "leaky_relu", lr)};
    }

    /** Whole-run judgements; {@code targetError} may be null. */
    public void finish(Double targetError) {
        if (history.isEmpty()) {
            return;
        }
        EpochMetrics first = history.get(0);
        EpochMetrics last = history.get(history.size() - 1);
        gradientFlow();
        updatesTooLarge();
        updatesTooSmall();
        oscillation();
        double drop = (first.loss() - last.loss()) / Math.max(1e-12, Math.abs(first.loss()));
        if (history.size() >= 2 && drop < Thresholds.LOSS_MIN_RELATIVE_DROP) {
            add(new Finding("loss_not_decreasing", WARNING, "the training loss is not decreasing", String.format(
                Locale.ROOT, "training loss %.4f at epoch %d, %.4f at epoch %d", first.loss(), first.epoch(),
                last.loss(), last.epoch()), "a learning rate far too high or too low, dead units, or a bug in the "
                + "data pipeline", "run a learning-rate range test (jtrain doctor does), check the data and labels, "
                + "try the overfit-one-batch test"));
        }
        if (drop > Thresholds.LOSS_FELL && first.accuracy() != null && last.accuracy() != null
            && errorBarelyFell(first.accuracy(), last.accuracy()) && last.accuracy() < 0.95) {
            add(new Finding("accuracy_flat", WARNING, "the loss falls but accuracy does not improve", String.format(
                Locale.ROOT, "loss %.4f -> %.4f, accuracy %.3f -> %.3f", first.loss(), last.loss(), first.accuracy(),
                last.accuracy()), "the model is becoming confident on what it already predicts, e.g. the majority "
                + "class", "check class balance and labels; look at per-class recall (jtrain eval)"));
        }
        if (targetError != null && last.accuracy() != null) {
            double err = 1 - last.accuracy();
            if (err > Thresholds.UNDERFIT_FACTOR * targetError + Thresholds.UNDERFIT_SLACK) {
                add(new Finding("underfitting", WARNING, "training error is far above the target error",
                    String.format(Locale.ROOT, "training error %.3f at epoch %d; target %.3f", err, last.epoch(),
                        targetError), "the model is too small (or too constrained) for the data, or training too short",
                    "make the model bigger (more units or layers), train longer, reduce regularisation"));
            }
        }
    }

    /**
     * The error (1 - accuracy) fell by less than {@link Thresholds#ERROR_MIN_RELATIVE_DROP} of itself: from 0.073
     * to 0.065 is progress (an eleventh of the error gone), from 0.50 to 0.49 is not.
     */
    static boolean errorBarelyFell(double firstAccuracy, double lastAccuracy) {
        double e0 = 1 - firstAccuracy;
        double e1 = 1 - lastAccuracy;
        return e0 <= 0 || (e0 - e1) / e0 < Thresholds.ERROR_MIN_RELATIVE_DROP;
    }

    /** The training loss changes direction at least twice across epochs and ends well above its minimum. */
    private void oscillation() {
        if (history.size() < 4) {
            return;
        }
        int turns = 0;
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < history.size(); i++) {
            min = Math.min(min, history.get(i).loss());
            if (i >= 2) {
                double d1 = history.get(i - 1).loss() - history.get(i - 2).loss();
                double d2 = history.get(i).loss() - history.get(i - 1).loss();
                turns += d1 * d2 < 0 ? 1 : 0;
            }
        }
        double last = history.get(history.size() - 1).loss();
        double span = history.get(0).loss() - min;
        if (turns >= 2 && last > (1 + Thresholds.OSCILLATION_ABOVE_MIN) * min
            && last - min > Thresholds.OSCILLATION_ABOVE_MIN * span) {
            add(new Finding("learning_rate_too_high", WARNING, "the training loss oscillates", String.format(
                Locale.ROOT, "the epoch loss changed direction %d times; last %.4f, best %.4f", turns, last, min),
                "steps overshoot the minimum", String.format(Locale.ROOT, "lower the learning rate (now %.3g; see the "
                + "range test) or use a decaying schedule", lr)).withSet(lrSet(lr / 3)));
        }
    }

    private void gradientFlow() {
        if (gradRatios.isEmpty()) {
            return;
        }
        double[] med = median(gradRatios);
        double ratio = med[0] / Math.max(1e-30, med[1]);
        boolean lastFlows = med[1] > Thresholds.VANISH_FIRST_NORM * Thresholds.VANISH_RATIO;
        if (lastFlows && ratio < Thresholds.VANISH_RATIO && med[0] < Thresholds.VANISH_FIRST_NORM) {
            boolean saturating = model.layers().stream().anyMatch(l -> l instanceof ActivationLayer a
                && (a.activation().kind() == Activation.Kind.SIGMOID || a.activation().kind() == Activation.Kind.TANH));
            add(new Finding("vanishing_gradients", WARNING, "gradients vanish towards the first layers",
                String.format(Locale.ROOT, "median gradient norm %.3g at the first weighted layer, %.3g at the last "
                    + "(ratio %.3g)", med[0], med[1], ratio), saturating ? "deep stacks of saturating activations "
                    + "(sigmoid, tanh) multiply small derivatives" : "a deep stack without normalisation whose "
                    + "initial weights are too small for its depth", saturating ? "use ReLU-family activations with he "
                    + "initialisation, add batch_norm, or use fewer layers" : "add batch_norm after the dense or "
                    + "convolution layers, use he_uniform initialisation, or use fewer layers"));
        } else if (med[2] > Thresholds.EXPLODE_NORM || ratio > Thresholds.EXPLODE_RATIO) {
            add(new Finding("exploding_gradients", WARNING, "gradients explode", String.format(Locale.ROOT,
                "median global gradient norm %.3g; first/last layer ratio %.3g", med[2], ratio), "a too-high learning "
                + "rate, unnormalised inputs or a bad initialisation", "lower the learning rate, clip gradients "
                + "(optimizer.clip_norm: 1.0), normalise the inputs"));
        }
    }

    /** Steps that rewrite a large part of the weights: judged from the first sampled steps. */
    private void updatesTooLarge() {
        if (updateRatios.isEmpty()) {
            return;
        }
        double early = updateRatios.subList(0, Math.min(Thresholds.EARLY_SAMPLES, updateRatios.size())).stream()
            .mapToDouble(d -> d).max().orElse(0);
        if (early > Thresholds.UPDATE_RATIO_HIGH) {
            double proposed = lr * Math.min(0.1, Thresholds.UPDATE_RATIO_TARGET / early);
            add(new Finding("learning_rate_too_high", WARNING, "each step changes the weights too much",
                String.format(Locale.ROOT, "update-to-weight ratio up to %.3g per step in the first sampled steps "
                    + "(healthy: about 1e-3) at learning rate %.3g", early, lr),
                "the learning rate is too high for this model and optimizer", String.format(Locale.ROOT, "lower the "
                    + "learning rate to %.2g (steps scale with it: about 1e-2 of the weights per step there), or add "
                    + "a warm-up", proposed)).withSet(lrSet(proposed)));
        }
    }

    /** Weights that barely move: judged on the median of the samples so far. */
    private void updatesTooSmall() {
        if (updateRatios.isEmpty()) {
            return;
        }
        List<Double> sorted = new ArrayList<>(updateRatios);
        sorted.sort(Double::compare);
        double med = sorted.get(sorted.size() / 2);
        if (med < Thresholds.UPDATE_RATIO_LOW) {
            add(new Finding("update_ratio", WARNING, "the weights barely change", String.format(Locale.ROOT,
                "median update-to-weight ratio %.3g per step (healthy: about 1e-3) at learning rate %.3g", med, lr),
                "a learning rate far too low, or vanishing gradients", String.format(Locale.ROOT, "raise the learning "
                    + "rate 10x, to %.2g (see the range test)", lr * 10)).withSet(lrSet(lr * 10)));
        }
    }

    private static Map<String, String> lrSet(double v) {
        return Double.isFinite(v) && v > 0 ? Map.of("optimizer.lr", String.format(Locale.ROOT, "%.2g", v)) : Map.of();
    }

    private static double[] median(List<double[]> rows) {
        int k = rows.get(0).length;
        double[] m = new double[k];
        for (int j = 0; j < k; j++) {
            List<Double> col = new ArrayList<>();
            for (double[] r : rows) {
                if (!Double.isNaN(r[j])) {
                    col.add(r[j]);
                }
            }
            col.sort(Double::compare);
            m[j] = col.isEmpty() ? Double.NaN : col.get(col.size() / 2);
        }
        return m;
    }


    /** Releases the sampling buffers (the monitor can still judge what it has). */
    public void close() {
        if (sampler != null) {
            sampler.close();
            sampler = null;
            phase = 0;
        }
    }
}
