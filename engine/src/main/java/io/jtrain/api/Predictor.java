package io.jtrain.api;

import io.jtrain.backend.Backend;
import io.jtrain.backend.cpu.CpuBackend;
import io.jtrain.data.DataException;
import io.jtrain.data.Dataset;
import io.jtrain.data.ImageDecoder;
import io.jtrain.data.SampleFiles;
import io.jtrain.loss.Loss;
import io.jtrain.model.ModelFiles;
import io.jtrain.nn.Softmax;
import io.jtrain.run.OpenDevice;
import io.jtrain.run.TrainingRun;
import io.jtrain.tensor.Shape;
import io.jtrain.train.Evaluator;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;

/**
 * Loads a model directory written by {@code jtrain train} ({@code RUN/best}) and predicts from an
 * application, exactly as {@code jtrain predict} does (the command is built on this class). Inputs are raw
 * samples as the data set stores them — image pixels scaled to [0, 1] or CSV feature values — or files and
 * images, read by the same readers as training data ({@link SampleFiles}, {@link ImageDecoder}); the model's
 * saved normalisation is applied here. Every input's shape is checked against the model's ({@link
 * DataException} otherwise). Thread-safe: one instance may be shared by threads, whose calls run one at a
 * time on its device. Close it to release its memory.
 *
 * <pre>{@code
 * try (Predictor p = Predictor.load(Path.of("runs/lenet5/best"))) {
 *     Predictor.Prediction r = p.predict(pixels);              // float[1 * 28 * 28]
 *     System.out.println(r.className() + " " + r.probability());
 *     for (Predictor.Prediction q : p.predict(Path.of("shoe.png"))) { ... }
 * }
 * }</pre>
 */
public final class Predictor implements AutoCloseable {
    private final Backend backend;
    private final boolean ownsBackend;
    private final String device;
    private final ModelFiles.Loaded model;
    private final Evaluator evaluator;
    private final Loss loss;
    private final boolean softmaxOutput;
    private final Object lock = new Object();
    private Consumer<String> notices = s -> { };
    private boolean closed;

    /**
     * One prediction. For classifiers: the most likely class, its name and probability, and every class's
     * probability (softmax outputs; for a binary model with one sigmoid output, [P(0), P(1)]; for multi-label
     * models each label's own probability; for a classifier trained with mean squared error on one-hot targets,
     * its outputs as they are, the argmax the class). For regression models {@code classIndex} is -1,
     * {@code className} is null, {@code probability} is NaN and {@code probabilities} holds the outputs.
     */
    public record Prediction(int classIndex, String className, float probability, float[] probabilities) {
        public Prediction {
            probabilities = probabilities.clone();
        }

        @Override
        public float[] probabilities() {
            return probabilities.clone();
        }

        /** The {@code k} most likely classes, most likely first. */
        public List<Ranked> top(int k, String[] names) {
            Integer[] idx = new Integer[probabilities.length];
            Arrays.setAll(idx, i -> i);
            Arrays.sort(idx, Comparator.comparingDouble(i -> -probabilities[i]));
            List<Ranked> out = new ArrayList<>();
            for (int j = 0; j < Math.min(k, idx.length); j++) {
                out.add(new Ranked(idx[j], name(idx[j], names), probabilities[idx[j]]));
            }
            return out;
        }
    }

    /** A class and its probability. */
    public record Ranked(int classIndex, String className, float probability) { }

    private Predictor(Backend backend, boolean owns, String device, ModelFiles.Loaded model, int batch) {
        this.backend = backend;
        this.ownsBackend = owns;
        this.device = device;
        this.model = model;
        this.loss = Loss.parse(model.meta().loss());
        this.evaluator = Evaluator.create(model.model(), loss, batch, 1);
        this.softmaxOutput = model.model().layers().get(model.model().layers().size() - 1) instanceof Softmax;
    }

    /** Loads {@code modelDir} (model.json + model.safetensors) on the CPU. */
    public static Predictor load(Path modelDir) {
        CpuBackend be = CpuBackend.createDefault();
        try {
            return new Predictor(be, true, "cpu", ModelFiles.loadModel(modelDir, be), 256);
        } catch (RuntimeException e) {
            be.close();
            throw e;
        }
    }

    /** Loads {@code modelDir} on a given backend, which the predictor uses but does not close. */
    public static Predictor load(Path modelDir, Backend be) {
        return new Predictor(be, false, be.device(), ModelFiles.loadModel(modelDir, be), 256);
    }

    /**
     * Loads {@code modelDir} on {@code device} (auto, cpu, cuda, cuda:N) with the options' memory limit, GPU
     * flags and threads; the device decision goes to {@code notices}.
     */
    public static Predictor load(Path modelDir, String device, TrainingRun.Options opts, Consumer<String> notices) {
        io.jtrain.model.ModelFiles.readMeta(modelDir);
        OpenDevice d = OpenDevice.of(device, opts, notices);
        try {
            Predictor p = new Predictor(d.backend(), true, d.device(), ModelFiles.loadModel(modelDir, d.backend()),
                256);
            p.notices = notices;
            return p;
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
    }

    /** Where conversions made to inputs (an image resized, CSV columns ignored) are reported; default: nowhere. */
    public Predictor notices(Consumer<String> n) {
        this.notices = n;
        return this;
    }

    /** Per-sample input shape, e.g. [1, 28, 28]. */
    public Shape inputShape() {
        return model.model().inputShape();
    }

    /** The class names saved with the model (empty for regression). */
    public String[] classNames() {
        return model.meta().classNames().clone();
    }

    /** The device the model runs on. */
    public String device() {
        return device;
    }

    /** Whether the model classifies rather than regresses (its task, as recorded in model.json). */
    public boolean classifier() {
        return model.meta().targets().classification();
    }

    /**
     * Whether the model is a multi-label classifier (several 0/1 label columns): each label's probability is its
     * own, and a sample has every label whose probability is at least 0.5.
     */
    public boolean multiLabel() {
        return model.meta().targets().task().equals("multilabel");
    }

    /** Predicts one sample of {@link #inputShape()} values. */
    public Prediction predict(float[] sample) {
        return predictBatch(new float[][] {sample}).get(0);
    }

    /** Predicts one image, converted to the model's input by the shared decoder ({@link ImageDecoder}). */
    public Prediction predict(BufferedImage image) {
        return predict(ImageDecoder.sample(image, inputShape(), "image", notices));
    }

    /** Predicts every sample of a file: one image (PNG, JPEG, BMP, GIF), each row of a CSV, each IDX image. */
    public List<Prediction> predict(Path file) {
        return predictBatch(SampleFiles.read(file, inputShape(), model.meta().features(), notices));
    }

    /** Predicts several samples at once, in order. */
    public List<Prediction> predictBatch(float[][] samples) {
        int size = (int) inputShape().size();
        float[] x = new float[Math.multiplyExact(samples.length, size)];
        for (int i = 0; i < samples.length; i++) {
            if (samples[i].length != size) {
                throw new DataException("sample " + i + " has " + samples[i].length + " values; the model takes "
                    + size + " (" + inputShape() + ")");
            }
            System.arraycopy(samples[i], 0, x, i * size, size);
        }
        Dataset d = new Dataset("input", inputShape(), x, new float[samples.length], 1, 0, new String[0]);
        float[][] out;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("this Predictor is closed");
            }
            out = evaluator.predict(model.meta().normalization().applyTo(d));
        }
        List<Prediction> res = new ArrayList<>(out.length);
        for (float[] o : out) {
            res.add(prediction(o));
        }
        return res;
    }

    private Prediction prediction(float[] o) {
        String[] names = model.meta().classNames();
        if (!classifier()) {
            return new Prediction(-1, null, Float.NaN, o);
        }
        float[] p;
        if (loss == Loss.MEAN_SQUARED_ERROR) {
            p = o;      // a classifier trained with mean squared error on one-hot targets: its outputs as scores
        } else if (loss == Loss.BINARY_CROSS_ENTROPY) {
            p = o.length == 1 ? new float[] {1 - sigmoid(o[0]), sigmoid(o[0])} : sigmoids(o);
        } else {
            p = softmaxOutput ? o : softmax(o);
        }
        int c = Evaluator.argmax(p, 0, p.length);
        return new Prediction(c, name(c, names), p[c], p);
    }

    static String name(int c, String[] names) {
        return c < names.length ? names[c] : Integer.toString(c);
    }

    private static float sigmoid(float z) {
        return (float) (1 / (1 + Math.exp(-z)));
    }

    private static float[] sigmoids(float[] z) {
        float[] p = new float[z.length];
        for (int i = 0; i < z.length; i++) {
            p[i] = sigmoid(z[i]);
        }
        return p;
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
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            evaluator.close();
            model.close();
            if (ownsBackend) {
                backend.close();
            }
        }
    }
}
