package io.jtrain.api;

import io.jtrain.backend.cpu.CpuBackend;
import io.jtrain.data.Dataset;
import io.jtrain.loss.Loss;
import io.jtrain.model.ModelFiles;
import io.jtrain.nn.Softmax;
import io.jtrain.tensor.Shape;
import io.jtrain.train.Evaluator;
import java.nio.file.Path;

/**
 * Loads a model directory written by {@code jtrain train} and predicts from an application. Inputs are
 * raw samples as the data set stores them (image pixels scaled to [0, 1], or CSV features); the model's
 * saved normalisation is applied here. Not thread-safe; close it to release its memory.
 *
 * <pre>{@code
 * try (Predictor p = Predictor.load(Path.of("runs/lenet5/best"))) {
 *     Predictor.Prediction r = p.predict(pixels);   // float[1 * 28 * 28]
 *     System.out.println(r.className() + " " + r.probability());
 * }
 * }</pre>
 */
public final class Predictor implements AutoCloseable {
    private final CpuBackend backend;
    private final ModelFiles.Loaded model;
    private final Evaluator evaluator;
    private final boolean softmaxOutput;
    private final boolean classifier;

    /** One prediction: the most likely class, its name and probability, and all class probabilities. */
    public record Prediction(int classIndex, String className, float probability, float[] probabilities) { }

    private Predictor(CpuBackend backend, ModelFiles.Loaded model, int batch) {
        this.backend = backend;
        this.model = model;
        Loss loss = Loss.parse(model.meta().loss());
        this.evaluator = Evaluator.create(model.model(), loss, batch, 1);
        this.softmaxOutput = model.model().layers().get(model.model().layers().size() - 1) instanceof Softmax;
        this.classifier = loss == Loss.SOFTMAX_CROSS_ENTROPY;
    }

    /** Loads {@code modelDir} (model.json + model.safetensors) on the CPU. */
    public static Predictor load(Path modelDir) {
        CpuBackend be = CpuBackend.createDefault();
        try {
            return new Predictor(be, ModelFiles.loadModel(modelDir, be), 64);
        } catch (RuntimeException e) {
            be.close();
            throw e;
        }
    }

    /** Per-sample input shape, e.g. [1, 28, 28]. */
    public Shape inputShape() {
        return model.model().inputShape();
    }

    /** Predicts one sample of {@link #inputShape()} values. */
    public Prediction predict(float[] sample) {
        return predictBatch(new float[][] {sample})[0];
    }

    /** Predicts several samples at once. */
    public Prediction[] predictBatch(float[][] samples) {
        int size = (int) inputShape().size();
        float[] x = new float[samples.length * size];
        for (int i = 0; i < samples.length; i++) {
            if (samples[i].length != size) {
                throw new IllegalArgumentException("sample " + i + " has " + samples[i].length + " values; the model "
                    + "takes " + size + " (" + inputShape() + ")");
            }
            System.arraycopy(samples[i], 0, x, i * size, size);
        }
        Dataset d = new Dataset("input", inputShape(), x, new float[samples.length], 1, 0, new String[0]);
        float[][] out = evaluator.predict(model.meta().normalization().applyTo(d));
        Prediction[] res = new Prediction[out.length];
        String[] names = model.meta().classNames();
        for (int i = 0; i < out.length; i++) {
            float[] p = classifier && !softmaxOutput ? softmax(out[i]) : out[i];
            int c = Evaluator.argmax(p, 0, p.length);
            res[i] = new Prediction(c, c < names.length ? names[c] : Integer.toString(c), p[c], p);
        }
        return res;
    }

    /** Softmax of one row of logits (numerically stable). */
    public static float[] softmax(float[] z) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : z) {
            max = Math.max(max, v);
        }
        double sum = 0;
        float[] p = new float[z.length];
        for (int i = 0; i < z.length; i++) {
            p[i] = (float) Math.exp(z[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= (float) sum;
        }
        return p;
    }

    @Override
    public void close() {
        evaluator.close();
        model.close();
        backend.close();
    }
}
