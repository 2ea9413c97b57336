package io.jtrain.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.jtrain.backend.Backend;
import io.jtrain.data.DataException;
import io.jtrain.nn.Layer;
import io.jtrain.nn.Sequential;
import io.jtrain.optim.Optimizer;
import io.jtrain.train.TrainState;
import io.jtrain.util.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Model directories and checkpoints. A model directory holds {@code model.safetensors} (weights and
 * batch-norm statistics under PyTorch names and layouts) and {@code model.json} ({@link ModelMeta}).
 * A checkpoint is one safetensors file with the model, the optimizer state ("optimizer." prefix) and
 * the trainer state as JSON metadata. Every file is written atomically.
 */
public final class ModelFiles {
    public static final String WEIGHTS = "model.safetensors";
    public static final String META = "model.json";

    private ModelFiles() { }

    /** A loaded model with its metadata. */
    public record Loaded(Sequential model, ModelMeta meta) implements AutoCloseable {
        @Override
        public void close() {
            model.close();
        }
    }

    public static List<Safetensors.Entry> entries(Backend be, List<Layer.NamedTensor> tensors, String prefix) {
        List<Safetensors.Entry> out = new ArrayList<>();
        for (Layer.NamedTensor t : tensors) {
            float[] host = new float[(int) t.tensor().size()];
            be.download(t.tensor(), host, 0);
            out.add(new Safetensors.Entry(prefix + t.name(), t.tensor().shape().dims(), host));
        }
        return out;
    }

    /** Writes weights then model.json (both atomically). */
    public static void saveModel(Path dir, Sequential m, ModelMeta meta) {
        saveModel(dir, m.backend(), m.stateTensors(), meta);
    }

    /** Writes the given tensors (e.g. the best weights kept in memory) as a model directory. */
    public static void saveModel(Path dir, Backend be, List<Layer.NamedTensor> tensors, ModelMeta meta) {
        com.fasterxml.jackson.databind.node.ObjectNode json = ModelJson.toJson(meta);
        Safetensors.write(dir.resolve(WEIGHTS), entries(be, tensors, ""), weightsMetadata(json));
        AtomicFiles.writeString(dir.resolve(META), json.toPrettyString() + "\n");
    }

    /**
     * The safetensors file's own metadata, so that it is self-contained: {@code format: pt} (what PyTorch's
     * loaders expect), {@code classes} and {@code normalization} as JSON text, and the whole model.json as
     * {@code jtrain_model}.
     */
    static Map<String, String> weightsMetadata(com.fasterxml.jackson.databind.node.ObjectNode modelJson) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("format", "pt");
        m.put("classes", modelJson.path("classes").toString());
        m.put("normalization", modelJson.path("normalization").toString());
        m.put("jtrain_model", modelJson.toString());
        return m;
    }

    public static ModelMeta readMeta(Path dir) {
        Path f = dir.resolve(META);
        if (Files.isRegularFile(dir)) {
            throw new DataException(dir + ": is a file; give the model directory that holds " + META + " and "
                + WEIGHTS + " (e.g. RUN/best)");
        }
        try {
            return parseMeta(Files.readString(f), f.toString());
        } catch (NoSuchFileException e) {
            throw new DataException(dir + ": no " + META + " here; is this a model directory written by jtrain train?");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new DataException(f + ": permission denied; make the file readable");
        } catch (IOException e) {
            throw new DataException(f + ": cannot read (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }

    /**
     * Parses model.json text and checks that the model it describes can be built; every problem is a
     * {@link DataException} naming {@code where}.
     */
    public static ModelMeta parseMeta(String text, String where) {
        ModelMeta meta;
        try {
            meta = ModelJson.fromJson(ModelJson.MAPPER.readTree(text), where);
        } catch (IOException e) {
            throw new DataException(where + ": corrupt (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        try (Sequential m = Sequential.build(meta.spec())) {
            return meta;
        } catch (io.jtrain.nn.SpecException | io.jtrain.nn.ShapeException e) {
            throw new DataException(where + ": the model it describes is invalid: " + e.getMessage());
        }
    }

    /** Builds the model from model.json, binds it to {@code be} and loads the weights (shapes checked). */
    public static Loaded loadModel(Path dir, Backend be) {
        ModelMeta meta = readMeta(dir);
        Sequential m;
        try {
            m = Sequential.build(meta.spec());
        } catch (io.jtrain.nn.SpecException | io.jtrain.nn.ShapeException e) {
            throw new DataException(dir.resolve(META) + ": the model it describes is invalid: " + e.getMessage());
        }
        m.bind(be, 0);
        try {
            load(dir.resolve(WEIGHTS), Safetensors.read(dir.resolve(WEIGHTS)).tensors(), m.stateTensors(), be, "");
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
        return new Loaded(m, meta);
    }

    /** Copies named tensors into {@code targets}, checking presence and shape. */
    public static void load(Path file, Map<String, Safetensors.Entry> src, List<Layer.NamedTensor> targets, Backend be,
                            String prefix) {
        for (Layer.NamedTensor t : targets) {
            Safetensors.Entry e = src.get(prefix + t.name());
            if (e == null) {
                throw new DataException(file + ": tensor '" + prefix + t.name() + "' is missing; the file does not "
                    + "belong to this model");
            }
            if (!Arrays.equals(e.shape(), t.tensor().shape().dims())) {
                throw new DataException(file + ": tensor '" + prefix + t.name() + "' has shape "
                    + Arrays.toString(e.shape()) + " but the model expects " + t.tensor().shape());
            }
            be.upload(e.data(), 0, t.tensor());
        }
    }

    /** Model, optimizer state and trainer state in one atomically written file. */
    public static void saveCheckpoint(Path file, Sequential m, Optimizer opt, TrainState st, String metaJson) {
        Backend be = m.backend();
        List<Safetensors.Entry> es = entries(be, m.stateTensors(), "model.");
        es.addAll(entries(be, opt.stateTensors(m.parameters()), "optimizer."));
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "jtrain-checkpoint");
        meta.put("model_json", metaJson);
        try {
            meta.put("train_state", ModelJson.MAPPER.writeValueAsString(st));
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise the training state", e);
        }
        Safetensors.write(file, es, meta);
    }

    /** Restores model and optimizer tensors from a checkpoint; returns the trainer state. */
    public static TrainState loadCheckpoint(Path file, Sequential m, Optimizer opt) {
        Safetensors.Contents c = Safetensors.read(file);
        if (!"jtrain-checkpoint".equals(c.metadata().get("format"))) {
            throw new DataException(file + ": not a jtrain checkpoint");
        }
        Backend be = m.backend();
        load(file, c.tensors(), m.stateTensors(), be, "model.");
        load(file, c.tensors(), opt.stateTensors(m.parameters()), be, "optimizer.");
        try {
            return ModelJson.MAPPER.readValue(c.metadata().get("train_state"), TrainState.class);
        } catch (IOException e) {
            throw new DataException(file + ": corrupt training state (" + e.getMessage().lines().findFirst().orElse("")
                + ")");
        }
    }

    /** The model.json text stored in a checkpoint. */
    public static JsonNode checkpointModelJson(Path file) {
        try {
            return ModelJson.MAPPER.readTree(Safetensors.read(file).metadata().get("model_json"));
        } catch (IOException | NullPointerException e) {
            throw new DataException(file + ": checkpoint has no readable model description");
        }
    }

    /** Host copies of the tensors of a model directory, in the model's state order (for best weights on resume). */
    public static List<float[]> readWeights(Path dir, Sequential m) {
        Map<String, Safetensors.Entry> src = Safetensors.read(dir.resolve(WEIGHTS)).tensors();
        List<float[]> out = new ArrayList<>();
        for (Layer.NamedTensor t : m.stateTensors()) {
            Safetensors.Entry e = src.get(t.name());
            if (e == null || e.data().length != t.tensor().size()) {
                throw new DataException(dir.resolve(WEIGHTS) + ": tensor '" + t.name() + "' missing or mis-shaped");
            }
            out.add(e.data());
        }
        return out;
    }
}
