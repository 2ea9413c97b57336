#!/usr/bin/env python3
"""PyTorch CPU training throughput for the jtrain presets, the baseline of docs/performance.md.

    /usr/bin/python3 tests/pytorch/bench_torch.py PRESET BATCH THREADS [WARMUP STEPS]
prints one JSON object: preset, batch, threads, train_samples_per_s. Same models, same optimizer, random
inputs of the MNIST shape, as `jtrain bench` measures.
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv_relu_bn(c_in, c_out):
    return [nn.Conv2d(c_in, c_out, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(c_out)]


def model(name):
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(),
                             nn.Linear(256, 10)), torch.optim.Adam, 1e-3
    if name == "dlfs":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 89), nn.Tanh(), nn.Linear(89, 10)), \
            (lambda p, lr: torch.optim.SGD(p, lr=lr, momentum=0.9)), 0.1
    if name == "lenet5":
        return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5),
                             nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(),
                             nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10)), torch.optim.Adam, 1e-3
    if name == "cnn-bn":
        layers = conv_relu_bn(1, 32) + conv_relu_bn(32, 32) + [nn.MaxPool2d(2), nn.Dropout(0.2)] \
            + conv_relu_bn(32, 64) + conv_relu_bn(64, 64) + [nn.MaxPool2d(2), nn.Dropout(0.3), nn.Flatten(),
                                                             nn.Linear(64 * 7 * 7, 10)]
        return nn.Sequential(*layers), torch.optim.Adam, 1e-3
    raise ValueError(name)


def main():
    name, batch, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    warmup = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    steps = int(sys.argv[5]) if len(sys.argv) > 5 else 20
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    net, opt_cls, lr = model(name)
    opt = opt_cls(net.parameters(), lr=lr)
    x = torch.randn(batch * (warmup + steps), 1, 28, 28)
    y = torch.randint(0, 10, (batch * (warmup + steps),))
    net.train()
    t0 = None
    for s in range(warmup + steps):
        if s == warmup:
            t0 = time.perf_counter()
        xb = x[s * batch:(s + 1) * batch]
        yb = y[s * batch:(s + 1) * batch]
        opt.zero_grad()
        F.cross_entropy(net(xb), yb).backward()
        opt.step()
    secs = time.perf_counter() - t0
    print(json.dumps({"preset": name, "batch": batch, "threads": threads,
                      "train_samples_per_s": steps * batch / secs, "blas": blas_library()}))


def blas_library():
    """The BLAS this process loaded (Debian's torch links libblas.so.3, whichever alternative is installed:
    the reference BLAS makes every matrix product 10-20x slower, and a benchmark against it means nothing)."""
    import os
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if "blas" in line.split()[-1].lower()}
    return ", ".join(sorted(os.path.realpath(x) for x in libs)) or "none found"


if __name__ == "__main__":
    main()
