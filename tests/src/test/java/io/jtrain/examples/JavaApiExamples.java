package io.jtrain.examples;

import io.jtrain.api.Jtrain;
import io.jtrain.api.Predictor;
import io.jtrain.job.JobSpec;
import io.jtrain.run.EvaluationRun;
import io.jtrain.run.RunListener;
import io.jtrain.run.RunResult;
import io.jtrain.run.TrainingRun;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The examples of docs/java-api.md. Each region between "// example: NAME" and "// end" is copied verbatim
 * into the documentation; JavaApiDocTest checks that the two agree and runs every example.
 */
public final class JavaApiExamples {
    private JavaApiExamples() { }

    /** Trains a job file for one epoch into {@code out}, printing each epoch. */
    public static RunResult train(Path jobFile, Path out) {
        // example: train
        JobSpec job = Jtrain.job(jobFile, "training.epochs=1", "output=" + out);
        RunResult result = Jtrain.train(job, new RunListener() {
            @Override
            public void epochEnd(EpochEnd e) {
                System.out.printf(Locale.ROOT, "epoch %d: loss %.4f, val_accuracy %.4f%n", e.metrics().epoch(),
                    e.metrics().loss(), e.metrics().valAccuracy());
            }
        });
        System.out.println("test accuracy: " + result.test().accuracy());
        // end
        return result;
    }

    /** Builds a job in code (no file) and trains it in memory: no run directory, no files. */
    public static RunResult builder() {
        // example: builder
        JobSpec job = JobSpec.defaults()
            .with("model.preset", "mlp")
            .with("optimizer.lr", "0.01")
            .with("training.device", "cpu")
            .withEpochs(2);
        RunResult result = TrainingRun.of(job).inMemory().build().run();
        System.out.println("best epoch " + result.bestEpoch() + " of " + result.history().size());
        // end
        return result;
    }

    /** Continues a run for more epochs. */
    public static RunResult resume(Path runDir) {
        // example: resume
        RunResult more = TrainingRun.resume(runDir, List.of(
                new io.jtrain.job.Jobs.Override("training.epochs", "2", "my application")))
            .build().run();
        System.out.println("now " + more.history().size() + " epochs");
        // end
        return more;
    }

    /** Evaluates a saved model on its run's test split. */
    public static EvaluationRun.Result evaluate(Path modelDir) {
        // example: evaluate
        EvaluationRun.Result r = Jtrain.evaluate(modelDir);
        System.out.printf(Locale.ROOT, "%s: accuracy %.4f on %d samples%n", r.data(),
            r.evaluation().accuracy(), r.evaluation().samples());
        // end
        return r;
    }

    /** Predicts a float[] sample, an image and a file; shares one predictor between threads. */
    public static List<String> predict(Path modelDir, float[] pixels, BufferedImage image, Path idxFile)
            throws Exception {
        List<String> seen = new java.util.ArrayList<>();
        // example: predict
        try (Predictor p = Jtrain.predictor(modelDir)) {
            Predictor.Prediction a = p.predict(pixels);            // float[1 * 28 * 28], values in [0, 1]
            Predictor.Prediction b = p.predict(image);             // any size; grey or colour
            List<Predictor.Prediction> c = p.predict(idxFile);     // every image of the file
            System.out.println(a.className() + " " + a.probability() + ", " + b.top(3, p.classNames()));

            ExecutorService pool = Executors.newFixedThreadPool(4);  // one predictor, many threads
            Future<Predictor.Prediction> f = pool.submit(() -> p.predict(pixels));
            System.out.println(f.get().className() + "; " + c.size() + " predictions from the file");
            pool.shutdown();
            seen.addAll(List.of(a.className(), b.className(), f.get().className(), Integer.toString(c.size())));
        }
        // end
        return seen;
    }
}
