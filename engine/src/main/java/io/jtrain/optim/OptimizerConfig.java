package io.jtrain.optim;

import java.util.Locale;

/**
 * An optimizer's hyper-parameters, validated. Defaults follow PyTorch: Adam betas (0.9, 0.999), eps
 * 1e-8; RMSprop rho 0.99, eps 1e-8.
 *
 * @param kind sgd, adam, adamw or rmsprop
 * @param momentum SGD momentum (0 = plain SGD)
 * @param nesterov Nesterov momentum for SGD
 * @param weightDecay L2 coefficient (decoupled for AdamW)
 * @param decayTarget which parameters weight decay applies to
 * @param clipNorm clip gradients to this global L2 norm (0 = off)
 * @param clipValue clip each gradient element to [-v, v] (0 = off)
 */
public record OptimizerConfig(Kind kind, double momentum, boolean nesterov, double beta1, double beta2, double eps,
                              double weightDecay, DecayTarget decayTarget, double clipNorm, double clipValue) {

    /** The update rules. */
    public enum Kind {
        SGD, ADAM, ADAMW, RMSPROP;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind parse(String s) {
            for (Kind k : values()) {
                if (k.id().equalsIgnoreCase(s)) {
                    return k;
                }
            }
            throw new io.jtrain.util.UsageException("unknown optimizer '" + s + "'; allowed: sgd, adam, adamw, rmsprop");
        }
    }

    public OptimizerConfig {
        check(momentum >= 0 && momentum < 1, "momentum must be in [0, 1)");
        check(!nesterov || (kind == Kind.SGD && momentum > 0), "nesterov needs sgd with momentum > 0");
        check(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "betas must be in [0, 1)");
        check(eps > 0, "eps must be positive");
        check(weightDecay >= 0, "weight_decay must not be negative");
        check(clipNorm >= 0 && clipValue >= 0, "clip_norm and clip_value must not be negative");
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new io.jtrain.util.UsageException(what);
        }
    }

    public static OptimizerConfig sgd(double momentum, boolean nesterov) {
        return new OptimizerConfig(Kind.SGD, momentum, nesterov, 0.9, 0.999, 1e-8, 0, DecayTarget.WEIGHTS, 0, 0);
    }

    public static OptimizerConfig adam() {
        return new OptimizerConfig(Kind.ADAM, 0, false, 0.9, 0.999, 1e-8, 0, DecayTarget.WEIGHTS, 0, 0);
    }

    public static OptimizerConfig adamw(double weightDecay) {
        return new OptimizerConfig(Kind.ADAMW, 0, false, 0.9, 0.999, 1e-8, weightDecay, DecayTarget.WEIGHTS, 0, 0);
    }

    public static OptimizerConfig rmsprop() {
        return new OptimizerConfig(Kind.RMSPROP, 0, false, 0.9, 0.99, 1e-8, 0, DecayTarget.WEIGHTS, 0, 0);
    }

    public OptimizerConfig withWeightDecay(double wd, DecayTarget target) {
        return new OptimizerConfig(kind, momentum, nesterov, beta1, beta2, eps, wd, target, clipNorm, clipValue);
    }

    public OptimizerConfig withClipping(double norm, double value) {
        return new OptimizerConfig(kind, momentum, nesterov, beta1, beta2, eps, weightDecay, decayTarget, norm, value);
    }

    /** Tensors of state per parameter: 0 (plain SGD), 1 (momentum, RMSprop) or 2 (Adam, AdamW). */
    public int stateTensorsPerParameter() {
        return switch (kind) {
            case SGD -> momentum > 0 ? 1 : 0;
            case RMSPROP -> 1;
            case ADAM, ADAMW -> 2;
        };
    }
}
