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
            long p = paramCount(l);
            long buffers = bufferCount(l);
            trainable += p;
            fixed += buffers;
            act += activationFloats(l) * Float.BYTES;
            rows.add(new Row(l.index(), l.type(), l.config(), l.outputShape(), p + buffers));
        }
        return new Summary(rows, trainable + fixed, trainable, fixed, act);
    }

    /** Parameters of a layer from its shapes alone (works before {@link Sequential#bind}). */
    static long paramCount(Layer l) {
        if (l instanceof Dense d) {
            long in = l.inputShape().dim(0);
            long out = l.outputShape().dim(0);
            return in * out + (d.hasBias() ? out : 0);
        }
        if (l instanceof Conv2d c) {
            long k = l.outputShape().dim(0);
            long cin = l.inputShape().dim(0);
            return k * cin * c.spec().kh() * c.spec().kw() + (c.hasBias() ? k : 0);
        }
        if (l instanceof BatchNorm) {
            return 2L * l.inputShape().dim(0);
        }
        return 0;
    }

    static long bufferCount(Layer l) {
        return l instanceof BatchNorm ? 2L * l.inputShape().dim(0) : 0;
    }

    /** Output plus input-gradient floats per sample (masks for dropout); flatten is a view. */
    public static long activationFloats(Layer l) {
        if (l instanceof Flatten) {
            return 0;
        }
        long f = l.outputShape().size() + (l.index() > 0 ? l.inputShape().size() : 0);
        if (l instanceof Dropout) {
            f += l.inputShape().size();
        }
        return f;
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
