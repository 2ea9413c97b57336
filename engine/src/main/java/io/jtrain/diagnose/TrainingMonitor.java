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
import io.jtrain.train.TrainState;
import io.jtrain.train.TrainingListener;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The live detectors. Every {@link Thresholds#SAMPLE_EVERY} steps it reads the gradients, the outputs of
 * activation layers and (on the next step) the weight change; after every epoch it judges dead ReLUs,
 * saturation and overfitting; {@link #finish} judges the run as a whole. Each finding is reported once,
 * through the callback; with {@code strict}, an error-level finding stops training.
 */
public final class TrainingMonitor implements TrainingListener {
    private final Sequential model;
    private final Backend be;
    private final Consumer<Finding> report;
    private final boolean strict;
    private final Map<String, Finding> found = new LinkedHashMap<>();
    private final Map<Integer, boolean[]> everActive = new HashMap<>();
    private final Map<Integer, long[]> saturated = new HashMap<>();
    private final List<double[]> gradRatios = new ArrayList<>();
    private final List<Double> updateRatios = new ArrayList<>();
    private final List<EpochMetrics> history = new ArrayList<>();
    private float[] host = new float[0];
    private Map<String, float[]> snapshot;
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

    /** Records a finding once (by id); reports it; stops on an error when strict. */
    public void add(Finding f) {
        if (found.putIfAbsent(f.id(), f) == null) {
            report.accept(f);
            if (strict && f.severity() == ERROR) {
                throw new StopOnError(f);
            }
        }
    }

    @Override
    public void stepEnd(int epoch, int s, int steps, double loss, int samples) {
        step++;
        if (snapshot != null) {
            updateRatio();
        }
        if (step % Thresholds.SAMPLE_EVERY != 1 && Thresholds.SAMPLE_EVERY > 1) {
            return;
        }
        gradients(epoch, s);
        activations(epoch, s);
        snapshot = weights();
    }

    private void gradients(int epoch, int s) {
        double first = Double.NaN;
        double last = Double.NaN;
        double global = 0;
        for (Parameter p : model.parameters()) {
            var st = be.stats(p.grad());
            if (st.nonFinite() > 0) {
                add(new Finding("nan_in_training", ERROR, "gradients became NaN or infinite", "parameter " + p.name()
                    + " at epoch " + epoch + ", step " + s, "a too-high learning rate or non-finite inputs",
                    "lower the learning rate, clip gradients (optimizer.clip_norm: 1.0), check the data"));
                return;
            }
            if (p.kind() == Parameter.Kind.DENSE_WEIGHT || p.kind() == Parameter.Kind.CONV_KERNEL) {
                first = Double.isNaN(first) ? st.norm() : first;
                last = st.norm();
            }
            global += st.sumSquares();
        }
        gradRatios.add(new double[] {first, last, Math.sqrt(global)});
    }

    private void activations(int epoch, int s) {
        for (Layer l : model.layers()) {
            if (!(l instanceof ActivationLayer a) || a.lastOutput() == null) {
                continue;
            }
            Tensor y = a.lastOutput();
            if (host.length < y.size()) {
                host = new float[(int) y.size()];
            }
            be.download(y, host, 0);
            Activation.Kind k = a.activation().kind();
            int n = y.dim(0);
            int per = (int) (y.size() / n);
            for (int i = 0; i < per * n; i++) {
                if (!Float.isFinite(host[i])) {
                    add(new Finding("nan_in_training", ERROR, "activations became NaN or infinite", "first at layer "
                        + l.index() + " (" + l.type() + ") at epoch " + epoch + ", step " + s, "overflow from a "
                        + "too-high learning rate or non-finite inputs", "lower the learning rate, check the data"));
                    return;
                }
            }
            if (k == Activation.Kind.RELU) {
                deadUnits(l, host, n, per);
            } else if (k == Activation.Kind.TANH || k == Activation.Kind.SIGMOID) {
                long[] c = saturated.computeIfAbsent(l.index(), i -> new long[per + 1]);
                for (int i = 0; i < per * n; i++) {
                    float v = host[i];
                    boolean sat = k == Activation.Kind.TANH ? Math.abs(v) > Thresholds.SATURATED_OUTPUT
                        : v > Thresholds.SATURATED_OUTPUT || v < 1 - Thresholds.SATURATED_OUTPUT;
                    c[i % per] += sat ? 1 : 0;
                }
                c[per] += n;
            }
        }
    }

    /** Units: features of [N, F] outputs, channels of [N, C, H, W] outputs. */
    private void deadUnits(Layer l, float[] v, int n, int per) {
        boolean image = l.outputShape().rank() == 3;
        int units = image ? l.outputShape().dim(0) : per;
        int plane = image ? per / units : 1;
        boolean[] act = everActive.computeIfAbsent(l.index(), i -> new boolean[units]);
        for (int i = 0; i < n; i++) {
            for (int u = 0; u < units; u++) {
                if (act[u]) {
                    continue;
                }
                int base = i * per + u * plane;
                for (int q = 0; q < plane; q++) {
                    if (v[base + q] > 0) {
                        act[u] = true;
                        break;
                    }
                }
            }
        }
    }

    private Map<String, float[]> weights() {
        Map<String, float[]> w = new HashMap<>();
        for (Parameter p : model.parameters()) {
            if (p.kind() == Parameter.Kind.DENSE_WEIGHT || p.kind() == Parameter.Kind.CONV_KERNEL) {
                float[] a = new float[(int) p.value().size()];
                be.download(p.value(), a, 0);
                w.put(p.name(), a);
            }
        }
        return w;
    }

    private void updateRatio() {
        Map<String, float[]> now = weights();
        double worst = 0;
        for (Map.Entry<String, float[]> e : now.entrySet()) {
            float[] before = snapshot.get(e.getKey());
            double d = 0;
            double w = 0;
            for (int i = 0; i < before.length; i++) {
                double x = e.getValue()[i] - before[i];
                d += x * x;
                w += (double) before[i] * before[i];
            }
            double r = w == 0 ? (d == 0 ? 0 : Double.POSITIVE_INFINITY) : Math.sqrt(d / w);
            worst = Math.max(worst, r);
        }
        updateRatios.add(worst);
        snapshot = null;
    }

    @Override
    public void epochEnd(EpochMetrics m, boolean best) {
        history.add(m);
        for (Map.Entry<Integer, boolean[]> e : everActive.entrySet()) {
            boolean[] act = e.getValue();
            int dead = 0;
            for (boolean b : act) {
                dead += b ? 0 : 1;
            }
            double frac = (double) dead / act.length;
            if (frac > Thresholds.DEAD_UNITS) {
                Layer l = model.layers().get(e.getKey());
                add(new Finding("dead_relu", frac > 0.9 ? ERROR : WARNING, "most ReLU units never activate",
                    String.format(Locale.ROOT, "layer %d (%s): %d of %d units (%.0f %%) were never positive in epoch %d's "
                        + "sampled batches", l.index(), l.type(), dead, act.length, 100 * frac, m.epoch()),
                    "large negative biases, a too-high learning rate that pushed units negative, or a bad "
                        + "initialisation", "use he_uniform initialisation and zero biases, lower the learning rate, or "
                        + "try leaky_relu"));
            }
        }
        everActive.clear();
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
        overfitting();
    }

    private void overfitting() {
        int n = history.size();
        if (n < 2) {
            return;
        }
        EpochMetrics a = history.get(n - 2);
        EpochMetrics b = history.get(n - 1);
        if (b.valLoss() == null || a.valLoss() == null) {
            return;
        }
        boolean rising = b.valLoss() > a.valLoss() && b.loss() < a.loss();
        double relGap = (b.valLoss() - b.loss()) / Math.max(1e-8, b.loss());
        boolean gap = relGap > Thresholds.OVERFIT_GAP && b.accuracy() != null && b.valAccuracy() != null
            && b.accuracy() - b.valAccuracy() > Thresholds.OVERFIT_ACCURACY_GAP;
        boolean risingTwice = rising && b.valLoss() > 1.01 * a.valLoss() && n >= 3
            && history.get(n - 3).valLoss() != null && a.valLoss() > 1.01 * history.get(n - 3).valLoss()
            && a.loss() < history.get(n - 3).loss();
        if (gap || risingTwice && relGap > Thresholds.OVERFIT_GAP / 2) {
            add(new Finding("overfitting", WARNING, "the model memorises the training data", String.format(Locale.ROOT,
                "epoch %d: training loss %.4f, validation loss %.4f%s", b.epoch(), b.loss(), b.valLoss(),
                b.accuracy() == null || b.valAccuracy() == null ? "" : String.format(Locale.ROOT,
                    "; accuracy %.3f vs %.3f", b.accuracy(), b.valAccuracy())), "too many parameters for the amount of "
                + "training data, or training too long", "get more data or augmentation, add dropout or weight decay, "
                + "use a smaller model, and enable early stopping (training.early_stopping)"));
        }
    }

    /** Whole-run judgements; {@code targetError} may be null. */
    public void finish(Double targetError) {
        if (history.isEmpty()) {
            return;
        }
        EpochMetrics first = history.get(0);
        EpochMetrics last = history.get(history.size() - 1);
        gradientFlow();
        updates();
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
            && last.accuracy() - first.accuracy() < Thresholds.ACCURACY_MIN_GAIN && last.accuracy() < 0.95) {
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
        if (turns >= 2 && last > (1 + Thresholds.OSCILLATION_ABOVE_MIN) * min) {
            add(new Finding("learning_rate_too_high", WARNING, "the training loss oscillates", String.format(
                Locale.ROOT, "the epoch loss changed direction %d times; last %.4f, best %.4f", turns, last, min),
                "steps overshoot the minimum", "lower the learning rate (see the range test) or use a decaying "
                + "schedule"));
        }
    }

    private void gradientFlow() {
        if (gradRatios.isEmpty()) {
            return;
        }
        double[] med = median(gradRatios);
        double ratio = med[0] / Math.max(1e-30, med[1]);
        if (ratio < Thresholds.VANISH_RATIO && med[0] < Thresholds.VANISH_FIRST_NORM) {
            add(new Finding("vanishing_gradients", WARNING, "gradients vanish towards the first layers",
                String.format(Locale.ROOT, "median gradient norm %.3g at the first weighted layer, %.3g at the last "
                    + "(ratio %.3g)", med[0], med[1], ratio), "deep stacks of saturating activations (sigmoid, tanh) "
                    + "multiply small derivatives", "use ReLU-family activations with he initialisation, add batch_norm, "
                    + "or use fewer layers"));
        } else if (med[2] > Thresholds.EXPLODE_NORM || ratio > Thresholds.EXPLODE_RATIO) {
            add(new Finding("exploding_gradients", WARNING, "gradients explode", String.format(Locale.ROOT,
                "median global gradient norm %.3g; first/last layer ratio %.3g", med[2], ratio), "a too-high learning "
                + "rate, unnormalised inputs or a bad initialisation", "lower the learning rate, clip gradients "
                + "(optimizer.clip_norm: 1.0), normalise the inputs"));
        }
    }

    private void updates() {
        if (updateRatios.isEmpty()) {
            return;
        }
        List<Double> sorted = new ArrayList<>(updateRatios);
        sorted.sort(Double::compare);
        double med = sorted.get(sorted.size() / 2);
        double early = updateRatios.subList(0, Math.min(3, updateRatios.size())).stream().mapToDouble(d -> d).max()
            .orElse(0);
        if (early > Thresholds.UPDATE_RATIO_HIGH) {
            add(new Finding("learning_rate_too_high", WARNING, "each step changes the weights too much",
                String.format(Locale.ROOT, "update-to-weight ratio up to %.3g per step in the first sampled steps "
                    + "(healthy: about 1e-3)", early),
                "the learning rate is too high for this model and optimizer", "lower the learning rate 10x (the "
                + "doctor's range test suggests one), or add a warm-up"));
        } else if (med < Thresholds.UPDATE_RATIO_LOW) {
            add(new Finding("update_ratio", WARNING, "the weights barely change", String.format(Locale.ROOT,
                "median update-to-weight ratio %.3g per step (healthy: about 1e-3)", med), "a learning rate far too "
                + "low, or vanishing gradients", "raise the learning rate (see the range test)"));
        }
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

    @Override
    public void checkpoint(TrainState state, boolean epochBoundary) {
        // the monitor keeps no state that needs saving
    }
}
