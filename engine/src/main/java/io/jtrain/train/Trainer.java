package io.jtrain.train;

import io.jtrain.backend.Backend;
import io.jtrain.data.Dataset;
import io.jtrain.data.Splits;
import io.jtrain.loss.Loss;
import io.jtrain.nn.Layer;
import io.jtrain.nn.Parameter;
import io.jtrain.nn.Sequential;
import io.jtrain.optim.Optimizer;
import io.jtrain.schedule.LrSchedule;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Tensor;
import io.jtrain.util.CounterRng;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The training loop: seeded shuffling per epoch, mini-batches (the last partial batch kept unless
 * dropped), gradient accumulation, validation, early stopping with the best weights kept in memory,
 * checkpoints through the listener, and a clean stop on request. Every random choice derives from the
 * run seed and the epoch, so a run resumed at an epoch boundary ends with the same weights.
 */
public final class Trainer implements AutoCloseable {
    private final Sequential model;
    private final Optimizer opt;
    private final Loss loss;
    private final LrSchedule schedule;
    private final TrainConfig cfg;
    private final Backend be;
    private final BatchFeeder feeder;
    private final Tensor dOutFull;
    /** The step's loss sum, correct count, invalid targets and rows, summed on the device (see Loss#accumulate). */
    private final Tensor acc;
    private final float[] accHost = new float[8];
    private final AccuracyRule rule;
    private final ArgmaxCount argmax;
    private final int end;
    private final EarlyStopping stopping;
    private final List<Tensor> best = new ArrayList<>();
    private final Evaluator evaluator;
    private volatile boolean stopRequested;
    private double currentLr;

    private Dataset trainingSubset;
    private Dataset testSplit;
    private int evaluateEvery = 1;

    /**
     * Also evaluates {@code subset} (training samples) in inference mode after every epoch, into {@link
     * EpochMetrics#evalLoss()}; the live diagnosis compares it with validation (null: off).
     */
    public void evaluateTrainingSubset(Dataset subset) {
        this.trainingSubset = subset;
    }

    /**
     * Evaluates the validation split (and {@code test}, when not null, into the {@code test_*} metrics) every
     * {@code every} epochs and after the last; early stopping and best-model selection on a validation or test
     * metric then count only the evaluated epochs. The test split is never trained on.
     */
    public void evaluateEvery(int every, Dataset test) {
        if (every < 1) {
            throw new io.jtrain.util.UsageException("evaluation.every_epochs must be at least 1, got " + every);
        }
        this.evaluateEvery = every;
        this.testSplit = test;
    }

    /** A trainer whose accuracy rule is taken from the loss ({@link AccuracyRule#byLoss}). */
    public Trainer(Sequential model, Optimizer opt, Loss loss, LrSchedule schedule, TrainConfig cfg, int targetSize) {
        this(model, opt, loss, schedule, cfg, targetSize, AccuracyRule.byLoss(loss));
    }

    public Trainer(Sequential model, Optimizer opt, Loss loss, LrSchedule schedule, TrainConfig cfg, int targetSize,
                   AccuracyRule rule) {
        this.model = model;
        this.rule = rule;
        this.opt = opt;
        this.loss = loss;
        this.schedule = schedule;
        this.cfg = cfg;
        this.be = model.backend();
        int maxBatch = Math.max(cfg.batchSize(), cfg.evalBatchSize());
        model.reserve(maxBatch);
        this.end = loss.fusesSoftmax() ? model.logitsEnd() : model.layers().size();
        Layer last = model.layers().get(end - 1);
        this.feeder = new BatchFeeder(be, model.inputShape(), targetSize, maxBatch);
        Tensor d = null;
        Tensor a = null;
        try {
            d = be.allocate(last.outputShape().withBatch(maxBatch), MemoryCategory.ACTIVATIONS);
            a = be.allocate(io.jtrain.tensor.Shape.of(8), MemoryCategory.WORKSPACE);
            this.argmax = rule == AccuracyRule.ARGMAX ? new ArgmaxCount(be, last.outputShape(), maxBatch) : null;
        } catch (RuntimeException e) {
            feeder.close();
            for (Tensor t : new Tensor[] {d, a}) {
                if (t != null) {
                    t.close();
                }
            }
            throw e;
        }
        this.acc = a;
        this.dOutFull = d;
        this.stopping = new EarlyStopping(cfg.earlyStopping());
        this.evaluator = new Evaluator(model, loss, feeder, dOutFull, maxBatch, rule, argmax);
    }

    /** Asks the loop to checkpoint and stop at the next step (safe to call from a signal handler thread). */
    public void requestStop() {
        stopRequested = true;
    }

    public EarlyStopping earlyStopping() {
        return stopping;
    }

    public Sequential model() {
        return model;
    }

    public Optimizer optimizer() {
        return opt;
    }

    /** {@link #fit(Dataset, Dataset, TrainState, List)} with one listener. */
    public TrainState fit(Dataset train, Dataset val, TrainState state, TrainingListener listener) {
        return fit(train, val, state, List.of(listener));
    }

    /** Trains from {@code state} (a fresh state, or one restored from a checkpoint) to the end. */
    public TrainState fit(Dataset train, Dataset val, TrainState state, List<TrainingListener> listeners) {
        Listeners listener = new Listeners(listeners);
        restoreCounters(state);
        int n = train.size();
        int micro = cfg.dropLast() ? n / cfg.batchSize() : (n + cfg.batchSize() - 1) / cfg.batchSize();
        if (micro == 0) {
            throw new io.jtrain.util.UsageException("batch size " + cfg.batchSize() + " is larger than the " + n
                + " training samples and drop_last is set: no batch to train on");
        }
        int steps = (micro + cfg.accumulation() - 1) / cfg.accumulation();
        if (stopping.shouldStop()) {
            state.finished = true;
            return state;
        }
        for (; state.epoch <= cfg.epochs(); state.epoch++) {
            runEpoch(train, val, state, listener, micro, steps);
            if (stopping.shouldStop()) {
                state.stoppedEarlyAt = state.epoch;
                state.epoch++;
                break;
            }
        }
        state.finished = true;
        saveCounters(state);
        return state;
    }

    /** Delivers each event to every listener in order. */
    private record Listeners(List<TrainingListener> all) {
        void epochStart(TrainingListener.EpochStart e) {
            all.forEach(l -> l.epochStart(e));
        }

        void stepEnd(TrainingListener.StepEnd e) {
            all.forEach(l -> l.stepEnd(e));
        }

        void epochEnd(TrainingListener.EpochEnd e) {
            all.forEach(l -> l.epochEnd(e));
        }

        void checkpoint(TrainState st, boolean boundary) {
            TrainingListener.Checkpoint c = new TrainingListener.Checkpoint(st.copy(), boundary);
            all.forEach(l -> l.checkpoint(c));
        }
    }

    private void runEpoch(Dataset train, Dataset val, TrainState st, Listeners l, int micro, int steps) {
        long t0 = System.nanoTime();
        double carried = st.epochStartSeconds;
        int[] order = Splits.permutation(train.size(), CounterRng.derive(cfg.seed(), st.epoch));
        l.epochStart(new TrainingListener.EpochStart(st.epoch, steps));
        for (int step = st.stepInEpoch; step < steps; step++) {
            currentLr = schedule.lr(st.epoch - 1, step, steps);
            trainStep(train, order, step, micro, st);
            st.stepInEpoch = step + 1;
            long n = Math.max(1, st.epochSamples);
            l.stepEnd(new TrainingListener.StepEnd(st.epoch, step + 1, steps, st.epochLossSum / n,
                isClassification() ? st.epochCorrect / n : null, st.epochSamples, currentLr));
            boolean periodic = cfg.checkpointEverySteps() > 0 && (step + 1) % cfg.checkpointEverySteps() == 0
                && step + 1 < steps;
            if (stopRequested || periodic) {
                st.epochStartSeconds = carried + (System.nanoTime() - t0) / 1e9;
                saveCounters(st);
                l.checkpoint(st, false);
                if (stopRequested) {
                    throw new TrainingInterrupted(st.epoch, step + 1);
                }
            }
        }
        finishEpoch(val, st, l, carried + (System.nanoTime() - t0) / 1e9);
    }

    /**
     * One optimizer step: the micro-batches' forward, loss and backward, the update, then one read of the
     * step's loss accumulator (the only transfer from the device in a step).
     */
    private void trainStep(Dataset train, int[] order, int step, int micro, TrainState st) {
        int first = step * cfg.accumulation();
        int last = Math.min(micro, first + cfg.accumulation());
        model.zeroGrad();
        be.fill(acc, 0f);
        int samples = 0;
        for (int m = first; m < last; m++) {
            int from = m * cfg.batchSize();
            int nb = Math.min(cfg.batchSize(), train.size() - from);
            SplittableRandom aug = new SplittableRandom(CounterRng.derive(CounterRng.derive(cfg.seed(), st.epoch), m));
            Tensor[] xy = feeder.load(train, order, from, nb, cfg.augmentation(), aug);
            Tensor out = model.forward(xy[0], true, end);
            Tensor dOut = dOutFull.narrow(nb);
            loss.accumulate(be, out, xy[1], dOut, 1f / (last - first), acc);
            if (argmax != null) {
                argmax.add(out, xy[1], acc);
            }
            model.backward(dOut, end);
            samples += nb;
        }
        opt.step(model.parameters(), currentLr);
        be.download(acc, accHost, 0);
        if (accHost[2] > 0) {
            throw invalidTargets(train, order, first * cfg.batchSize(), Math.min(train.size(), last * cfg.batchSize()));
        }
        double lv = accHost[0] / Math.max(1, samples);
        if (!Double.isFinite(lv)) {
            throw new DivergedException("the training loss became " + (float) lv + " at epoch " + st.epoch + ", step "
                + (step + 1) + "; try a lower learning rate (now " + currentLr + "), gradient clipping "
                + "(optimizer.clip_norm: 1.0), or check the inputs for NaN (jtrain doctor)");
        }
        st.epochLossSum += accHost[0];
        st.epochCorrect += rule == AccuracyRule.ARGMAX ? accHost[ArgmaxCount.SLOT] : accHost[1];
        st.epochSamples += samples;
    }

    /** The first target of samples order[from, to) that the loss refuses, named by its place in the data set. */
    private io.jtrain.data.DataException invalidTargets(Dataset d, int[] order, int from, int to) {
        int outputs = (int) model.layers().get(end - 1).outputShape().size();
        int ts = d.targetSize();
        for (int i = from; i < to; i++) {
            int idx = order[i];
            for (int j = 0; j < ts; j++) {
                float v = d.y()[idx * ts + j];
                if (!loss.validTarget(v, outputs)) {
                    return new io.jtrain.data.DataException("target " + v + " of training sample " + idx + " ("
                        + d.name() + ") is not " + loss.targetRule(outputs) + "; fix the labels or the model's last "
                        + "layer");
                }
            }
        }
        return new io.jtrain.data.DataException((int) accHost[2] + " targets of the batch are not "
            + loss.targetRule(outputs));
    }

    private void finishEpoch(Dataset val, TrainState st, Listeners l, double seconds) {
        boolean evaluated = st.epoch % evaluateEvery == 0 || st.epoch == cfg.epochs();
        Evaluation ev = val == null || !evaluated ? null : evaluate(val);
        Evaluation test = testSplit == null || !evaluated ? null : evaluate(testSplit);
        Evaluation te = trainingSubset == null ? null : evaluate(trainingSubset);
        long n = Math.max(1, st.epochSamples);
        double lossMean = st.epochLossSum / n;
        java.util.Map<String, Double> more = new java.util.LinkedHashMap<>();
        if (loss == Loss.MEAN_SQUARED_ERROR && rule == AccuracyRule.NONE) {
            more.put("mae", st.epochCorrect / n);     // the loss's [1] is the absolute-error sum for MSE
            more.put("rmse", Math.sqrt(lossMean));
            if (ev != null && ev.regression() != null) {
                more.put("val_mae", ev.regression().mae());
                more.put("val_rmse", ev.regression().rmse());
            }
        }
        if (test != null) {
            more.put("test_loss", test.loss());
            if (test.accuracy() != null) {
                more.put("test_accuracy", test.accuracy());
            }
            if (test.regression() != null) {
                more.put("test_mae", test.regression().mae());
                more.put("test_rmse", test.regression().rmse());
            }
        }
        EpochMetrics m = new EpochMetrics(st.epoch, lossMean, isClassification() ? st.epochCorrect / n : null,
            ev == null ? null : ev.loss(), ev == null ? null : ev.accuracy(), currentLr, seconds,
            te == null ? null : te.loss(), te == null ? null : te.accuracy(), more);
        st.history.add(m);
        String split = stopping.config().split();
        boolean counts = evaluated || split.equals("training") || split.equals("validation") && val == null;
        boolean isBest = counts && stopping.update(m);
        if (isBest) {
            keepBest();
        }
        schedule.epochEnd(st.epoch - 1, counts ? stopping.value(m) : Double.NaN, stopping.maximize());
        st.stepInEpoch = 0;
        st.epochLossSum = 0;
        st.epochCorrect = 0;
        st.epochSamples = 0;
        st.epochStartSeconds = 0;
        l.epochEnd(new TrainingListener.EpochEnd(m, isBest));
        saveCounters(st);
        TrainState next = st.copy();
        next.epoch = st.epoch + 1;
        TrainingListener.Checkpoint c = new TrainingListener.Checkpoint(next, true);
        l.all().forEach(x -> x.checkpoint(c));
    }

    private boolean isClassification() {
        return rule != AccuracyRule.NONE;
    }

    /** Loss, accuracy and confusion matrix of {@code d} in inference mode. */
    public Evaluation evaluate(Dataset d) {
        return evaluator.evaluate(d);
    }

    private void keepBest() {
        List<Layer.NamedTensor> ts = model.stateTensors();
        if (best.isEmpty()) {
            for (Layer.NamedTensor t : ts) {
                best.add(be.allocate(t.tensor().shape(), MemoryCategory.WEIGHTS));
            }
        }
        for (int i = 0; i < ts.size(); i++) {
            be.copy(ts.get(i).tensor(), best.get(i));
        }
    }

    /** Copies the best epoch's weights into the model (no-op when no epoch finished). */
    public void restoreBest() {
        List<Layer.NamedTensor> ts = model.stateTensors();
        for (int i = 0; i < best.size(); i++) {
            be.copy(best.get(i), ts.get(i).tensor());
        }
    }

    /** Sets the best weights (on resume), from host arrays in state-tensor order. */
    public void setBest(List<float[]> values) {
        List<Layer.NamedTensor> ts = model.stateTensors();
        if (best.isEmpty()) {
            for (Layer.NamedTensor t : ts) {
                best.add(be.allocate(t.tensor().shape(), MemoryCategory.WEIGHTS));
            }
        }
        for (int i = 0; i < values.size(); i++) {
            be.upload(values.get(i), 0, best.get(i));
        }
    }

    private void restoreCounters(TrainState st) {
        if (st.earlyStopping.length > 0) {
            stopping.restore(st.earlyStopping);
        }
        if (st.schedule.length > 0) {
            schedule.restore(st.schedule);
        }
        opt.setSteps(st.optimizerSteps);
        int k = 0;
        for (Layer layer : model.layers()) {
            if (layer.random() && k < st.dropoutSteps.length) {
                layer.setRngCounter(st.dropoutSteps[k++]);
            }
        }
    }

    private void saveCounters(TrainState st) {
        st.earlyStopping = stopping.state();
        st.schedule = schedule.state();
        st.optimizerSteps = opt.steps();
        List<Long> ds = new ArrayList<>();
        for (Layer layer : model.layers()) {
            if (layer.random()) {
                ds.add(layer.rngCounter());
            }
        }
        st.dropoutSteps = ds.stream().mapToLong(Long::longValue).toArray();
    }

    /** Parameters (for tests and diagnostics). */
    public List<Parameter> parameters() {
        return model.parameters();
    }

    @Override
    public void close() {
        evaluator.close();
        feeder.close();
        dOutFull.close();
        acc.close();
        if (argmax != null) {
            argmax.close();
        }
        for (Tensor t : best) {
            t.close();
        }
        best.clear();
    }
}
