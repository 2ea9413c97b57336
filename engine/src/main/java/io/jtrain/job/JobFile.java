package io.jtrain.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * A training job as written: the binding of a job file's YAML (after overrides), every field nullable.
 * Every key is listed in docs/job-file.md; unknown keys are rejected. {@link JobResolver} turns it into a
 * {@link JobSpec} with every default applied. Internal to the loading; users see {@link JobSpec}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
final class JobFile {
    public DataSection data = new DataSection();
    public ModelSection model = new ModelSection();
    public String loss;
    public OptimizerSection optimizer = new OptimizerSection();
    public ScheduleSection schedule = new ScheduleSection();
    public TrainingSection training = new TrainingSection();
    public EvaluationSection evaluation;
    public String output;

    /** Where the data comes from and how it is prepared. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    static final class DataSection {
        public String name;
        public String dir;
        /** A fraction, a count, or the text "test" (checked in {@link JobResolver}). */
        public Object validation;
        public String normalization;
        public String labelColumn;
        public String task;
        public Integer limit;
        public AugmentSection augmentation;
        public List<Integer> imageSize;
        public Integer channels;
        public List<String> labelColumns;
        public Double labelSmoothing;
        public String testFile;
        public Double testFraction;
        public List<String> categorical;
    }

    /** Which splits are evaluated during training, how often. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    static final class EvaluationSection {
        public Integer everyEpochs;
        public List<String> splits;
    }

    /** Random image augmentation of training batches. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    static final class AugmentSection {
        public Double shift;
        public Boolean flip;
        public Double rotation;
    }

    /** A preset or an explicit layer list. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    static final class ModelSection {
        public String preset;
        public List<Integer> input;
        public List<Map<String, Object>> layers;
        public String init;
        public String biasInit;
    }

    /** Optimizer settings. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    static final class OptimizerSection {
        public String name;
        public Double lr;
        public Double momentum;
        public Boolean nesterov;
        public Double beta1;
        public Double beta2;
        public Double eps;
        public Double weightDecay;
        public String weightDecayAppliesTo;
        public Double clipNorm;
        public Double clipValue;
    }

    /** Learning-rate schedule. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    static final class ScheduleSection {
        public String name;
        public Integer epochs;
        public Double finalLr;
        public Double gamma;
        public Integer stepEpochs;
        public Double warmupEpochs;
        public Integer patience;
        public Double minDelta;
        public String per;
    }

    /** The training loop. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    static final class TrainingSection {
        public Integer epochs;
        public String batchSize;
        public Integer evalBatchSize;
        public Boolean dropLast;
        public Long seed;
        public String device;
        public Integer accumulation;
        public Integer checkpointEverySteps;
        public EarlyStoppingSection earlyStopping;
    }

    /** Early stopping. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    static final class EarlyStoppingSection {
        public Boolean enabled;
        public String monitor;
        public Double minDelta;
        public Integer patience;
        public Boolean restoreBest;
    }
}
