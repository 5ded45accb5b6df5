#!/usr/bin/python3
"""export_models.py - exports torchvision CNNs with random weights to ONNX, with one test input.

Models (torchvision from Debian's python3-torchvision, weights=None, so nothing is downloaded):
resnet18, resnet50 and mobilenet_v2, each at a static input "input" float32 [1,3,224,224] with
output "logits" [1,1000]. Per model:
  1. torch.manual_seed(SEEDS[name]) and build the model (torchvision's own initialisation:
     Kaiming-normal convolutions, BatchNorm weight 1 and bias 0);
  2. re-estimate every BatchNorm's running statistics on random inputs: reset them, train mode
     with momentum=None (a cumulative average), BN_BATCHES batches of BN_BATCH_SIZE N(0,1)
     images under torch.no_grad(); so the eval-mode activations keep a sensible scale through
     all the layers (with the default statistics, mean 0 and variance 1, the logits' standard
     deviation on an N(0,1) image is 1e-9 for mobilenet_v2 and 16 for resnet50; re-estimated,
     0.15 to 0.6 for all three);
  3. eval mode, torch.onnx.export at opset 13 without constant folding (the exporter's eval-mode
     pass still folds each BatchNorm into the Conv before it). torch 1.13's constant folding is
     wrong on mobilenet_v2: that graph's logits, run by onnxruntime or by softnpu's host path
     (the two agree to 106 dB), are 8.7 dB SNR from torch's own; without it, 105 dB.
     onnx.checker, strict shape inference and a check that every tensor's shape is static;
  4. one N(0,1) input and torch's output for it, written as ONNX TensorProto files in the
     layout of ONNX's backend tests.
Seeds: SEEDS[name] for the weights, + 1 for the BatchNorm images, + 2 for the test input (three
different streams: one seed for all would make the first images equal the first weights, scaled).

Output, under --out-dir (default build/models/torchvision, outside git):
    NAME/model.onnx
    NAME/test_data_set_0/input_0.pb    (tensor "input")
    NAME/test_data_set_0/output_0.pb   (tensor "logits", torch's fp32 output)
The script ends with a table: file size, parameters, MACs of the Conv and Gemm nodes (computed
from the exported graph's inferred shapes) and the export time of each model.

Deterministic: seeded, torch.use_deterministic_algorithms, a fixed 2 threads; running it twice
writes byte-identical files (checked; 1 thread gives the same bytes too). The BatchNorm
statistics are float sums computed by torch's CPU kernels, which oneDNN
picks per CPU, so another machine or torch version may differ in the last bits. 1 to 2
minutes on 2 shared cores for all three (resnet50 the longest). Usage:
    /usr/bin/python3 models/torchvision/export_models.py [--out-dir DIR] [--models resnet18,...]
"""
import argparse
import os
import random
import sys
import time

import numpy as np
import onnx
from onnx import numpy_helper, shape_inference
import torch
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DEFAULT_OUT = os.path.join(REPO, "build", "models", "torchvision")

# One fixed seed per model for its weights; BatchNorm images use seed + 1, the test input seed + 2.
SEEDS = {"resnet18": 18, "resnet50": 50, "mobilenet_v2": 2}
SHAPE = (1, 3, 224, 224)
BN_BATCHES = 8
BN_BATCH_SIZE = 8
OPSET = 13
THREADS = 2


def build(name):
    """The torchvision model with random weights, seeded."""
    torch.manual_seed(SEEDS[name])
    return getattr(torchvision.models, name)(weights=None)


def recalibrate_bn(model, seed):
    """Re-estimates every BatchNorm's running mean/variance as a cumulative average over
    BN_BATCHES batches of N(0,1) images (train mode, momentum=None); returns how many."""
    bns = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    for bn in bns:
        bn.reset_running_stats()
        bn.momentum = None
    gen = torch.Generator().manual_seed(seed)
    model.train()
    with torch.no_grad():
        for _ in range(BN_BATCHES):
            model(torch.randn((BN_BATCH_SIZE,) + SHAPE[1:], generator=gen))
    model.eval()
    return len(bns)


def static_shapes(model):
    """Infers shapes strictly and returns {name: dims} of every tensor; raises if any is
    missing or not static."""
    inferred = shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    shapes = {}
    g = inferred.graph
    for vi in list(g.input) + list(g.value_info) + list(g.output):
        tt = vi.type.tensor_type
        if not tt.HasField("shape") or any(not d.HasField("dim_value") for d in tt.shape.dim):
            raise RuntimeError(f"tensor '{vi.name}' has no static shape")
        shapes[vi.name] = [d.dim_value for d in tt.shape.dim]
    for init in g.initializer:
        shapes[init.name] = list(init.dims)
    for node in g.node:
        for out in node.output:
            if out and out not in shapes:
                raise RuntimeError(f"output '{out}' of {node.op_type} node '{node.name}' "
                                   "has no inferred shape")
    return shapes


def macs(model, shapes):
    """{op_type: MACs} of the Conv, Gemm and MatMul nodes, from the inferred shapes."""
    out = {}
    for node in model.graph.node:
        if node.op_type == "Conv":
            y = shapes[node.output[0]]
            w = shapes[node.input[1]]  # [Cout, Cin/group, kH, kW]
            n = int(np.prod(y)) * int(np.prod(w[1:]))
        elif node.op_type == "Gemm":
            attrs = {a.name: a.i for a in node.attribute if a.type == onnx.AttributeProto.INT}
            a = shapes[node.input[0]]
            b = shapes[node.input[1]]
            m, k = (a[1], a[0]) if attrs.get("transA", 0) else (a[0], a[1])
            ncols = b[0] if attrs.get("transB", 0) else b[1]
            n = m * k * ncols
        elif node.op_type == "MatMul":
            y = shapes[node.output[0]]
            n = int(np.prod(y)) * shapes[node.input[0]][-1]
        else:
            continue
        out[node.op_type] = out.get(node.op_type, 0) + n
    return out


def export(name, out_dir):
    start = time.time()
    model = build(name)
    nbn = recalibrate_bn(model, SEEDS[name] + 1)

    case = os.path.join(out_dir, name)
    data = os.path.join(case, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    path = os.path.join(case, "model.onnx")
    dummy = torch.zeros(SHAPE, dtype=torch.float32)
    torch.onnx.export(model, dummy, path, opset_version=OPSET, do_constant_folding=False,
                      input_names=["input"], output_names=["logits"])

    onnx_model = onnx.load(path)
    onnx.checker.check_model(onnx_model)
    shapes = static_shapes(onnx_model)
    if shapes["logits"] != [1, 1000]:
        raise RuntimeError(f"{name}: logits have shape {shapes['logits']}")

    gen = torch.Generator().manual_seed(SEEDS[name] + 2)
    x = torch.randn(SHAPE, generator=gen)
    with torch.no_grad():
        y = model(x)
    for fname, tname, t in (("input_0.pb", "input", x), ("output_0.pb", "logits", y)):
        tensor = numpy_helper.from_array(t.numpy().astype(np.float32), tname)
        with open(os.path.join(data, fname), "wb") as f:
            f.write(tensor.SerializeToString())

    ops = sorted({n.op_type for n in onnx_model.graph.node})
    params = sum(int(np.prod(i.dims)) for i in onnx_model.graph.initializer)
    return {
        "name": name, "path": path, "bytes": os.path.getsize(path), "params": params,
        "macs": macs(onnx_model, shapes), "nodes": len(onnx_model.graph.node), "ops": ops,
        "bn": nbn, "seconds": time.time() - start,
        "logits": (float(y.min()), float(y.max()), float(y.std())),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="Models: " + ", ".join(SEEDS))
    ap.add_argument("--out-dir", default=DEFAULT_OUT,
                    help="where NAME/model.onnx and NAME/test_data_set_0/ go (default: %(default)s)")
    ap.add_argument("--models", default=",".join(SEEDS),
                    help="comma-separated subset of the models (default: %(default)s)")
    args = ap.parse_args()

    names = [n.strip() for n in args.models.split(",") if n.strip()]
    unknown = [n for n in names if n not in SEEDS]
    if unknown or not names:
        ap.error(f"unknown model(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(SEEDS)}")

    random.seed(0)
    np.random.seed(0)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(THREADS)
    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, "
          f"onnx {onnx.__version__}", flush=True)

    rows = []
    for name in names:
        r = export(name, args.out_dir)
        lo, hi, sd = r["logits"]
        print(f"{name}: wrote {r['path']} ({r['nodes']} nodes: {', '.join(r['ops'])}; "
              f"{r['bn']} BatchNorms re-estimated; test logits in [{lo:.3f}, {hi:.3f}], "
              f"std {sd:.3f}; {r['seconds']:.0f}s)", flush=True)
        rows.append(r)

    print()
    print(f"{'model':<14}{'model.onnx':>12}{'params':>12}{'Conv MACs':>16}"
          f"{'Gemm MACs':>14}{'total MACs':>16}{'time':>7}")
    for r in rows:
        conv = r["macs"].get("Conv", 0)
        gemm = r["macs"].get("Gemm", 0) + r["macs"].get("MatMul", 0)
        print(f"{r['name']:<14}{r['bytes'] / 1e6:>9.1f} MB{r['params']:>12,}{conv:>16,}"
              f"{gemm:>14,}{conv + gemm:>16,}{r['seconds']:>6.0f}s")


if __name__ == "__main__":
    sys.exit(main())
