package io.jtrain.backend;

import io.jtrain.tensor.Tensor;

/**
 * The per-channel tensors of a batch-norm layer, each of shape {@code [C]}: scale {@code gamma} and
 * shift {@code beta} with their gradients, running statistics, and the batch mean and inverse standard
 * deviation saved by the training forward pass for the backward pass.
 */
public record BatchNormTensors(Tensor gamma, Tensor beta, Tensor dGamma, Tensor dBeta,
                               Tensor runningMean, Tensor runningVar, Tensor savedMean, Tensor savedInvStd) {
}
