package io.jtrain.diagnose;

/**
 * Every threshold of the doctor, defined once. docs/diagnosis.md lists each with its reason and source.
 */
public final class Thresholds {
    private Thresholds() { }

    /** Inputs: |mean| above this is "not centred". */
    public static final double INPUT_MEAN_MAX = 3.0;
    /** Inputs: overall standard deviation outside [min, max] is "not scaled". */
    public static final double INPUT_STD_MIN = 0.1;
    public static final double INPUT_STD_MAX = 20.0;
    /** Inputs: the largest over the smallest per-feature deviation (non-constant features). */
    public static final double FEATURE_SCALE_RATIO = 100.0;
    /** A feature whose deviation is below this is constant. */
    public static final double CONSTANT_STD = 1e-8;
    /** Class imbalance: most frequent over least frequent class count (SageMaker: 10). */
    public static final double IMBALANCE_RATIO = 10.0;
    /** Split mismatch: standardised mean difference of a feature between training and validation. */
    public static final double SPLIT_SMD = 0.5;
    /** ... on more than this fraction of features. */
    public static final double SPLIT_FEATURE_FRACTION = 0.1;
    /** Initialisation: per-layer output deviation over the input deviation outside [1/x, x]. */
    public static final double INIT_STD_RATIO = 100.0;
    /** Depth: more weighted layers than this is "much deeper than needed to start with". */
    public static final int MAX_START_DEPTH = 8;
    /** Loss not decreasing: relative drop of the training loss from the first to the last epoch. */
    public static final double LOSS_MIN_RELATIVE_DROP = 0.01;
    /** Accuracy flat: accuracy gain below this while the loss fell by at least {@link #LOSS_FELL}. */
    public static final double ACCURACY_MIN_GAIN = 0.01;
    public static final double LOSS_FELL = 0.1;
    /** Output collapse: the most predicted class takes more than this fraction of predictions ... */
    public static final double COLLAPSE_PREDICTED = 0.9;
    /** ... while the most frequent label has less than this fraction. */
    public static final double COLLAPSE_LABELS = 0.6;
    /** Vanishing gradients (AUTOTRAINER): first/last layer gradient-norm ratio and first-layer norm. */
    public static final double VANISH_RATIO = 1e-3;
    public static final double VANISH_FIRST_NORM = 1e-4;
    /** Exploding gradients: global gradient norm above this, or first/last ratio above {@link #EXPLODE_RATIO}. */
    public static final double EXPLODE_NORM = 1e3;
    public static final double EXPLODE_RATIO = 1e3;
    /** Dead ReLU: fraction of a layer's units never active over an epoch's sampled batches. */
    public static final double DEAD_UNITS = 0.5;
    /** A ReLU unit is judged dead only after this many sampled values (e.g. 4 sampled batches of 32). */
    public static final long DEAD_MIN_VALUES = 128;
    /** Layers of fewer ReLU units than this are not judged (one dead unit of two is not a rate). */
    public static final int DEAD_MIN_UNITS = 4;
    /** Saturation: tanh |y| above this, sigmoid y outside [1 - x, x] ... */
    public static final double SATURATED_OUTPUT = 0.99;
    /** A unit is saturated when its output is beyond that in more than this fraction of samples (SageMaker: 99 %) ... */
    public static final double SATURATED_SAMPLES = 0.99;
    /** ... and a layer is flagged when more than this fraction of its units are (SageMaker: 50 %). */
    public static final double SATURATED_FRACTION = 0.5;
    /** Update-to-weight ratio per step: healthy around 1e-3; outside [low, high] is flagged. */
    public static final double UPDATE_RATIO_LOW = 1e-7;
    public static final double UPDATE_RATIO_HIGH = 0.1;
    /** The update-to-weight ratio a too-high learning rate is scaled down to in the proposed fix. */
    public static final double UPDATE_RATIO_TARGET = 1e-2;
    /** Overfitting: validation loss above training loss by this fraction (SageMaker 0.1; we want a clear gap) ... */
    public static final double OVERFIT_GAP = 0.5;
    /** ... and a training-validation accuracy gap above this. */
    public static final double OVERFIT_ACCURACY_GAP = 0.15;
    /**
     * Memorisation: every training sample right (training accuracy at least this) while validation misses some
     * ({@link #MEMORISED_ACCURACY_GAP}) and its loss is {@link #MEMORISED_LOSS_RATIO} times the training loss.
     */
    public static final double MEMORISED_TRAIN_ACCURACY = 0.999;
    public static final double MEMORISED_ACCURACY_GAP = 0.03;
    public static final double MEMORISED_LOSS_RATIO = 3.0;
    /** Underfitting: training error above target error times this, plus {@link #UNDERFIT_SLACK}. */
    public static final double UNDERFIT_FACTOR = 2.0;
    public static final double UNDERFIT_SLACK = 0.05;
    /** Oscillating loss: the last epoch's loss above the best by this fraction (after two changes of direction). */
    public static final double OSCILLATION_ABOVE_MIN = 0.1;
    /** Live detectors sample every this many steps. */
    public static final int SAMPLE_EVERY = 10;
    /** The step-size check is judged live once this many steps are sampled (the first 21-31 steps). */
    public static final int EARLY_SAMPLES = 3;
    /** Gradient flow and weights that barely move are judged live at an epoch's end from this many samples. */
    public static final int FLOW_SAMPLES = 5;
    /** Accuracy is flat when the error fell by less than this fraction of itself while the loss fell. */
    public static final double ERROR_MIN_RELATIVE_DROP = 0.05;
    /** Collapse: the top class takes this share of what the other classes should get. */
    public static final double COLLAPSE_OF_REST = 0.8;
    /**
     * Relative fall of the training loss in the diagnostic run's last epoch above which one-class predictions
     * are reported as info (still learning), not as output_collapse.
     */
    public static final double COLLAPSE_STILL_LEARNING = 0.03;
    /** Whole-model gradient check: relative error tolerated, and the fraction of checked entries that must pass. */
    public static final double GRADCHECK_RELATIVE = 0.05;
    public static final double GRADCHECK_PASS_FRACTION = 0.8;
    /** Overfit-a-tiny-batch: samples, steps, and the loss fraction of the initial loss to reach. */
    public static final int TINY_BATCH = 8;
    public static final int TINY_STEPS = 150;
    public static final double TINY_LOSS_FRACTION = 0.25;
}
