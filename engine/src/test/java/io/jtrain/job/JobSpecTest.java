package io.jtrain.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job spec: every default in one place, spec → YAML → spec is the same spec, every key printed,
 * overrides by path with the file's validation and messages, and the YAML traps refused by name.
 */
class JobSpecTest {
    @TempDir
    Path tmp;

    private static JobSpec parse(String yaml) {
        return Jobs.parse(yaml, "job.yaml", Map.of());
    }

    private static String error(String yaml) {
        return assertThrows(JobException.class, () -> parse(yaml)).getMessage();
    }

    @Test
    void specToYamlToSpecIsTheSameSpec() {
        for (String yaml : List.of("", "model: {preset: cnn-bn}\ntraining: {epochs: 3, early_stopping: {patience: 2}}\n",
            "data: {name: tab.csv, task: regression, augmentation: {shift: 0.1}}\nmodel:\n  layers:\n    - {type: dense, units: 4}\n"
                + "optimizer: {name: sgd, lr: 0.05, momentum: 0.9, nesterov: true}\nschedule: {name: cosine}\n",
            "training: {batch_size: auto, device: cuda:1}\n", "model: {preset: dlfs, init: 'normal(0, 1)', bias_init: "
                + "0.5}\n",
            "data: {name: t.csv, validation: test, label_columns: [a, b], label_smoothing: 0.1, test_fraction: 0.2, "
                + "categorical: [c]}\nloss: bce\nevaluation: {every_epochs: 10, splits: [validation, test]}\n"
                + "training: {early_stopping: {monitor: test_accuracy}}\n",
            "data: {name: t.csv, validation: 500, test_file: u.csv}\n")) {
            JobSpec a = parse(yaml);
            JobSpec b = parse(a.toYaml());
            assertEquals(a, b, a.toYaml());
            assertEquals(a.toYaml(), b.toYaml());
        }
    }

    @Test
    void theYamlListsEveryKey() {
        String y = JobSpec.defaults().toYaml();
        for (String key : List.of("name:", "dir:", "validation:", "normalization:", "label_column:", "task:", "limit:",
            "augmentation:", "shift:", "flip:", "rotation:", "preset:", "input:", "layers:", "loss:", "lr:", "momentum:",
            "nesterov:", "beta1:", "beta2:", "eps:", "weight_decay:", "weight_decay_applies_to:", "clip_norm:",
            "clip_value:", "final_lr:", "gamma:", "step_epochs:", "warmup_epochs:", "patience:", "min_delta:",
            "epochs:", "batch_size:", "eval_batch_size:", "drop_last:", "seed:", "device:", "accumulation:",
            "checkpoint_every_steps:", "early_stopping:", "enabled:", "monitor:", "restore_best:", "output:",
            "label_columns:", "label_smoothing:", "test_file:", "test_fraction:", "categorical:", "evaluation:",
            "every_epochs:", "splits:")) {
            assertTrue(y.contains(key), key + " missing in\n" + y);
        }
    }

    @Test
    void defaultsLiveInOnePlace() {
        JobSpec d = JobSpec.defaults();
        assertEquals("lenet5", d.model().preset());
        assertEquals("embedded", d.data().name());
        assertEquals(128, d.batchSize());
        assertEquals(256, d.training().evalBatchSize());
        assertEquals(42, d.training().seed());
        assertFalse(d.training().earlyStopping().enabled());
        assertTrue(parse("training: {early_stopping: {}}").training().earlyStopping().enabled());
        assertEquals("per_feature", parse("data: {name: x.csv}").data().normalization());
        assertEquals("mse", parse("data: {task: regression}").loss());
    }

    @Test
    void withersChangeOneKeyWithTheSameValidation() {
        JobSpec d = JobSpec.defaults();
        assertEquals(5, d.withEpochs(5).training().epochs());
        assertEquals(64, d.withBatchSize(64).batchSize());
        assertEquals(d.withEpochs(5).withEpochs(d.training().epochs()), d);
        JobSpec mlp = d.with("model.preset", "mlp");
        assertEquals("mlp", mlp.model().preset());
        assertNull(mlp.model().layers());
        String m = assertThrows(JobException.class, () -> d.with("training.epochs", "0")).getMessage();
        assertTrue(m.contains("training.epochs: must be at least 1, got 0"), m);
    }

    @Test
    void overridesNameTheirOptionInErrors() {
        List<Jobs.Override> os = List.of(new Jobs.Override("training.epochs", "-1", "--epochs"));
        String m = assertThrows(JobException.class, () -> Jobs.load("", "(defaults)", os)).getMessage();
        assertEquals("--epochs: training.epochs: must be at least 1, got -1", m);
        String lr = assertThrows(JobException.class, () -> Jobs.load("optimizer: {lr: 0.1}\n", "job.yaml",
            List.of(new Jobs.Override("optimizer.lr", "-0.5", "--set optimizer.lr")))).getMessage();
        assertTrue(lr.startsWith("--set optimizer.lr: optimizer.lr: the learning rate must be a positive number"), lr);
        String typo = assertThrows(JobException.class, () -> Jobs.load("", "(defaults)",
            List.of(new Jobs.Override("training.epoch", "3", "--training.epoch")))).getMessage();
        assertTrue(typo.contains("unknown key 'epoch' in section 'training'; did you mean 'epochs'?"), typo);
        assertTrue(typo.startsWith("--training.epoch: "), typo);
        String bad = assertThrows(JobException.class, () -> Jobs.load("", "x",
            List.of(new Jobs.Override("Training.Epochs", "3", "--set")))).getMessage();
        assertTrue(bad.contains("is not a job-file key path"), bad);
        JobSpec list = Jobs.load("", "x", List.of(new Jobs.Override("model.input", "[1, 28, 28]", "--set"))).spec();
        assertEquals(List.of(1, 28, 28), list.model().input());
    }

    @Test
    void fileErrorsNameTheLineAndKey() {
        String neg = error("optimizer:\n  name: adam\n  lr: -0.01\n");
        assertEquals("job.yaml:3: optimizer.lr: the learning rate must be a positive number, got -0.01", neg);
        String epochs = error("training:\n  epochs: 0\n");
        assertEquals("job.yaml:2: training.epochs: must be at least 1, got 0", epochs);
        assertFalse(epochs.contains("ScheduleConfig"), epochs);
        String unknown = error("optimizer:\n  lr: 0.1\n  momentun: 0.9\n");
        assertTrue(unknown.startsWith("job.yaml:3: unknown key 'momentun' in section 'optimizer'; did you mean "
            + "'momentum'?"), unknown);
        String type = error("training:\n  epochs: five\n");
        assertTrue(type.contains("key 'training.epochs' has a value of the wrong type; expected a number"), type);
    }

    @Test
    void yamlTrapsAreRefusedByName() {
        String dup = error("training:\n  device: cpu\n  epochs: 2\n  device: cuda\n");
        assertTrue(dup.startsWith("job.yaml:4: key 'device' is given twice in section 'training'"), dup);
        String dupSection = error("training: {epochs: 2}\nmodel: {preset: mlp}\ntraining: {device: cpu}\n");
        assertTrue(dupSection.contains("key 'training' is given twice at the top level"), dupSection);
        String tab = error("training:\n\tepochs: 2\n");
        assertEquals("job.yaml:2: found a tab character ('\\t') in the indentation; YAML indents with spaces only", tab);
        String alias = error("optimizer: {lr: &r 0.1}\nschedule: {final_lr: *r}\n");
        assertTrue(alias.contains("YAML anchor '&r' is not supported"), alias);
        String list = error("- training\n- model\n");
        assertTrue(list.contains("a job file is a mapping of sections"), list);
        assertEquals(parse("training: {epochs: 3}\n"), parse("\uFEFFtraining: {epochs: 3}\n"), "a UTF-8 BOM is tolerated");
    }

    @Test
    void oldMetricSpellingsAreAcceptedWithAWarning() {
        Jobs.Loaded l = Jobs.load("training:\n  early_stopping:\n    monitor: val_acc\n", "job.yaml", List.of());
        assertEquals("val_accuracy", l.spec().training().earlyStopping().monitor());
        assertEquals(1, l.warnings().size());
        assertTrue(l.warnings().get(0).contains("old spelling of 'val_accuracy'"), l.warnings().get(0));
    }

    @Test
    void unreadableFilesSayWhy() throws Exception {
        String missing = assertThrows(JobException.class, () -> Jobs.load(tmp.resolve("nope.yaml"), List.of()))
            .getMessage();
        assertTrue(missing.endsWith("nope.yaml: job file not found"), missing);
        String dir = assertThrows(JobException.class, () -> Jobs.load(tmp, List.of())).getMessage();
        assertTrue(dir.contains("is a directory, not a job file"), dir);
        Path f = Files.writeString(tmp.resolve("j.yaml"), "training: {epochs: 2}\n");
        assertEquals(2, Jobs.load(f, List.of()).spec().training().epochs());
    }

    @Test
    void modelWideInitialisersReachEveryWeightedLayer() {
        JobSpec preset = parse("model: {preset: dlfs, init: 'normal(0, 1)', bias_init: 'normal(0, 1)'}\n");
        preset.layers().stream().filter(l -> l.type().equals("dense")).forEach(l -> {
            assertEquals("normal(0, 1)", l.options().get("init"), "the preset's glorot is replaced: " + l);
            assertEquals("normal(0, 1)", l.options().get("bias_init"));
        });
        JobSpec own = parse("model:\n  init: he_uniform\n  layers:\n    - {type: dense, units: 4, init: zeros}\n"
            + "    - {type: relu}\n    - {type: dense, units: 2}\n");
        assertEquals("zeros", own.layers().get(0).options().get("init"), "a layer's own init wins in a layer list");
        assertEquals("he_uniform", own.layers().get(2).options().get("init"));
        assertTrue(error("model: {init: 'normal(0)'}\n").contains("model.init"), "validated with the key's name");
    }
}
