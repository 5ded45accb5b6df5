#!/usr/bin/python3
"""train_rnn.py - trains a Fashion-MNIST LSTM or GRU sequence classifier and exports it to ONNX.

Each 28x28 image is read as 28 timesteps of 28 features (row t is timestep t).
Model: one unidirectional LSTM or GRU layer, hidden size 128 -> Linear 128x10 on
the final hidden state. Input "image" float32 [1,1,28,28] in [0,1]; output
"logits" [1,10]. The ONNX graph (opset 14) is built here with onnx.helper from
the trained weights, not by torch.onnx.export, and holds exactly four nodes:

    image -> Reshape [28,1,28] -> LSTM|GRU (outputs Y = "" unused, Y_h)
          -> Reshape [1,128] -> Gemm (transB=1) -> logits

W, R and B are initializers with the gates reordered from torch's order to
ONNX's (LSTM i,f,g,o -> i,o,f,c; GRU r,z,n -> z,r,h; the GRU node has
linear_before_reset=1, which is torch's formula). The export is checked with
onnx.checker and strict shape inference, and tests/e2e/onnx_numpy_ref.py on the
exported graph must reproduce the torch logits on --verify images (max abs
difference < 1e-4).

Deterministic: seeded torch/numpy, deterministic algorithms, fixed thread count.
On an idle 2-core machine an LSTM epoch takes about 2 minutes, a GRU epoch
about 1.5, so each cell trains in about 6-7 minutes (LSTM 3 epochs, 86.9%
test top-1; GRU 4 epochs, 88.1%). Usage:
    /usr/bin/python3 models/fashion_mnist/train_rnn.py --cell lstm|gru [--epochs N]
        [--output lstm.onnx|gru.onnx]
"""
import argparse
import math
import os
import sys
import time

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
import dataset  # noqa: E402
import training  # noqa: E402
import onnx_numpy_ref  # noqa: E402

SEED = 20240601
STEPS, FEATURES, HIDDEN, CLASSES = 28, 28, 128, 10
OPSET = 14
DEFAULT_EPOCHS = {"lstm": 3, "gru": 4}
# Gate blocks of torch's weight_ih/weight_hh/bias_* in ONNX order.
TORCH_TO_ONNX_GATES = {
    "lstm": [0, 3, 1, 2],  # torch i,f,g,o -> ONNX i,o,f,c
    "gru": [1, 0, 2],      # torch r,z,n   -> ONNX z,r,h
}


class RNNClassifier(nn.Module):
    def __init__(self, cell):
        super().__init__()
        self.cell = cell
        self.rnn = {"lstm": nn.LSTM, "gru": nn.GRU}[cell](FEATURES, HIDDEN)
        self.fc = nn.Linear(HIDDEN, CLASSES)

    def forward(self, x):
        seq = x.reshape(x.shape[0], STEPS, FEATURES).transpose(0, 1)  # [T, N, I]
        _, state = self.rnn(seq)
        h = state[0] if self.cell == "lstm" else state  # [1, N, H]
        return self.fc(h[-1])


def predict(model, x):
    model.eval()
    with torch.no_grad():
        return torch.cat([model(x[i:i + 1000]) for i in range(0, len(x), 1000)])


def accuracy(model, x, y):
    return 100.0 * (predict(model, x).argmax(1) == y).float().mean().item()


def _onnx_gates(t, cell):
    """Reorders the gate blocks (first axis) of a torch weight or bias to ONNX order."""
    blocks = np.split(t.detach().numpy().astype(np.float32), len(TORCH_TO_ONNX_GATES[cell]))
    return np.concatenate([blocks[i] for i in TORCH_TO_ONNX_GATES[cell]])


def build_onnx(model):
    """The ONNX ModelProto of the trained model (batch 1)."""
    cell, rnn = model.cell, model.rnn
    w = _onnx_gates(rnn.weight_ih_l0, cell)[None]  # [1, G*H, I]
    r = _onnx_gates(rnn.weight_hh_l0, cell)[None]  # [1, G*H, H]
    b = np.concatenate([_onnx_gates(rnn.bias_ih_l0, cell),
                        _onnx_gates(rnn.bias_hh_l0, cell)])[None]  # [1, 2*G*H] = [Wb, Rb]
    inits = [
        numpy_helper.from_array(np.array([STEPS, 1, FEATURES], np.int64), "seq_shape"),
        numpy_helper.from_array(w, "W"),
        numpy_helper.from_array(r, "R"),
        numpy_helper.from_array(b, "B"),
        numpy_helper.from_array(np.array([1, HIDDEN], np.int64), "h_shape"),
        numpy_helper.from_array(model.fc.weight.detach().numpy().astype(np.float32), "fc.weight"),
        numpy_helper.from_array(model.fc.bias.detach().numpy().astype(np.float32), "fc.bias"),
    ]
    rnn_attrs = {"hidden_size": HIDDEN, "direction": "forward"}
    if cell == "gru":
        rnn_attrs["linear_before_reset"] = 1
    nodes = [
        helper.make_node("Reshape", ["image", "seq_shape"], ["seq"], name="to_sequence"),
        helper.make_node(cell.upper(), ["seq", "W", "R", "B"], ["", "Y_h"], name=cell, **rnn_attrs),
        helper.make_node("Reshape", ["Y_h", "h_shape"], ["h"], name="final_hidden"),
        helper.make_node("Gemm", ["h", "fc.weight", "fc.bias"], ["logits"], name="fc", transB=1),
    ]
    graph = helper.make_graph(
        nodes, f"fashion_mnist_{cell}",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 1, 28, 28])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, CLASSES])],
        inits)
    m = helper.make_model(graph, producer_name="softnpu train_rnn.py",
                          opset_imports=[helper.make_opsetid("", OPSET)])
    onnx.checker.check_model(m, full_check=True)
    inferred = onnx.shape_inference.infer_shapes(m, check_type=True, strict_mode=True)
    dims = [d.dim_value for d in inferred.graph.output[0].type.tensor_type.shape.dim]
    if dims != [1, CLASSES]:
        raise RuntimeError(f"shape inference gives logits {dims}, expected [1, {CLASSES}]")
    ops = [n.op_type for n in m.graph.node]
    if ops != ["Reshape", cell.upper(), "Reshape", "Gemm"]:
        raise RuntimeError(f"unexpected graph nodes {ops}")
    return m


def verify(m, model, x, tol=1e-4):
    """Max |numpy reference on the ONNX graph - torch| over the logits of images x."""
    want = predict(model, x).numpy()
    got = np.concatenate([onnx_numpy_ref.run(m, {"image": x[i:i + 1].numpy()})["logits"]
                          for i in range(len(x))])
    err = float(np.abs(got - want).max())
    if not err < tol:
        raise RuntimeError(f"numpy reference disagrees with torch: max abs logit diff {err:.3g} >= {tol}")
    return err, got


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cell", choices=["lstm", "gru"], required=True)
    ap.add_argument("--epochs", type=int, help="default: 3 for lstm, 4 for gru")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3, help="peak Adam rate, cosine decay to 0")
    ap.add_argument("--verify", type=int, default=64, metavar="N",
                    help="test images the numpy reference must match torch on")
    ap.add_argument("--data-dir", default=dataset.DEFAULT_DIR)
    ap.add_argument("--output", help="default: models/fashion_mnist/<cell>.onnx")
    args = ap.parse_args()
    epochs = args.epochs if args.epochs is not None else DEFAULT_EPOCHS[args.cell]
    output = args.output or os.path.join(HERE, f"{args.cell}.onnx")

    training.deterministic(SEED)

    start = time.time()
    xtr, ytr, xte, yte = training.load_tensors(args.data_dir)

    model = RNNClassifier(args.cell)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    batches = math.ceil(len(xtr) / args.batch_size)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda step: 0.5 * (1.0 + math.cos(math.pi * step / max(1, epochs * batches))))
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(SEED)
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(xtr), generator=gen)
        total = 0.0
        for i in range(0, len(xtr), args.batch_size):
            idx = perm[i:i + args.batch_size]
            opt.zero_grad()
            loss = loss_fn(model(xtr[idx]), ytr[idx])
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            total += loss.item() * len(idx)
        print(f"epoch {epoch + 1}/{epochs}: loss {total / len(xtr):.4f}, "
              f"test accuracy {accuracy(model, xte, yte):.2f}%  ({time.time() - start:.0f}s)",
              flush=True)
    train_time = time.time() - start

    m = build_onnx(model)
    err, ref_logits = verify(m, model, xte[:args.verify])
    onnx.save(m, output)
    print(f"wrote {output} ({os.path.getsize(output)} bytes, "
          f"nodes {', '.join(n.op_type for n in m.graph.node)})")
    ref_acc = 100.0 * float((ref_logits.argmax(1) == yte[:args.verify].numpy()).mean())
    print(f"numpy reference vs torch on {args.verify} test images: max abs logit diff {err:.3g}, "
          f"reference top-1 {ref_acc:.2f}%")
    print(f"fp32 test accuracy ({args.cell}, torch, 10,000 images): {accuracy(model, xte, yte):.2f}%")
    print(f"training time {train_time:.0f}s, total {time.time() - start:.0f}s")


if __name__ == "__main__":
    main()
