#!/usr/bin/python3
"""train_cnn.py - trains the bundled Fashion-MNIST CNN and exports it to ONNX.

Model: Conv 1->8 3x3 pad 1 -> ReLU -> MaxPool 2 -> Conv 8->16 3x3 pad 1 -> ReLU
-> MaxPool 2 -> Flatten -> Linear 784x64 -> ReLU -> Linear 64x10.
Input "image" float32 [1,1,28,28] in [0,1]; output "logits" [1,10]. Exported at
opset 13 with a static batch of 1 and constant folding, so the graph holds only
Conv, Relu, MaxPool, Flatten and Gemm nodes (checked below). With the default
placement the convolutions and pools run on the host, the Gemms on the NPU.

Deterministic: seeded torch/numpy, deterministic algorithms, 2 threads.
2 epochs (Adam, cosine decay) take about 2 minutes on 2 cores; the committed
cnn.onnx has 88.45% fp32 test top-1 (torch, 10,000 images). Usage:
    /usr/bin/python3 models/fashion_mnist/train_cnn.py [--epochs 2] [--output cnn.onnx]
"""
import argparse
import math
import os
import sys
import time

import onnx
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dataset  # noqa: E402
import training  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20240601
OPS = {"Conv", "Relu", "MaxPool", "Flatten", "Gemm"}


def build_model():
    return nn.Sequential(
        nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(16 * 7 * 7, 64), nn.ReLU(),
        nn.Linear(64, 10),
    )


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(x[i:i + 1000]).argmax(1) for i in range(0, len(x), 1000)])
    return 100.0 * (pred == y).float().mean().item()


def export(model, path):
    model.eval()
    dummy = torch.zeros(1, 1, 28, 28, dtype=torch.float32)
    torch.onnx.export(model, dummy, path, opset_version=13, do_constant_folding=True,
                      input_names=["image"], output_names=["logits"])
    m = onnx.load(path)
    onnx.checker.check_model(m)
    ops = sorted({n.op_type for n in m.graph.node})
    if not set(ops) <= OPS:
        raise RuntimeError(f"exported graph has unexpected ops {ops}")
    return ops


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3, help="peak Adam rate, cosine decay to 0")
    ap.add_argument("--data-dir", default=dataset.DEFAULT_DIR)
    ap.add_argument("--output", default=os.path.join(HERE, "cnn.onnx"))
    args = ap.parse_args()

    training.deterministic(SEED)

    start = time.time()
    xtr, ytr, xte, yte = training.load_tensors(args.data_dir)

    model = build_model()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps = args.epochs * math.ceil(len(xtr) / args.batch_size)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda step: 0.5 * (1.0 + math.cos(math.pi * step / max(1, steps))))
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(SEED)
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(xtr), generator=gen)
        total = 0.0
        for i in range(0, len(xtr), args.batch_size):
            idx = perm[i:i + args.batch_size]
            opt.zero_grad()
            loss = loss_fn(model(xtr[idx]), ytr[idx])
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        print(f"epoch {epoch + 1}/{args.epochs}: loss {total / len(xtr):.4f}, "
              f"test accuracy {accuracy(model, xte, yte):.2f}%  ({time.time() - start:.0f}s)",
              flush=True)

    ops = export(model, args.output)
    print(f"wrote {args.output} ({os.path.getsize(args.output)} bytes, ops {', '.join(ops)})")
    print(f"fp32 test accuracy: {accuracy(model, xte, yte):.2f}%")


if __name__ == "__main__":
    main()
