package io.jtrain.cli.job;

import io.jtrain.data.Augmentation;
import io.jtrain.data.Normalization;
import io.jtrain.loss.Loss;
import io.jtrain.nn.LayerSpec;
import io.jtrain.optim.OptimizerConfig;
import io.jtrain.schedule.ScheduleConfig;
import io.jtrain.train.TrainConfig;
import java.util.List;

/**
 * A job with every default applied and every value validated. The model's input shape is taken from the
 * data unless the job gives one.
 *
 * @param batchAuto {@code --batch-size auto}: probe for the batch size before training
 */
public record ResolvedJob(Job job, String source, String data, String dataDir, double validation,
                          Normalization.Mode normalization, String labelColumn, boolean regression, Integer limit,
                          String preset, List<Integer> input, List<LayerSpec> layers, Loss loss,
                          OptimizerConfig optimizer, double lr, ScheduleConfig schedule, TrainConfig training,
                          boolean batchAuto, String device, String output) {

    public Augmentation augmentation() {
        return training.augmentation();
    }
}
