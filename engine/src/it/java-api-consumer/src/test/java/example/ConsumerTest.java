package example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jtrain.api.Jtrain;
import io.jtrain.api.Predictor;
import io.jtrain.job.JobSpec;
import io.jtrain.run.EvaluationRun;
import io.jtrain.run.RunResult;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Java user's project: train on the embedded data, resume, evaluate and predict through the public API. */
class ConsumerTest {
    @TempDir
    Path tmp;

    @Test
    void trainResumeEvaluatePredict() {
        Path run = tmp.resolve("run");
        JobSpec job = Jtrain.job(null, "model.preset=mlp", "training.device=cpu", "training.epochs=1",
            "output=" + run);
        RunResult r = Jtrain.train(job);
        assertEquals(1, r.history().size());
        assertTrue(Files.exists(run.resolve("best/model.json")));

        RunResult more = io.jtrain.run.TrainingRun.resume(run, java.util.List.of(
            new io.jtrain.job.Jobs.Override("training.epochs", "2", "consumer"))).build().run();
        assertEquals(2, more.history().size());

        EvaluationRun.Result e = Jtrain.evaluate(run.resolve("best"));
        assertTrue(e.evaluation().accuracy() > 0.5, "accuracy " + e.evaluation().accuracy());

        try (Predictor p = Jtrain.predictor(run.resolve("best"))) {
            Predictor.Prediction q = p.predict(new float[784]);
            assertEquals(10, q.probabilities().length);
        }
    }
}
