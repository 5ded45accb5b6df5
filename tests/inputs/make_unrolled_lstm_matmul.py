#!/usr/bin/python3
"""make_unrolled_lstm_matmul.py - writes an LSTM traced by torch.onnx.export from an explicit cell.

The form of the issue: "An unrolled LSTM, traced op by op from an explicit
cell ... computes the input projection for all timesteps in one MatMul, starts
from constant zero state, and stacks its outputs with Concat." The torch module
ExplicitLSTM below does exactly that,

    x_proj = X @ W_ih^T                          (one MatMul over all T steps)
    h = c = zeros                                (constants, not graph inputs)
    for t: gates = x_proj[t] + h @ W_hh^T + b    (PyTorch gate order i, f, g, o)
           i, f, o = sigmoid(..), g = tanh(..); c = f*c + i*g; h = o*tanh(c)
    Y = stack(h_1 .. h_T)                        (Unsqueeze + Concat)

with T=8, batch 1, input 16, hidden 32 and the weights of a seeded nn.LSTM
(b = b_ih + b_hh). It is exported at opset 13 with static shapes and constant
folding to tests/inputs/onnx/unrolled_lstm_matmul.onnx: input "X" [8,1,16],
output "Y" [8,1,32].

`--check` writes nothing; it exits 1 if the committed file differs from what
this script generates, if ExplicitLSTM differs from nn.LSTM on the same weights
(atol 1e-6), or if onnx_numpy_ref.py's evaluation of the exported graph differs
from ExplicitLSTM (atol 1e-6, rtol 1e-5) (ctest e2e.unrolled_lstm_matmul_input).
The export's bytes depend on the torch version; after a torch upgrade rerun
this script and commit the new file.

    /usr/bin/python3 tests/inputs/make_unrolled_lstm_matmul.py [--out-dir DIR] [--check]
"""
import argparse
import io
import os
import sys

import numpy as np
import onnx
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))
sys.path.insert(0, HERE)
import make_onnx_inputs as base  # noqa: E402
import onnx_numpy_ref  # noqa: E402

NAME = "unrolled_lstm_matmul"
T, B, I, H = 8, 1, 16, 32
SEED = 4322
OPSET = 13
ATOL, RTOL = 1e-6, 1e-5


class ExplicitLSTM(nn.Module):
    """One LSTM layer written out step by step; weights taken from an nn.LSTM."""

    def __init__(self, lstm):
        super().__init__()
        self.w_ih = nn.Parameter(lstm.weight_ih_l0.detach().clone())  # [4H, I]
        self.w_hh = nn.Parameter(lstm.weight_hh_l0.detach().clone())  # [4H, H]
        self.b = nn.Parameter((lstm.bias_ih_l0 + lstm.bias_hh_l0).detach().clone())

    def forward(self, x):  # x [T, B, I] -> Y [T, B, H]
        x_proj = torch.matmul(x, self.w_ih.t())
        h = torch.zeros(B, H)
        c = torch.zeros(B, H)
        ys = []
        for t in range(T):
            gates = x_proj[t] + torch.matmul(h, self.w_hh.t()) + self.b
            i, f, g, o = gates.chunk(4, dim=1)
            i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
            c = f * c + i * g
            h = o * torch.tanh(c)
            ys.append(h)
        return torch.stack(ys)


def torch_models():
    """(nn.LSTM, ExplicitLSTM with its weights), seeded, in eval mode."""
    torch.manual_seed(SEED)
    lstm = nn.LSTM(I, H).eval()
    return lstm, ExplicitLSTM(lstm).eval()


def reference(x):
    """ExplicitLSTM's Y for x [T, B, I] (numpy float32), as numpy float32."""
    with torch.no_grad():
        return torch_models()[1](torch.from_numpy(x)).numpy()


def export():
    """The exported ModelProto."""
    _, model = torch_models()
    buf = io.BytesIO()
    torch.onnx.export(model, torch.zeros(T, B, I), buf, opset_version=OPSET,
                      do_constant_folding=True, input_names=["X"], output_names=["Y"])
    m = onnx.load_from_string(buf.getvalue())
    onnx.checker.check_model(m)
    onnx.shape_inference.infer_shapes(m, check_type=True, strict_mode=True)
    return m


def check_model(m):
    """Errors: the traced form is not the issue's, or the references disagree."""
    errors = []
    ops = [n.op_type for n in m.graph.node]
    if ops.count("MatMul") != T + 1 or "Concat" not in ops:
        errors.append(f"expected {T + 1} MatMuls and a Concat, got ops {sorted(set(ops))}")
    if [i.name for i in m.graph.input if i.name not in {t.name for t in m.graph.initializer}] != ["X"]:
        errors.append("the state must be constant, X the only graph input")
    x = np.random.default_rng(11).uniform(-1, 1, (T, B, I)).astype(np.float32)
    lstm, explicit = torch_models()
    with torch.no_grad():
        want = explicit(torch.from_numpy(x)).numpy()
        native = lstm(torch.from_numpy(x))[0].numpy()
    if not np.allclose(want, native, atol=ATOL, rtol=0):
        errors.append(f"ExplicitLSTM differs from nn.LSTM (max abs {np.abs(want - native).max():g})")
    got = onnx_numpy_ref.run(m, {"X": x})["Y"]
    if not np.allclose(got, want, atol=ATOL, rtol=RTOL):
        errors.append(f"numpy reference of the export differs from torch (max abs {np.abs(got - want).max():g})")
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", default=os.path.join(HERE, "onnx"))
    ap.add_argument("--check", action="store_true",
                    help="compare with the file in --out-dir instead of writing; check the references")
    args = ap.parse_args()
    torch.set_num_threads(1)
    m = export()
    errors = check_model(m)
    for err in errors:
        print(f"MISMATCH {NAME}: {err}")
    if errors:
        return 1
    return base.write_or_check({NAME + ".onnx": m.SerializeToString()}, args.out_dir, args.check, __file__)


if __name__ == "__main__":
    sys.exit(main())
