package io.jtrain.diagnose;

import io.jtrain.backend.Activation;
import io.jtrain.backend.Backend;
import io.jtrain.backend.HostBuffer;
import io.jtrain.nn.ActivationLayer;
import io.jtrain.nn.Layer;
import io.jtrain.nn.Parameter;
import io.jtrain.nn.Sequential;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Shape;
import io.jtrain.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The live doctor's samples, computed on the device so that sampling fits the GPU step budget (no blocking
 * transfer of its own, nothing downloaded but a few floats per tensor). A sample takes three steps:
 * {@link #capture} (at the sampled step: sums of squares and non-finite counts of every gradient and weight
 * ({@link Backend#reduceSquares}, all the detectors read of them) and per-unit statistics of
 * every activation output, and a copy of the weights), {@link #finishUpdate} (at the next step: statistics of
 * the weight change, then one asynchronous download of everything), and {@link #read} (from the step after:
 * the values, already on the host because every step has one blocking read). Buffers are allocated at the
 * first capture and reused.
 */
final class MonitorSampler implements AutoCloseable {
    static final int SLOT = 8;
    private final Backend be;
    private final List<Parameter> params;
    private final List<Parameter> weights = new ArrayList<>();
    private final List<ActivationLayer> acts = new ArrayList<>();
    private final int[] actOffset;
    private final long[] perUnit;
    private final int gradOffset;
    private final int weightOffset;
    private final int diffOffset;
    private final int total;
    private Tensor device;
    private HostBuffer host;
    private final List<Tensor> snapshots = new ArrayList<>();

    /** What a finished sample holds, in host arrays. */
    record Sample(List<Parameter> params, float[][] grads, List<Parameter> weights, float[][] weightStats,
                  float[][] diffStats, List<ActivationLayer> acts, float[][] units, long[] valuesPerUnit) { }

    MonitorSampler(Sequential model) {
        this.be = model.backend();
        this.params = model.parameters();
        for (Parameter p : params) {
            if (p.kind() == Parameter.Kind.DENSE_WEIGHT || p.kind() == Parameter.Kind.CONV_KERNEL) {
                weights.add(p);
            }
        }
        for (Layer l : model.layers()) {
            if (l instanceof ActivationLayer a) {
                acts.add(a);
            }
        }
        gradOffset = 0;
        weightOffset = gradOffset + SLOT * params.size();
        diffOffset = weightOffset + SLOT * weights.size();
        actOffset = new int[acts.size()];
        perUnit = new long[acts.size()];
        int at = diffOffset + SLOT * weights.size();
        for (int i = 0; i < acts.size(); i++) {
            actOffset[i] = at;
            at += 4 * units(acts.get(i).outputShape());
        }
        total = Math.max(1, at);
    }

    /** Units of an activation's per-sample output: channels of [C, H, W], features of [F]. */
    static int units(Shape perSample) {
        return perSample.rank() >= 1 ? perSample.dim(0) : 1;
    }

    private Tensor slot(int offset, int floats) {
        return device.view(Shape.of(total)).slice(offset, floats);
    }

    /** Thresholds of a saturating activation: values above hi or below lo are saturated. */
    static float[] saturation(Activation.Kind k) {
        float t = (float) Thresholds.SATURATED_OUTPUT;
        return k == Activation.Kind.TANH ? new float[] {t, -t} : k == Activation.Kind.SIGMOID
            ? new float[] {t, 1 - t} : new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
    }

    /** Launches the sampled step's statistics and snapshots the weights. */
    void capture() {
        if (device == null) {
            device = be.allocate(Shape.of(total), MemoryCategory.WORKSPACE);
            host = be.allocateHost(total);
            for (Parameter p : weights) {
                snapshots.add(be.allocate(p.value().shape(), MemoryCategory.WORKSPACE));
            }
        }
        be.awaitCopies(host);
        be.fill(device, 0f);
        for (int i = 0; i < params.size(); i++) {
            be.reduceSquares(params.get(i).grad(), slot(gradOffset + SLOT * i, SLOT));
        }
        for (int i = 0; i < weights.size(); i++) {
            be.reduceSquares(weights.get(i).value(), slot(weightOffset + SLOT * i, SLOT));
            be.copy(weights.get(i).value(), snapshots.get(i));
        }
        for (int i = 0; i < acts.size(); i++) {
            ActivationLayer a = acts.get(i);
            Tensor y = a.lastOutput();
            if (y != null) {
                float[] th = saturation(a.activation().kind());
                perUnit[i] = y.size() / units(a.outputShape());
                be.unitStats(y, th[0], th[1], slot(actOffset[i], 4 * units(a.outputShape())));
            }
        }
    }

    /** The step after a capture: the weight change since, then one asynchronous download of the sample. */
    void finishUpdate() {
        for (int i = 0; i < weights.size(); i++) {
            Tensor snap = snapshots.get(i);
            be.axpy(-1f, weights.get(i).value(), snap);
            be.reduceSquares(snap, slot(diffOffset + SLOT * i, SLOT));
        }
        be.downloadAsync(device, host, 0);
    }

    /** The finished sample (waits only if no blocking read has happened since {@link #finishUpdate}). */
    Sample read() {
        be.awaitCopies(host);
        float[] all = new float[total];
        host.floats().get(0, all, 0, total);
        float[][] g = new float[params.size()][];
        for (int i = 0; i < g.length; i++) {
            g[i] = java.util.Arrays.copyOfRange(all, gradOffset + SLOT * i, gradOffset + SLOT * i + 6);
        }
        float[][] w = new float[weights.size()][];
        float[][] d = new float[weights.size()][];
        for (int i = 0; i < w.length; i++) {
            w[i] = java.util.Arrays.copyOfRange(all, weightOffset + SLOT * i, weightOffset + SLOT * i + 6);
            d[i] = java.util.Arrays.copyOfRange(all, diffOffset + SLOT * i, diffOffset + SLOT * i + 6);
        }
        float[][] u = new float[acts.size()][];
        for (int i = 0; i < u.length; i++) {
            u[i] = acts.get(i).lastOutput() == null ? null : java.util.Arrays.copyOfRange(all, actOffset[i],
                actOffset[i] + 4 * units(acts.get(i).outputShape()));
        }
        return new Sample(params, g, weights, w, d, acts, u, perUnit.clone());
    }

    @Override
    public void close() {
        if (device != null) {
            be.awaitCopies(host);
            device.close();
            host.close();
            snapshots.forEach(Tensor::close);
            snapshots.clear();
            device = null;
        }
    }
}
