package io.jtrain.optim;

import io.jtrain.backend.Backend;
import io.jtrain.backend.OptimizerParams;
import io.jtrain.nn.Layer;
import io.jtrain.nn.Parameter;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies updates to a model's parameters. Life cycle: construct with a config; state tensors
 * (momentum, Adam moments) are allocated lazily on the first {@link #step} — so memory probing must run
 * a real step; each step clips the gradients (global norm, then value) and updates every parameter from
 * its accumulated gradient; it does not zero gradients. {@link #close} releases the state.
 */
public final class Optimizer implements AutoCloseable {
    private final OptimizerConfig cfg;
    private final Backend be;
    private final Map<String, Tensor[]> state = new LinkedHashMap<>();
    private long steps;
    /** {global gradient norm, clip factor} of the last step, on the device (allocated at the first step). */
    private Tensor clipOut;

    public Optimizer(OptimizerConfig cfg, Backend be) {
        this.cfg = cfg;
        this.be = be;
    }

    public OptimizerConfig config() {
        return cfg;
    }

    /** Number of steps taken (Adam's bias-correction counter). */
    public long steps() {
        return steps;
    }

    public void setSteps(long steps) {
        this.steps = steps;
    }

    /** Global gradient L2 norm before clipping at the last step (NaN until computed; reads the device). */
    public double lastGradNorm() {
        if (clipOut == null) {
            return Double.NaN;
        }
        float[] h = new float[2];
        be.download(clipOut, h, 0);
        return h[0];
    }

    /** One update of {@code params} with learning rate {@code lr}. */
    public void step(List<Parameter> params, double lr) {
        ensureState(params);
        steps++;
        clip(params);
        for (Parameter p : params) {
            float wd = cfg.decayTarget().appliesTo(p.kind()) ? (float) cfg.weightDecay() : 0f;
            Tensor[] s = state.get(p.name());
            switch (cfg.kind()) {
                case SGD -> be.sgdStep(p.value(), p.grad(), s.length > 0 ? s[0] : null,
                    params(lr, cfg.momentum(), 0, wd, false));
                case ADAM, ADAMW -> be.adamStep(p.value(), p.grad(), s[0], s[1],
                    params(lr, cfg.beta1(), cfg.beta2(), wd, cfg.kind() == OptimizerConfig.Kind.ADAMW));
                case RMSPROP -> be.rmspropStep(p.value(), p.grad(), s[0], params(lr, 0, cfg.beta2(), wd, false));
                default -> throw new IllegalStateException("unknown optimizer " + cfg.kind());
            }
        }
    }

    private OptimizerParams params(double lr, double b1, double b2, float wd, boolean decoupled) {
        return new OptimizerParams((float) lr, (float) b1, (float) b2, (float) cfg.eps(), wd, decoupled,
            cfg.nesterov(), steps);
    }

    /** Clipping by the global norm on the device (no host round trip), then by value. */
    private void clip(List<Parameter> params) {
        if (cfg.clipNorm() > 0) {
            if (clipOut == null) {
                clipOut = be.allocate(io.jtrain.tensor.Shape.of(2), MemoryCategory.OPTIMIZER_STATE);
            }
            List<Tensor> grads = new ArrayList<>(params.size());
            for (Parameter p : params) {
                grads.add(p.grad());
            }
            be.clipByGlobalNorm(grads, (float) cfg.clipNorm(), clipOut);
        }
        if (cfg.clipValue() > 0) {
            float v = (float) cfg.clipValue();
            for (Parameter p : params) {
                be.clamp(p.grad(), -v, v);
            }
        }
    }

    private void ensureState(List<Parameter> params) {
        int per = cfg.stateTensorsPerParameter();
        for (Parameter p : params) {
            if (!state.containsKey(p.name())) {
                Tensor[] s = new Tensor[per];
                try {
                    for (int i = 0; i < per; i++) {
                        s[i] = be.allocate(p.value().shape(), MemoryCategory.OPTIMIZER_STATE);
                        be.fill(s[i], 0f);
                    }
                } catch (RuntimeException e) {
                    for (Tensor t : s) {
                        if (t != null) {
                            t.close();
                        }
                    }
                    throw e;
                }
                state.put(p.name(), s);
            }
        }
    }

    /** State tensors by name ("3.weight.exp_avg", ...), created on demand, for checkpoints. */
    public List<Layer.NamedTensor> stateTensors(List<Parameter> params) {
        ensureState(params);
        String[] suffix = switch (cfg.kind()) {
            case SGD -> new String[] {"momentum_buffer"};
            case ADAM, ADAMW -> new String[] {"exp_avg", "exp_avg_sq"};
            case RMSPROP -> new String[] {"square_avg"};
        };
        List<Layer.NamedTensor> out = new ArrayList<>();
        for (Map.Entry<String, Tensor[]> e : state.entrySet()) {
            for (int i = 0; i < e.getValue().length; i++) {
                out.add(new Layer.NamedTensor(e.getKey() + "." + suffix[i], e.getValue()[i]));
            }
        }
        return out;
    }

    @Override
    public void close() {
        if (clipOut != null) {
            clipOut.close();
            clipOut = null;
        }
        for (Tensor[] ts : state.values()) {
            for (Tensor t : ts) {
                t.close();
            }
        }
        state.clear();
    }
}
