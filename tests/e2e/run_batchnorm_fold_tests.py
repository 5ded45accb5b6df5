#!/usr/bin/python3
"""run_batchnorm_fold_tests.py - BatchNormalization folded into Conv / Gemm (onnx-fold-batchnorm), vs torch.

Two seeded torch models with BatchNorm statistics far from the identity
(random running means, variances in [0.5, 4], scales and shifts):
  conv  Conv2d(3, 8, 3, padding=1, bias=False) -> BatchNorm2d -> ReLU, input 1x3x8x8
  gemm  Linear(16, 12) -> BatchNorm1d -> ReLU, input 4x16
are exported in eval mode, compiled with --precision fp32 and run with npu-run.
Checks, per model:
  - the placement report lists no BatchNormalization node (it was folded);
  - every output is within a rigorous fp32 bound of torch's float64 evaluation
    of the unfolded model: folding rounds each weight and bias once (2^-24
    relative), and a K-term dot product in fp32 adds at most K 2^-24 sum |w x|,
    so |out - ref| <= (K + 4) 2^-24 (sum_k |w' x| + |b'|) per element.

Usage: run_batchnorm_fold_tests.py --bin-dir DIR [--work-dir D]
Prints "PASS/FAIL <model>: detail" and "N passed, M failed"; exits 1 if any failed.
"""
import argparse
import os
import sys
import tempfile

import numpy as np
import torch
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from npu_tools import DEFAULT_BIN_DIR, Tally, ToolError, Tools, first_line, output_file  # noqa: E402

U = 2.0 ** -24


def randomize_bn(bn, gen):
    n = bn.num_features
    with torch.no_grad():
        bn.running_mean.copy_(torch.randn(n, generator=gen))
        bn.running_var.copy_(0.5 + 3.5 * torch.rand(n, generator=gen))
        bn.weight.copy_(torch.randn(n, generator=gen))
        bn.bias.copy_(torch.randn(n, generator=gen))


def models():
    gen = torch.Generator().manual_seed(11)
    torch.manual_seed(11)
    conv = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1, bias=False), torch.nn.BatchNorm2d(8),
                               torch.nn.ReLU())
    randomize_bn(conv[1], gen)
    gemm = torch.nn.Sequential(torch.nn.Linear(16, 12), torch.nn.BatchNorm1d(12), torch.nn.ReLU())
    randomize_bn(gemm[1], gen)
    return [("conv", conv.eval(), torch.randn(1, 3, 8, 8, generator=gen), 3 * 3 * 3),
            ("gemm", gemm.eval(), torch.randn(4, 16, generator=gen), 16)]


def folded_magnitude(model, x):
    """sum_k |w' x| + |b'| per output element, in float64, with the BN folded by hand."""
    layer, bn = model[0], model[1]
    s = (bn.weight / torch.sqrt(bn.running_var + bn.eps)).double()
    w = layer.weight.double() * s.reshape(-1, *([1] * (layer.weight.dim() - 1)))
    b = (layer.bias.double() if layer.bias is not None else torch.zeros_like(s)) * s
    b = b + bn.bias.double() - bn.running_mean.double() * s
    if isinstance(layer, torch.nn.Conv2d):
        mag = torch.nn.functional.conv2d(x.double().abs(), w.abs(), None, padding=layer.padding)
        return mag + b.abs().reshape(1, -1, 1, 1)
    return x.double().abs() @ w.abs().T + b.abs()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin-dir", default=DEFAULT_BIN_DIR)
    ap.add_argument("--work-dir")
    args = ap.parse_args()
    tools = Tools(args.bin_dir)
    tally = Tally()
    work = args.work_dir or tempfile.mkdtemp(prefix="softnpu_bn_")
    os.makedirs(work, exist_ok=True)
    try:
        tools.require("npu-compile", "npu-run")
        for name, model, x, k in models():
            onnx_path = os.path.join(work, f"bn_{name}.onnx")
            torch.onnx.export(model, x, onnx_path, input_names=["x"], output_names=["y"], opset_version=13)
            art = os.path.join(work, f"bn_{name}.npu")
            comp = tools.compile(onnx_path, art, precision="fp32", extra=["--placement-report"])
            if comp.returncode != 0:
                tally.report(name, False, "npu-compile: " + first_line(comp))
                continue
            if "BatchNormalization" in comp.stdout + comp.stderr:
                tally.report(name, False, "a BatchNormalization node is still placed (not folded)")
                continue
            x_path = os.path.join(work, f"bn_{name}_x.pb")
            with open(x_path, "wb") as f:
                f.write(numpy_helper.from_array(x.numpy(), "x").SerializeToString())
            out_dir = os.path.join(work, f"bn_{name}_out")
            run = tools.run(art, [("x", x_path)], output_dir=out_dir)
            if run.returncode != 0:
                tally.report(name, False, "npu-run: " + first_line(run))
                continue
            out = np.load(output_file(out_dir, "y")).astype(np.float64)
            with torch.no_grad():
                ref = model.double()(x.double()).numpy()
                bound = ((k + 4) * U * folded_magnitude(model, x)).numpy()
            err = np.abs(out - ref)
            ok = out.shape == ref.shape and bool((err <= bound).all())
            tally.report(name, ok, f"max |err| {err.max():.3g}, worst err/bound {(err / np.maximum(bound, 1e-300)).max():.3g}")
    except ToolError as e:
        tally.report("setup", False, str(e))
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
