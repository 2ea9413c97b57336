package io.jtrain.optim;

import static io.jtrain.nn.LayerHarness.random;
import static io.jtrain.ref.GradCheck.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jtrain.TestBackends;
import io.jtrain.backend.cpu.CpuBackend;
import io.jtrain.nn.Parameter;
import io.jtrain.ref.GradCheck;
import io.jtrain.tensor.MemoryCategory;
import io.jtrain.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Optimizer updates over several steps against naive double-precision references of PyTorch's formulas
 * (torch.optim.SGD, Adam, AdamW, RMSprop), with weight decay targets and clipping.
 */
class OptimizerTest {
    static final int STEPS = 6;

    /** A tiny two-parameter model: a "weight" (decayed) and a "bias" (not decayed with WEIGHTS). */
    private static List<Parameter> params(CpuBackend be, double[] w, double[] b) {
        List<Parameter> ps = new ArrayList<>();
        ps.add(new Parameter("0.weight", Parameter.Kind.DENSE_WEIGHT, TestBackends.tensor(be, w, w.length),
            be.allocate(io.jtrain.tensor.Shape.of(w.length), MemoryCategory.GRADIENTS)));
        ps.add(new Parameter("0.bias", Parameter.Kind.BIAS, TestBackends.tensor(be, b, b.length),
            be.allocate(io.jtrain.tensor.Shape.of(b.length), MemoryCategory.GRADIENTS)));
        return ps;
    }

    /** The gradient at step t for parameter p: a fixed function of the current value, so both sides agree. */
    private static double grad(double value, int step, int i) {
        return Math.sin(3 * value + step) + 0.1 * i;
    }

    interface RefRule {
        /** Updates v (and state s) in place for one element. */
        void apply(double[] v, int i, double g, double[][] s, int step, boolean decay);
    }

    private void check(OptimizerConfig cfg, double lr, RefRule rule) {
        double[] w = random(7, 1, 1);
        double[] b = random(3, 2, 1);
        double[][] refW = {w.clone()};
        double[][] refB = {b.clone()};
        double[][] sw = new double[3][7];
        double[][] sb = new double[3][3];
        try (CpuBackend be = TestBackends.cpu(); Optimizer opt = new Optimizer(cfg, be)) {
            List<Parameter> ps = params(be, w, b);
            for (int step = 1; step <= STEPS; step++) {
                for (int k = 0; k < 2; k++) {
                    Parameter p = ps.get(k);
                    float[] cur = TestBackends.get(be, p.value());
                    float[] g = new float[cur.length];
                    for (int i = 0; i < cur.length; i++) {
                        g[i] = (float) grad(cur[i], step, i);
                    }
                    be.upload(g, 0, p.grad());
                    double[] ref = k == 0 ? refW[0] : refB[0];
                    double[][] s = k == 0 ? sw : sb;
                    double[] gr = new double[ref.length];
                    for (int i = 0; i < ref.length; i++) {
                        gr[i] = g[i];
                    }
                    refUpdate(cfg, rule, ref, gr, s, step, cfg.decayTarget().appliesTo(p.kind()));
                }
                opt.step(ps, lr);
            }
            assertClose(cfg.kind() + " weight after " + STEPS + " steps", refW[0], TestBackends.get(be, ps.get(0).value()),
                1e-5, 1e-4);
            assertClose(cfg.kind() + " bias after " + STEPS + " steps", refB[0], TestBackends.get(be, ps.get(1).value()),
                1e-5, 1e-4);
            assertEquals(STEPS, opt.steps());
            for (Parameter p : ps) {
                p.value().close();
                p.grad().close();
            }
        }
    }

    private static void refUpdate(OptimizerConfig cfg, RefRule rule, double[] v, double[] g, double[][] s, int step,
                                  boolean decay) {
        if (cfg.clipValue() > 0) {
            for (int i = 0; i < g.length; i++) {
                g[i] = Math.max(-cfg.clipValue(), Math.min(cfg.clipValue(), g[i]));
            }
        }
        for (int i = 0; i < v.length; i++) {
            rule.apply(v, i, g[i], s, step, decay);
        }
    }

    @Test
    void plainSgdWithL2OnWeightsOnly() {
        double wd = 0.01;
        check(OptimizerConfig.sgd(0, false).withWeightDecay(wd, DecayTarget.WEIGHTS), 0.1,
            (v, i, g, s, t, decay) -> v[i] -= 0.1 * (g + (decay ? wd * v[i] : 0)));
    }

    @Test
    void sgdClassicalMomentum() {
        check(OptimizerConfig.sgd(0.9, false), 0.05, (v, i, g, s, t, decay) -> {
            s[0][i] = t == 1 ? g : 0.9 * s[0][i] + g;
            v[i] -= 0.05 * s[0][i];
        });
    }

    @Test
    void sgdNesterovMomentumWithL2OnAll() {
        double wd = 0.02;
        check(OptimizerConfig.sgd(0.8, true).withWeightDecay(wd, DecayTarget.ALL), 0.05, (v, i, g, s, t, decay) -> {
            double gg = g + wd * v[i];
            s[0][i] = t == 1 ? gg : 0.8 * s[0][i] + gg;
            v[i] -= 0.05 * (gg + 0.8 * s[0][i]);
        });
    }

    /** Adam's bias correction matters most in the first steps, which this checks one by one. */
    @Test
    void adamWithBiasCorrection() {
        check(OptimizerConfig.adam(), 0.01, (v, i, g, s, t, decay) -> adamRef(v, i, g, s, t, 0.01));
    }

    private static void adamRef(double[] v, int i, double g, double[][] s, int t, double lr) {
        s[0][i] = 0.9 * s[0][i] + 0.1 * g;
        s[1][i] = 0.999 * s[1][i] + 0.001 * g * g;
        double mhat = s[0][i] / (1 - Math.pow(0.9, t));
        double vhat = s[1][i] / (1 - Math.pow(0.999, t));
        v[i] -= lr * mhat / (Math.sqrt(vhat) + 1e-8);
    }

    @Test
    void adamWithL2AddsDecayToTheGradient() {
        double wd = 0.05;
        check(OptimizerConfig.adam().withWeightDecay(wd, DecayTarget.WEIGHTS), 0.01,
            (v, i, g, s, t, decay) -> adamRef(v, i, g + (decay ? wd * v[i] : 0), s, t, 0.01));
    }

    @Test
    void adamwDecouplesDecay() {
        double wd = 0.1;
        check(OptimizerConfig.adamw(wd), 0.01, (v, i, g, s, t, decay) -> {
            if (decay) {
                v[i] *= 1 - 0.01 * wd;
            }
            adamRef(v, i, g, s, t, 0.01);
        });
    }

    @Test
    void rmsprop() {
        check(OptimizerConfig.rmsprop(), 0.01, (v, i, g, s, t, decay) -> {
            s[0][i] = 0.99 * s[0][i] + 0.01 * g * g;
            v[i] -= 0.01 * g / (Math.sqrt(s[0][i]) + 1e-8);
        });
    }

    @Test
    void clippingByValue() {
        check(OptimizerConfig.sgd(0, false).withClipping(0, 0.3), 0.1, (v, i, g, s, t, decay) -> v[i] -= 0.1 * g);
    }

    @Test
    void clippingByGlobalNorm() {
        try (CpuBackend be = TestBackends.cpu();
             Optimizer opt = new Optimizer(OptimizerConfig.sgd(0, false).withClipping(1.0, 0), be)) {
            List<Parameter> ps = params(be, new double[] {0, 0}, new double[] {0});
            be.upload(new float[] {3, 4}, 0, ps.get(0).grad());
            be.upload(new float[] {12}, 0, ps.get(1).grad());
            opt.step(ps, 1.0);
            assertEquals(13.0, opt.lastGradNorm(), 1e-6);
            assertClose("clipped weights", new double[] {-3 / 13.0, -4 / 13.0}, TestBackends.get(be, ps.get(0).value()),
                1e-6, 1e-5);
            assertClose("clipped bias", new double[] {-12 / 13.0}, TestBackends.get(be, ps.get(1).value()), 1e-6, 1e-5);
            double norm = Math.sqrt(be.sumSquares(ps.get(0).grad()) + be.sumSquares(ps.get(1).grad()));
            assertEquals(1.0, norm, 1e-5);
            for (Parameter p : ps) {
                p.value().close();
                p.grad().close();
            }
        }
    }

    @Test
    void stateIsCreatedAtTheFirstStepAndReleasedOnClose() {
        try (CpuBackend be = TestBackends.cpu()) {
            List<Parameter> ps = params(be, new double[4], new double[2]);
            Optimizer opt = new Optimizer(OptimizerConfig.adam(), be);
            assertEquals(0, be.pool().inUseBytes(MemoryCategory.OPTIMIZER_STATE));
            opt.step(ps, 0.1);
            assertEquals(4 * 64, be.pool().inUseBytes(MemoryCategory.OPTIMIZER_STATE), "2 moments x 2 params, 64 B blocks");
            opt.close();
            assertEquals(0, be.pool().inUseBytes(MemoryCategory.OPTIMIZER_STATE));
            for (Parameter p : ps) {
                p.value().close();
                p.grad().close();
            }
            GradCheck.toDouble(new float[0]);
        }
    }
}
