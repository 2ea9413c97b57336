#!/usr/bin/env python3
"""Generates the PyTorch reference fixtures used by engine/src/test/.../PyTorchFixtureTest.

Development-only tool: run with Debian's python3-torch (/usr/bin/python3), then commit the JSON files.
    /usr/bin/python3 tests/pytorch/gen_fixtures.py engine/src/test/resources/fixtures
Every tensor is float32 and flattened row-major; parameter names follow nn.Sequential.
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1234)
torch.set_num_threads(1)
OUT = sys.argv[1] if len(sys.argv) > 1 else "."


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def save(name, obj):
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(obj, f)


def layer_case(name, spec, module, in_shape, n, training=True, positive_gap=None):
    x = torch.randn(n, *in_shape)
    if positive_gap:
        x = torch.sign(x) * (x.abs() + positive_gap)
    x.requires_grad_(True)
    module.train(training)
    y = module(x)
    dy = torch.randn_like(y)
    y.backward(dy)
    params = {k: flat(v) for k, v in module.named_parameters()}
    grads = {k: flat(v.grad) for k, v in module.named_parameters()}
    save(name, {"kind": "layer", "spec": spec, "input_shape": list(in_shape), "batch": n, "training": training,
                "x": flat(x), "params": params, "y": flat(y), "dy": flat(dy), "dx": flat(x.grad), "grads": grads})


def layers():
    layer_case("dense_batch1", {"type": "dense", "units": 3}, nn.Linear(5, 3), (5,), 1)
    layer_case("dense_nobias", {"type": "dense", "units": 4, "bias": False}, nn.Linear(6, 4, bias=False), (6,), 3)
    layer_case("conv_3x3_same", {"type": "conv2d", "filters": 4, "kernel": 3, "padding": 1},
               nn.Conv2d(3, 4, 3, padding=1), (3, 7, 6), 2)
    layer_case("conv_pad_half_stride2", {"type": "conv2d", "filters": 3, "kernel": 3, "stride": 2, "padding": 1},
               nn.Conv2d(2, 3, 3, stride=2, padding=1), (2, 9, 9), 1)
    layer_case("conv_nonsquare", {"type": "conv2d", "filters": 3, "kernel": [2, 3], "stride": [2, 1],
                                  "padding": [1, 0]},
               nn.Conv2d(2, 3, (2, 3), stride=(2, 1), padding=(1, 0)), (2, 6, 5), 2)
    layer_case("conv_5x5_nobias_batch1", {"type": "conv2d", "filters": 2, "kernel": 5, "padding": 2, "bias": False},
               nn.Conv2d(1, 2, 5, padding=2, bias=False), (1, 5, 7), 1)
    layer_case("maxpool_2x2_odd", {"type": "max_pool2d", "kernel": 2}, nn.MaxPool2d(2), (3, 5, 7), 2)
    layer_case("maxpool_3x3_s2_p1", {"type": "max_pool2d", "kernel": 3, "stride": 2, "padding": 1},
               nn.MaxPool2d(3, 2, 1), (2, 7, 7), 1)
    layer_case("avgpool_3x3_s2_p1", {"type": "avg_pool2d", "kernel": 3, "stride": 2, "padding": 1},
               nn.AvgPool2d(3, 2, 1), (2, 7, 7), 2)
    layer_case("avgpool_2x3", {"type": "avg_pool2d", "kernel": [2, 3], "stride": [2, 3]},
               nn.AvgPool2d((2, 3), (2, 3)), (1, 6, 7), 3)
    layer_case("relu", {"type": "relu"}, nn.ReLU(), (4, 3), 2, positive_gap=0.01)
    layer_case("leaky_relu", {"type": "leaky_relu", "alpha": 0.05}, nn.LeakyReLU(0.05), (7,), 3, positive_gap=0.01)
    layer_case("elu", {"type": "elu", "alpha": 0.7}, nn.ELU(0.7), (7,), 3, positive_gap=0.01)
    layer_case("tanh", {"type": "tanh"}, nn.Tanh(), (6,), 2)
    layer_case("sigmoid", {"type": "sigmoid"}, nn.Sigmoid(), (6,), 2)
    layer_case("softmax", {"type": "softmax"}, nn.Softmax(dim=1), (5,), 3)
    layer_case("flatten", {"type": "flatten"}, nn.Flatten(), (2, 3, 2), 2)
    layer_case("batchnorm1d", {"type": "batch_norm"}, nn.BatchNorm1d(3), (3,), 4)
    layer_case("batchnorm2d", {"type": "batch_norm"}, nn.BatchNorm2d(2), (2, 3, 3), 3)


def batchnorm_steps():
    bn = nn.BatchNorm2d(2, momentum=0.1, eps=1e-5)
    with torch.no_grad():
        bn.weight.copy_(torch.randn(2))
        bn.bias.copy_(torch.randn(2))
    xs = [torch.randn(3, 2, 3, 3) * (1 + i) + i for i in range(4)]
    bn.train()
    for x in xs:
        bn(x)
    bn.eval()
    x_eval = torch.randn(2, 2, 3, 3)
    save("batchnorm_running_stats", {"kind": "bn_steps", "gamma": flat(bn.weight), "beta": flat(bn.bias),
                                     "steps": [flat(x) for x in xs], "running_mean": flat(bn.running_mean),
                                     "running_var": flat(bn.running_var), "x_eval": flat(x_eval),
                                     "y_eval": flat(bn(x_eval))})


def losses():
    z = torch.randn(4, 5, requires_grad=True)
    labels = torch.tensor([0, 4, 2, 2])
    loss = F.cross_entropy(z, labels)
    loss.backward()
    save("loss_ce_indices", {"kind": "loss", "loss": "softmax_cross_entropy", "shape": [4, 5], "z": flat(z),
                             "target": [float(v) for v in labels], "target_shape": [4], "value": float(loss),
                             "grad": flat(z.grad)})
    z = torch.randn(3, 4, requires_grad=True)
    t = torch.softmax(torch.randn(3, 4), dim=1)
    loss = F.cross_entropy(z, t)
    loss.backward()
    save("loss_ce_probabilities", {"kind": "loss", "loss": "softmax_cross_entropy", "shape": [3, 4], "z": flat(z),
                                   "target": flat(t), "target_shape": [3, 4], "value": float(loss),
                                   "grad": flat(z.grad)})
    z = (torch.randn(3, 4) * 4).requires_grad_(True)
    t = (torch.rand(3, 4) > 0.5).float()
    loss = F.binary_cross_entropy_with_logits(z, t)
    loss.backward()
    save("loss_bce", {"kind": "loss", "loss": "binary_cross_entropy", "shape": [3, 4], "z": flat(z),
                      "target": flat(t), "target_shape": [3, 4], "value": float(loss), "grad": flat(z.grad)})
    z = torch.randn(5, 2, requires_grad=True)
    t = torch.randn(5, 2)
    loss = F.mse_loss(z, t)
    loss.backward()
    save("loss_mse", {"kind": "loss", "loss": "mse", "shape": [5, 2], "z": flat(z), "target": flat(t),
                      "target_shape": [5, 2], "value": float(loss), "grad": flat(z.grad)})


def optimizer_case(name, cfg, make, steps=6):
    w = torch.randn(7, requires_grad=True)
    w0 = flat(w)
    opt = make([w])
    grads, after = [], []
    for _ in range(steps):
        g = torch.randn(7)
        grads.append(flat(g))
        w.grad = g.clone()
        opt.step()
        after.append(flat(w))
    save(name, {"kind": "optimizer", "config": cfg, "w0": w0, "grads": grads, "after": after})


def optimizers():
    optimizer_case("opt_sgd", {"name": "sgd", "lr": 0.1}, lambda p: torch.optim.SGD(p, lr=0.1))
    optimizer_case("opt_sgd_l2", {"name": "sgd", "lr": 0.1, "weight_decay": 0.05},
                   lambda p: torch.optim.SGD(p, lr=0.1, weight_decay=0.05))
    optimizer_case("opt_momentum", {"name": "sgd", "lr": 0.05, "momentum": 0.9},
                   lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9))
    optimizer_case("opt_nesterov", {"name": "sgd", "lr": 0.05, "momentum": 0.8, "nesterov": True},
                   lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.8, nesterov=True))
    optimizer_case("opt_adam", {"name": "adam", "lr": 0.01}, lambda p: torch.optim.Adam(p, lr=0.01), steps=8)
    optimizer_case("opt_adam_l2", {"name": "adam", "lr": 0.01, "weight_decay": 0.1},
                   lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.1))
    optimizer_case("opt_adamw", {"name": "adamw", "lr": 0.01, "weight_decay": 0.1},
                   lambda p: torch.optim.AdamW(p, lr=0.01, weight_decay=0.1))
    optimizer_case("opt_rmsprop", {"name": "rmsprop", "lr": 0.01},
                   lambda p: torch.optim.RMSprop(p, lr=0.01, alpha=0.99, eps=1e-8))


def golden_network():
    # BatchNorm after ReLU (as in the cnn-bn preset): no parameter has a structurally zero gradient,
    # which would make Adam's normalised steps depend on round-off.
    model = nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(3), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(27, 4), nn.Tanh(), nn.Linear(4, 3))
    spec = [{"type": "conv2d", "filters": 3, "kernel": 3, "padding": 1}, {"type": "relu"}, {"type": "batch_norm"},
            {"type": "max_pool2d", "kernel": 2}, {"type": "flatten"}, {"type": "dense", "units": 4},
            {"type": "tanh"}, {"type": "dense", "units": 3}]
    x = torch.randn(4, 1, 6, 6)
    y = torch.tensor([0, 2, 1, 2])
    init = {k: flat(v) for k, v in model.state_dict().items() if "num_batches" not in k}
    model.train()
    logits = model(x)
    loss = F.cross_entropy(logits, y)
    loss.backward()
    grads = {k: flat(p.grad) for k, p in model.named_parameters()}
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    opt.step()
    for _ in range(2):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
    final = {k: flat(v) for k, v in model.state_dict().items() if "num_batches" not in k}
    save("golden_network", {"kind": "network", "layers": spec, "input_shape": [1, 6, 6], "x": flat(x),
                            "labels": [float(v) for v in y], "init": init, "logits": flat(logits),
                            "loss": float(loss), "grads": grads, "steps": 3, "lr": 0.01, "final": final})


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    layers()
    batchnorm_steps()
    losses()
    optimizers()
    golden_network()
    print("fixtures written to", OUT)
