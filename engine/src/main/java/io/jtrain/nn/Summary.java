package io.jtrain.nn;

import io.jtrain.tensor.Shape;
import io.jtrain.util.Sizes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Keras-style model summary: per layer its type, output shape and parameter count; total, trainable
 * and non-trainable parameters; estimated activation memory per sample during training.
 */
public record Summary(List<Row> rows, long totalParams, long trainableParams, long nonTrainableParams,
                      long activationBytesPerSample) {

    /** One layer's line. */
    public record Row(int index, String type, String config, Shape outputShape, long params) { }

    static Summary of(Sequential model) {
        List<Row> rows = new ArrayList<>();
        long trainable = 0;
        long fixed = 0;
        long act = 0;
        for (Layer l : model.layers()) {
            long p = l.parameterCount();
            long buffers = l.bufferCount();
            trainable += p;
            fixed += buffers;
            act += l.activationBytesPerSample();
            rows.add(new Row(l.index(), l.type(), l.config(), l.outputShape(), p + buffers));
        }
        return new Summary(rows, trainable + fixed, trainable, fixed, act);
    }

    /** The table as text. */
    public String render() {
        StringBuilder sb = new StringBuilder();
        String fmt = "%-4s %-12s %-34s %-16s %12s%n";
        sb.append(String.format(Locale.ROOT, fmt, "#", "Layer", "Config", "Output shape", "Param #"));
        sb.append("-".repeat(82)).append('\n');
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, fmt, r.index(), r.type(), r.config(),
                "(N, " + r.outputShape().toString().replaceAll("[\\[\\]]", "") + ")", String.format("%,d", r.params())));
        }
        sb.append("-".repeat(82)).append('\n');
        sb.append(String.format(Locale.ROOT, "Total params: %,d (%s)%n", totalParams, Sizes.format(totalParams * 4)));
        sb.append(String.format(Locale.ROOT, "Trainable params: %,d%n", trainableParams));
        sb.append(String.format(Locale.ROOT, "Non-trainable params: %,d%n", nonTrainableParams));
        sb.append(String.format(Locale.ROOT, "Estimated activation memory per sample (training): %s%n",
            Sizes.format(activationBytesPerSample)));
        return sb.toString();
    }
}
