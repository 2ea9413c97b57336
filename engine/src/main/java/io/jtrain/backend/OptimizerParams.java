package io.jtrain.backend;

/**
 * Hyper-parameters of one optimizer update, passed to the backend's update kernels.
 *
 * @param lr learning rate
 * @param beta1 momentum (SGD) or first-moment decay (Adam)
 * @param beta2 second-moment decay (Adam) or squared-gradient decay rho (RMSprop)
 * @param eps denominator epsilon
 * @param weightDecay L2 coefficient (0 for parameters it does not apply to)
 * @param decoupled AdamW-style decay applied to the weights instead of the gradient
 * @param nesterov Nesterov momentum (SGD)
 * @param step 1-based step number (Adam bias correction)
 */
public record OptimizerParams(float lr, float beta1, float beta2, float eps, float weightDecay,
                              boolean decoupled, boolean nesterov, long step) {
}
