package io.jtrain.train;

import io.jtrain.backend.Backend;
import io.jtrain.data.Dataset;
import io.jtrain.loss.Loss;
import io.jtrain.metrics.ConfusionMatrix;
import io.jtrain.nn.Sequential;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Tensor;

/**
 * Inference-mode passes over a data set: loss, accuracy, confusion matrix and predicted probabilities.
 * Accuracy follows the run's {@link AccuracyRule}: the argmax match for softmax cross-entropy and for one-hot
 * targets, the per-element sign match for binary cross-entropy, absent for regression.
 */
public final class Evaluator implements AutoCloseable {
    private final Sequential model;
    private final Loss loss;
    private final Backend be;
    private final BatchFeeder feeder;
    private final Tensor dOutFull;
    private final int end;
    private final int batch;
    private final float[] logitsHost;
    private final Tensor acc;
    private final boolean owns;
    private final AccuracyRule rule;
    private final ArgmaxCount argmax;

    Evaluator(Sequential model, Loss loss, BatchFeeder feeder, Tensor dOutFull, int batch, AccuracyRule rule,
              ArgmaxCount argmax) {
        this.model = model;
        this.loss = loss;
        this.rule = rule;
        this.argmax = argmax;
        this.be = model.backend();
        this.feeder = feeder;
        this.dOutFull = dOutFull;
        this.end = loss.fusesSoftmax() ? model.logitsEnd() : model.layers().size();
        this.batch = batch;
        this.logitsHost = new float[(int) (batch * model.layers().get(end - 1).outputShape().size())];
        this.acc = be.allocate(io.jtrain.tensor.Shape.of(8), MemoryCategory.WORKSPACE);
        this.owns = false;
    }

    private Evaluator(Sequential model, Loss loss, int batch, int targetSize, AccuracyRule rule) {
        this.model = model;
        this.loss = loss;
        this.rule = rule;
        this.be = model.backend();
        model.reserve(Math.max(batch, model.reservedBatch()));
        this.end = loss.fusesSoftmax() ? model.logitsEnd() : model.layers().size();
        this.feeder = new BatchFeeder(be, model.inputShape(), targetSize, batch);
        this.dOutFull = be.allocate(model.layers().get(end - 1).outputShape().withBatch(batch),
            MemoryCategory.ACTIVATIONS);
        this.batch = batch;
        this.logitsHost = new float[(int) (batch * model.layers().get(end - 1).outputShape().size())];
        this.acc = be.allocate(io.jtrain.tensor.Shape.of(8), MemoryCategory.WORKSPACE);
        this.argmax = rule == AccuracyRule.ARGMAX ? new ArgmaxCount(be, model.layers().get(end - 1).outputShape(),
            batch) : null;
        this.owns = true;
    }

    /** An evaluator with its own buffers for a loaded model, its accuracy rule taken from the loss. */
    public static Evaluator create(Sequential model, Loss loss, int batch, int targetSize) {
        return new Evaluator(model, loss, batch, targetSize, AccuracyRule.byLoss(loss));
    }

    /** An evaluator with its own buffers for a loaded model and the run's accuracy rule. */
    public static Evaluator create(Sequential model, Loss loss, int batch, int targetSize, AccuracyRule rule) {
        return new Evaluator(model, loss, batch, targetSize, rule);
    }

    /**
     * Loss, accuracy and (for softmax classification) the confusion matrix of {@code d} in inference mode.
     * Loss and accuracy are summed on the device and read once; the logits are read per batch only for the
     * confusion matrix.
     */
    public Evaluation evaluate(Dataset d) {
        int outputs = (int) model.layers().get(end - 1).outputShape().size();
        boolean oneHot = rule == AccuracyRule.ARGMAX;
        ConfusionMatrix cm = (loss == Loss.SOFTMAX_CROSS_ENTROPY && d.targetSize() == 1 || oneHot)
            && d.numClasses() > 1 ? new ConfusionMatrix(Math.max(d.numClasses(), outputs)) : null;
        be.fill(acc, 0f);
        double[] reg = loss == Loss.MEAN_SQUARED_ERROR && rule == AccuracyRule.NONE ? new double[5] : null;
        for (int from = 0; from < d.size(); from += batch) {
            int nb = Math.min(batch, d.size() - from);
            Tensor[] xy = feeder.load(d, null, from, nb, null, null);
            Tensor out = model.forward(xy[0], false, end);
            loss.accumulate(be, out, xy[1], dOutFull.narrow(nb), 1f, acc);
            if (argmax != null) {
                argmax.add(out, xy[1], acc);
            }
            if (reg != null) {
                be.download(out, logitsHost, 0);
                regression(reg, feeder.hostTargets(), (int) out.size());
            }
            if (cm != null) {
                be.download(out, logitsHost, 0);
                int c = (int) (out.size() / nb);
                for (int i = 0; i < nb; i++) {
                    int label = oneHot ? argmax(feeder.hostTargets(), i * c, c) : (int) feeder.hostTargets()[i];
                    if (label >= 0 && label < d.numClasses()) {
                        cm.add(label, argmax(logitsHost, i * c, c));
                    }
                }
            }
        }
        float[] r = new float[8];
        be.download(acc, r, 0);
        if (r[2] > 0) {
            throw new io.jtrain.data.DataException((long) r[2] + " targets of " + d.name() + " are not "
                + loss.targetRule(outputs) + "; the data does not fit this model");
        }
        int n = Math.max(1, d.size());
        Double accuracy = switch (rule) {
            case NONE -> null;
            case LOSS -> (double) r[1] / n;
            case ARGMAX -> (double) r[ArgmaxCount.SLOT] / n;
        };
        return new Evaluation(r[0] / n, accuracy, cm, d.size(), reg == null ? null : regressionMetrics(reg));
    }

    /** Sums over target values: {count, |error|, error², target, target²}. */
    private void regression(double[] reg, float[] targets, int values) {
        for (int i = 0; i < values; i++) {
            double t = targets[i];
            double e = logitsHost[i] - t;
            reg[0]++;
            reg[1] += Math.abs(e);
            reg[2] += e * e;
            reg[3] += t;
            reg[4] += t * t;
        }
    }

    private static Evaluation.Regression regressionMetrics(double[] reg) {
        double n = Math.max(1, reg[0]);
        double mean = reg[3] / n;
        double total = reg[4] - n * mean * mean;
        return new Evaluation.Regression(reg[1] / n, Math.sqrt(reg[2] / n), total > 1e-12 ? 1 - reg[2] / total
            : Double.NaN);
    }

    /** Model outputs for {@code d} (softmax probabilities for classification models) as [N, outputs]. */
    public float[][] predict(Dataset d) {
        int outSize = (int) model.outputShape().size();
        float[][] res = new float[d.size()][outSize];
        float[] host = new float[batch * outSize];
        for (int from = 0; from < d.size(); from += batch) {
            int nb = Math.min(batch, d.size() - from);
            Tensor[] xy = feeder.load(d, null, from, nb, null, null);
            Tensor out = model.forward(xy[0], false);
            be.download(out, host, 0);
            for (int i = 0; i < nb; i++) {
                System.arraycopy(host, i * outSize, res[from + i], 0, outSize);
            }
        }
        return res;
    }

    public static int argmax(float[] a, int off, int n) {
        int best = 0;
        for (int j = 1; j < n; j++) {
            if (a[off + j] > a[off + best]) {
                best = j;
            }
        }
        return best;
    }

    @Override
    public void close() {
        acc.close();
        if (owns && argmax != null) {
            argmax.close();
        }
        if (owns) {
            feeder.close();
            dOutFull.close();
        }
    }
}
