package io.jtrain.probe;

import io.jtrain.nn.Layer;
import io.jtrain.nn.Sequential;
import io.jtrain.nn.Summary;
import io.jtrain.optim.OptimizerConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * An analytic estimate of training memory at a batch size, per layer and in total: weights (and
 * batch-norm statistics), gradients, optimizer state (by optimizer), activations kept for backward
 * (outputs, input gradients, dropout masks), the convolution workspace (one buffer shared by all layers,
 * so the largest), and the trainer's own buffers (input batch, targets, output gradient, the copy of the
 * best weights). It ignores the pool's 64-byte rounding; real trials measure the rest.
 */
public record MemoryEstimate(int batch, List<Row> rows, long weights, long gradients, long optimizerState,
                             long activations, long workspace, long trainer) {

    /** One layer's bytes by category. */
    public record Row(int index, String type, long weights, long gradients, long optimizerState, long activations,
                      long workspace) { }

    public long total() {
        return weights + gradients + optimizerState + activations + workspace + trainer;
    }

    /**
     * Estimates for {@code model} (built, and bound when workspace sizes are wanted) at {@code batch}, trained
     * with {@code opt}, evaluated at {@code evalBatch}.
     */
    public static MemoryEstimate of(Sequential model, OptimizerConfig opt, int batch, int evalBatch) {
        int reserved = Math.max(batch, evalBatch);
        List<Row> rows = new ArrayList<>();
        long w = 0;
        long g = 0;
        long o = 0;
        long a = 0;
        long ws = 0;
        Summary s = model.summary();
        int k = opt.stateTensorsPerParameter();
        for (int i = 0; i < model.layers().size(); i++) {
            Layer l = model.layers().get(i);
            Summary.Row r = s.rows().get(i);
            long trainable = l.parameterCount();
            long rw = 4 * r.params();
            long rg = 4 * trainable;
            long ro = 4L * k * trainable;
            long ra = l.activationBytesPerSample() * reserved;
            long rws = model.backend() == null ? 0 : 4 * l.workspaceElements(reserved);
            rows.add(new Row(l.index(), l.type(), rw, rg, ro, ra, rws));
            w += rw;
            g += rg;
            o += ro;
            a += ra;
            ws = Math.max(ws, rws);
        }
        long outFloats = model.layers().get(model.logitsEnd() - 1).outputShape().size();
        long trainer = 4L * reserved * (model.inputShape().size() + 1 + outFloats) + w;
        return new MemoryEstimate(batch, rows, w, g, o, a, ws, trainer);
    }
}
