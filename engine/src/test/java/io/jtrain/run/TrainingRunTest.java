package io.jtrain.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jtrain.data.DataException;
import io.jtrain.data.Dataset;
import io.jtrain.job.JobException;
import io.jtrain.job.JobSpec;
import io.jtrain.job.Jobs;
import io.jtrain.tensor.OutOfMemoryException;
import io.jtrain.tensor.Shape;
import io.jtrain.train.EarlyStopping;
import io.jtrain.train.EpochMetrics;
import io.jtrain.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run's promises: resume means the same run (recorded job, job.yaml never rewritten, experiment changes
 * refused by name unless allowed and then recorded), checks before writing, no partial files in a fresh
 * directory, files created with the umask, torn temporaries removed, Keras patience, preset outputs sized
 * to the data.
 */
class TrainingRunTest {
    @TempDir
    Path tmp;

    static JobSpec job(Path out, String... overrides) {
        List<String> all = new ArrayList<>(List.of("data.limit=256", "model.preset=mlp", "training.device=cpu",
            "training.epochs=1", "training.batch_size=64", "output=" + out));
        all.addAll(List.of(overrides));
        List<Jobs.Override> os = new ArrayList<>();
        for (String o : all) {
            int eq = o.indexOf('=');
            os.add(new Jobs.Override(o.substring(0, eq), o.substring(eq + 1), "test"));
        }
        return Jobs.load((Path) null, os).spec();
    }

    static RunResult run(JobSpec j, TrainingRun.Options o, List<String> notices) {
        return TrainingRun.of(j).options(o.withLiveDiagnosis(false, false, null)).listener(new RunListener() {
            @Override
            public void notice(String line) {
                notices.add(line);
            }
        }).build().run();
    }

    @Test
    void aResumeWithoutAJobFileContinuesTheRecordedJobAndNeverRewritesJobYaml() throws IOException {
        Path out = tmp.resolve("run");
        run(job(out, "training.seed=7", "schedule.name=cosine", "training.epochs=2", "schedule.epochs=4"),
            TrainingRun.Options.defaults(), new ArrayList<>());
        byte[] recorded = Files.readAllBytes(out.resolve(RunDirectory.JOB));
        RunResult more = TrainingRun.resume(out, List.of(new Jobs.Override("training.epochs", "3", "test")))
            .build().run();
        assertEquals(3, more.history().size());
        assertEquals(7, more.job().training().seed(), "the recorded seed, not the default");
        assertEquals("cosine", more.job().schedule().name());
        assertEquals(4, more.job().scheduleHorizon(), "the schedule keeps its recorded horizon");
        assertArrayEquals(recorded, Files.readAllBytes(out.resolve(RunDirectory.JOB)), "job.yaml is never rewritten");
    }

    @Test
    void experimentChangesAreRefusedByKeyUnlessAllowedAndThenRecorded() throws IOException {
        Path out = tmp.resolve("run");
        run(job(out), TrainingRun.Options.defaults(), new ArrayList<>());
        for (String[] change : new String[][] {{"optimizer.lr", "0.05", "optimizer.lr: 0.001 (run) vs 0.05"},
            {"training.seed", "3", "training.seed: 42 (run) vs 3"}, {"data.name", "mnist", "data.name: embedded (run) vs "
                + "mnist"}}) {
            JobException e = assertThrows(JobException.class, () -> run(job(out, change[0] + "=" + change[1]),
                TrainingRun.Options.defaults().withResume(true, Set.of()), new ArrayList<>()));
            assertTrue(e.getMessage().contains(change[2]), e.getMessage());
        }
        List<String> notices = new ArrayList<>();
        run(job(out, "optimizer.lr=0.0005", "training.epochs=2"), TrainingRun.Options.defaults().withResume(true,
            Set.of("optimizer.lr")), notices);
        assertTrue(notices.stream().anyMatch(n -> n.contains("optimizer.lr changes from 0.001 to 0.0005")),
            notices.toString());
        String record = Files.readString(out.resolve(RunDirectory.RECORD));
        assertTrue(record.contains("optimizer.lr") && record.contains("0.0005"), record);
    }

    @Test
    void anExecutionKeyMayChangeWithOneLineSayingSo() {
        Path out = tmp.resolve("run");
        run(job(out), TrainingRun.Options.defaults(), new ArrayList<>());
        List<String> notices = new ArrayList<>();
        run(job(out, "training.eval_batch_size=512", "training.epochs=2"), TrainingRun.Options.defaults()
            .withResume(true, Set.of()), notices);
        assertTrue(notices.stream().anyMatch(n -> n.contains("training.eval_batch_size") && n.contains(
            "no longer promised bit-identical")), notices.toString());
    }

    @Test
    void aRunThatFailsBeforeItsFirstCheckpointLeavesNoFilesInAFreshDirectory() {
        Path out = tmp.resolve("fresh");
        assertThrows(OutOfMemoryException.class, () -> run(job(out), TrainingRun.Options.defaults().withDevice(1024,
            io.jtrain.backend.GpuOptions.DEFAULT, 1), new ArrayList<>()));
        assertFalse(Files.exists(out));
    }

    @Test
    void nonFiniteInputsGivenFromJavaAreRefusedBeforeWriting() {
        float[] x = new float[20 * 4];
        x[13] = Float.NaN;
        float[] y = new float[20];
        for (int i = 0; i < 20; i++) {
            y[i] = i % 2;
        }
        Dataset d = new Dataset("mine", Shape.of(4), x, y, 1, 2, new String[] {"a", "b"});
        Path out = tmp.resolve("fresh");
        JobSpec j = job(out, "data.validation=0", "data.normalization=none");
        DataException e = assertThrows(DataException.class, () -> TrainingRun.of(j).data(PreparedData.prepare(j, d,
            null)).build().run());
        assertTrue(e.getMessage().contains("non-finite") && e.getMessage().contains("sample 3"), e.getMessage());
        assertFalse(Files.exists(out));
    }

    @Test
    void presetOutputsFollowTheDataAndSaySo() throws IOException {
        Path csv = tmp.resolve("three.csv");
        StringBuilder sb = new StringBuilder("a,b,label\n");
        for (int i = 0; i < 60; i++) {
            sb.append(i % 7).append(',').append(i % 4).append(',').append(i % 3).append('\n');
        }
        Files.writeString(csv, sb.toString());
        List<String> notices = new ArrayList<>();
        RunResult r = run(job(tmp.resolve("tab"), "data.name=" + csv, "data.limit=60", "data.normalization=per_feature"),
            TrainingRun.Options.defaults(), notices);
        assertEquals(3, ((Number) r.model().layers().get(r.model().layers().size() - 1).options().get("units"))
            .intValue());
        assertTrue(notices.stream().anyMatch(n -> n.contains("output layer has 3 units") && n.contains("default is 10")),
            notices.toString());
    }

    @Test
    void filesAreCreatedWithTheUmaskAndTornTemporariesAreRemoved() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("d"));
        Path reference = Files.createFile(dir.resolve("reference"));
        AtomicFiles.writeString(dir.resolve("written"), "x");
        Set<PosixFilePermission> want = Files.getPosixFilePermissions(reference);
        assertEquals(want, Files.getPosixFilePermissions(dir.resolve("written")), "the same as any new file");
        assertTrue(want.contains(PosixFilePermission.OTHERS_READ) || want.contains(PosixFilePermission.GROUP_READ)
            || !want.contains(PosixFilePermission.OWNER_READ), "not forced to 0600: " + want);
        Path torn = Files.writeString(dir.resolve(".checkpoint.safetensors.5f3a9c.tmp"), "torn");
        Path users = Files.writeString(dir.resolve("notes.tmp"), "a user's file");
        AtomicFiles.removeStaleTemporaries(dir);
        assertFalse(Files.exists(torn), "the torn temporary of an atomic write is removed");
        assertTrue(Files.exists(users), "other files are left alone");
    }

    @Test
    void kerasPatienceStopsAfterPatienceEpochsWithoutImprovement() {
        EarlyStopping es = new EarlyStopping(new EarlyStopping.Config(true, "val_loss", 0, 2, true));
        double[] losses = {1.0, 0.9, 0.95, 0.97};
        List<Boolean> stops = new ArrayList<>();
        for (int e = 0; e < losses.length; e++) {
            es.update(new EpochMetrics(e + 1, 1, null, losses[e], null, 1e-3, 1));
            stops.add(es.shouldStop());
        }
        assertEquals(List.of(false, false, false, true), stops, "patience 2 stops at the second epoch that does not "
            + "improve, as Keras does (not the third)");
        EarlyStopping acc = new EarlyStopping(new EarlyStopping.Config(true, "val_accuracy", 0, 1, true));
        assertTrue(acc.update(new EpochMetrics(1, 1, 0.5, 1.0, 0.5, 1e-3, 1)));
        assertTrue(acc.update(new EpochMetrics(2, 1, 0.6, 1.2, 0.6, 1e-3, 1)), "higher accuracy is better");
    }
}
