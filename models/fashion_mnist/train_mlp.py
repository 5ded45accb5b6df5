#!/usr/bin/python3
"""train_mlp.py - trains the bundled Fashion-MNIST MLP and exports it to ONNX.

Model: Flatten -> Linear 784x256 -> ReLU -> Linear 256x128 -> ReLU -> Linear 128x10.
Input "image" float32 [1,1,28,28] in [0,1]; output "logits" [1,10]. Exported at
opset 13 with a static batch of 1 and constant folding, so the graph holds only
Flatten, Gemm and Relu nodes (checked below).

Deterministic: seeded torch/numpy, deterministic algorithms, fixed thread count.
Runs in well under 3 minutes on 2 cores. Usage:
    /usr/bin/python3 models/fashion_mnist/train_mlp.py [--epochs 6] [--output mlp.onnx]
"""
import argparse
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


def build_model():
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(784, 256), nn.ReLU(),
        nn.Linear(256, 128), nn.ReLU(),
        nn.Linear(128, 10),
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
    if not set(ops) <= {"Flatten", "Gemm", "Relu"}:
        raise RuntimeError(f"exported graph has unexpected ops {ops}")
    return ops


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--data-dir", default=dataset.DEFAULT_DIR)
    ap.add_argument("--output", default=os.path.join(HERE, "mlp.onnx"))
    args = ap.parse_args()

    training.deterministic(SEED)

    start = time.time()
    xtr, ytr, xte, yte = training.load_tensors(args.data_dir)

    model = build_model()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
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
            total += loss.item() * len(idx)
        print(f"epoch {epoch + 1}/{args.epochs}: loss {total / len(xtr):.4f}, "
              f"test accuracy {accuracy(model, xte, yte):.2f}%  ({time.time() - start:.0f}s)")

    ops = export(model, args.output)
    print(f"wrote {args.output} ({os.path.getsize(args.output)} bytes, ops {', '.join(ops)})")
    print(f"fp32 test accuracy: {accuracy(model, xte, yte):.2f}%")


if __name__ == "__main__":
    main()
