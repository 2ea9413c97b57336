package io.jtrain.diagnose;

import static io.jtrain.diagnose.Finding.Severity.WARNING;

import io.jtrain.train.EpochMetrics;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The live overfitting detector of {@link TrainingMonitor}, judged after every epoch on the history so far. */
final class OverfittingRule {
    private OverfittingRule() { }

    /**
     * Overfitting: the validation numbers against the training numbers in the same (inference) mode when the
     * trainer provides them — a gap between train-mode running means and inference-mode validation is also
     * what dropout and batch-norm statistics that have not settled produce, which is not memorisation.
     */
    static Finding judge(List<EpochMetrics> history) {
        int n = history.size();
        if (n < 2) {
            return null;
        }
        EpochMetrics a = history.get(n - 2);
        EpochMetrics b = history.get(n - 1);
        if (b.valLoss() == null || a.valLoss() == null) {
            return null;
        }
        double trainB = trainLoss(b);
        double trainA = trainLoss(a);
        Double accB = b.evalLoss() != null ? b.evalAccuracy() : b.accuracy();
        boolean rising = b.valLoss() > a.valLoss() && trainB < trainA;
        double relGap = (b.valLoss() - trainB) / Math.max(1e-8, trainB);
        boolean gap = relGap > Thresholds.OVERFIT_GAP && accB != null && b.valAccuracy() != null
            && accB - b.valAccuracy() > Thresholds.OVERFIT_ACCURACY_GAP;
        boolean memorised = accB != null && b.valAccuracy() != null && accB >= Thresholds.MEMORISED_TRAIN_ACCURACY
            && accB - b.valAccuracy() > Thresholds.MEMORISED_ACCURACY_GAP
            && b.valLoss() > Thresholds.MEMORISED_LOSS_RATIO * Math.max(1e-8, trainB);
        gap |= memorised;
        boolean risingTwice = rising && b.valLoss() > 1.01 * a.valLoss() && n >= 3
            && history.get(n - 3).valLoss() != null && a.valLoss() > 1.01 * history.get(n - 3).valLoss()
            && trainA < trainLoss(history.get(n - 3));
        if (gap || risingTwice && relGap > Thresholds.OVERFIT_GAP / 2) {
            return new Finding("overfitting", WARNING, "the model memorises the training data", String.format(Locale.ROOT,
                "epoch %d: training loss %.4f, validation loss %.4f%s%s", b.epoch(), trainB, b.valLoss(),
                accB == null || b.valAccuracy() == null ? "" : String.format(Locale.ROOT, "; accuracy %.3f vs %.3f",
                    accB, b.valAccuracy()), b.evalLoss() != null ? " (both in inference mode)" : ""),
                "too many parameters for the amount of training data, or training too long", "get more data or "
                + "augmentation, add dropout or weight decay, use a smaller model, and enable early stopping "
                + "(training.early_stopping)").withSet(Map.of("training.early_stopping.enabled", "true"));
        }
        return null;
    }

    private static double trainLoss(EpochMetrics m) {
        return m.evalLoss() != null ? m.evalLoss() : m.loss();
    }
}
