#!/usr/bin/env python3
"""Loads a jtrain model directory into an equivalent PyTorch nn.Sequential and prints its predictions.

    /usr/bin/python3 tests/pytorch/load_in_pytorch.py MODEL_DIR IMAGES.idx3-ubyte
prints a JSON list of softmax probabilities, one row per image. The safetensors file is read with a small
parser of the documented format (the safetensors package is not packaged in Debian 12).
"""
import json
import struct
import sys

import torch
import torch.nn as nn


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", info
        begin, end = info["data_offsets"]
        t = torch.frombuffer(bytearray(data[base + begin:base + end]), dtype=torch.float32)
        out[name] = t.reshape(info["shape"])
    return out


def pair(v):
    return tuple(v) if isinstance(v, (list, tuple)) else (v, v)


def build(model_json):
    layers = []
    shape = list(model_json["input"])
    for spec in model_json["layers"]:
        t = spec["type"]
        if t == "conv2d":
            k = pair(spec["kernel"])
            pad = spec.get("padding", 0)
            if pad == "same":
                pad = (k[0] // 2, k[1] // 2)
            elif pad == "valid":
                pad = 0
            m = nn.Conv2d(shape[0], spec["filters"], k, stride=pair(spec.get("stride", 1)), padding=pair(pad),
                          bias=spec.get("bias", True))
            layers.append(m)
            shape = [spec["filters"], (shape[1] + 2 * pair(pad)[0] - k[0]) // pair(spec.get("stride", 1))[0] + 1,
                     (shape[2] + 2 * pair(pad)[1] - k[1]) // pair(spec.get("stride", 1))[1] + 1]
        elif t in ("max_pool2d", "avg_pool2d"):
            k = pair(spec["kernel"])
            s = pair(spec.get("stride", spec["kernel"]))
            p = pair(spec.get("padding", 0))
            layers.append(nn.MaxPool2d(k, s, p) if t == "max_pool2d" else nn.AvgPool2d(k, s, p))
            shape = [shape[0], (shape[1] + 2 * p[0] - k[0]) // s[0] + 1, (shape[2] + 2 * p[1] - k[1]) // s[1] + 1]
        elif t == "flatten":
            layers.append(nn.Flatten())
            n = 1
            for d in shape:
                n *= d
            shape = [n]
        elif t == "dense":
            layers.append(nn.Linear(shape[0], spec["units"], bias=spec.get("bias", True)))
            shape = [spec["units"]]
        elif t == "batch_norm":
            layers.append(nn.BatchNorm2d(shape[0]) if len(shape) == 3 else nn.BatchNorm1d(shape[0]))
        elif t == "dropout":
            layers.append(nn.Dropout(spec["rate"]))
        else:
            layers.append({"relu": nn.ReLU(), "tanh": nn.Tanh(), "sigmoid": nn.Sigmoid(), "softmax": nn.Softmax(1),
                           "linear": nn.Identity(), "leaky_relu": nn.LeakyReLU(spec.get("alpha", 0.01)),
                           "elu": nn.ELU(spec.get("alpha", 1.0))}[t])
    return nn.Sequential(*layers)


def read_idx_images(path):
    with open(path, "rb") as f:
        data = f.read()
    magic, n, h, w = struct.unpack(">IIII", data[:16])
    assert magic == 0x803
    x = torch.tensor(list(data[16:16 + n * h * w]), dtype=torch.float32) / 255.0
    return x.reshape(n, 1, h, w)


def main():
    model_dir, images = sys.argv[1], sys.argv[2]
    meta = json.load(open(model_dir + "/model.json"))
    model = build(meta["model"])
    state = read_safetensors(model_dir + "/model.safetensors")
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and all("num_batches" in k for k in missing), (missing, unexpected)
    model.eval()
    x = read_idx_images(images)
    norm = meta["normalization"]
    if norm["mode"] == "global":
        x = (x - norm["mean"][0]) / norm["std"][0]
    with torch.no_grad():
        out = model(x)
        if not isinstance(model[-1], nn.Softmax):
            out = torch.softmax(out, dim=1)
    print(json.dumps(out.tolist()))


if __name__ == "__main__":
    main()
