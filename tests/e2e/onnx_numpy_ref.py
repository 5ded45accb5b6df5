#!/usr/bin/python3
"""onnx_numpy_ref.py - a small, independent numpy interpreter for ONNX graphs.

The fp32 reference the end-to-end tests compare the NPU against. It shares no
code with the compiler: it reads the ModelProto with the onnx Python package and
evaluates each node in float64 (so its own rounding is negligible next to the
NPU's), returning float32 outputs. Supported ops (those softnpu imports):

  Gemm      alpha, beta, transA, transB, optional C (unidirectional broadcast)
  MatMul    numpy matmul semantics
  Add       numpy (multidirectional) broadcasting
  Relu, Sigmoid, Tanh, Identity
  Flatten   axis in [-r, r], default 1
  Reshape   shape from a constant/initializer/input; 0 copies the input dim
            unless allowzero=1; one -1 is inferred
  Constant  value, value_float(s), value_int(s)

Library use:   outputs = run(model_or_path, {"x": array, ...})  -> {name: array}
Command line:  onnx_numpy_ref.py model.onnx --input x=x.npy [--output-dir D]
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper


class RefError(Exception):
    """An unsupported op or malformed node, with the node named."""


def _attrs(node):
    out = {}
    for a in node.attribute:
        out[a.name] = onnx.helper.get_attribute_value(a)
    return out


def _node_label(node):
    return f"{node.op_type} node '{node.name or '<unnamed>'}'"


def _to_compute(arr):
    """Floats are evaluated in float64; integer tensors (shapes) stay integer."""
    arr = np.asarray(arr)
    if np.issubdtype(arr.dtype, np.floating):
        return arr.astype(np.float64)
    return arr


def _gemm(node, args, at):
    if len(args) < 2:
        raise RefError(f"{_node_label(node)} needs inputs A and B")
    a, b = args[0], args[1]
    c = args[2] if len(args) > 2 else None
    if at.get("transA", 0):
        a = a.T
    if at.get("transB", 0):
        b = b.T
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[0]:
        raise RefError(f"{_node_label(node)}: bad shapes {a.shape} x {b.shape}")
    y = float(at.get("alpha", 1.0)) * (a @ b)
    if c is not None:
        y = y + float(at.get("beta", 1.0)) * np.broadcast_to(c, y.shape)
    return y


def _flatten(node, args, at):
    x = args[0]
    axis = int(at.get("axis", 1))
    if axis < 0:
        axis += x.ndim
    if not 0 <= axis <= x.ndim:
        raise RefError(f"{_node_label(node)}: axis {at.get('axis')} out of range for rank {x.ndim}")
    outer = int(np.prod(x.shape[:axis], dtype=np.int64))
    return x.reshape(outer, int(np.prod(x.shape[axis:], dtype=np.int64)))


def _reshape(node, args, at):
    if len(args) < 2:
        raise RefError(f"{_node_label(node)} needs a shape input")
    x, shape = args[0], [int(s) for s in np.asarray(args[1]).reshape(-1)]
    allowzero = int(at.get("allowzero", 0))
    out = []
    for i, s in enumerate(shape):
        if s == 0 and not allowzero:
            if i >= x.ndim:
                raise RefError(f"{_node_label(node)}: shape entry {i} is 0 but input has rank {x.ndim}")
            out.append(x.shape[i])
        else:
            out.append(s)
    if out.count(-1) > 1:
        raise RefError(f"{_node_label(node)}: more than one -1 in shape {shape}")
    return x.reshape(out)


def _constant(node, args, at):
    if "value" in at:
        return numpy_helper.to_array(at["value"])
    if "value_float" in at:
        return np.array(at["value_float"], dtype=np.float32)
    if "value_floats" in at:
        return np.array(at["value_floats"], dtype=np.float32)
    if "value_int" in at:
        return np.array(at["value_int"], dtype=np.int64)
    if "value_ints" in at:
        return np.array(at["value_ints"], dtype=np.int64)
    raise RefError(f"{_node_label(node)}: unsupported Constant attribute {sorted(at)}")


OPS = {
    "Gemm": _gemm,
    "MatMul": lambda n, a, at: np.matmul(a[0], a[1]),
    "Add": lambda n, a, at: a[0] + a[1],
    "Relu": lambda n, a, at: np.maximum(a[0], 0.0),
    "Sigmoid": lambda n, a, at: 1.0 / (1.0 + np.exp(-a[0])),
    "Tanh": lambda n, a, at: np.tanh(a[0]),
    "Identity": lambda n, a, at: a[0],
    "Flatten": _flatten,
    "Reshape": _reshape,
    "Constant": _constant,
}


def graph_inputs(model):
    """Names of the graph inputs that are not initializers, in order."""
    inits = {t.name for t in model.graph.initializer}
    return [i.name for i in model.graph.input if i.name not in inits]


def run(model, feeds):
    """Evaluates `model` (ModelProto or path) on feeds {name: array}.

    Returns {output name: array}, float outputs as float32, in graph output order.
    Raises RefError for unsupported ops or missing inputs.
    """
    if isinstance(model, (str, os.PathLike)):
        model = onnx.load(str(model))
    values = {}
    for t in model.graph.initializer:
        values[t.name] = _to_compute(numpy_helper.to_array(t))
    for name in graph_inputs(model):
        if name not in feeds:
            raise RefError(f"missing graph input '{name}'")
        values[name] = _to_compute(feeds[name])
    for node in model.graph.node:
        fn = OPS.get(node.op_type)
        if fn is None or (node.domain not in ("", "ai.onnx")):
            raise RefError(f"unsupported op {node.op_type} (node '{node.name or '<unnamed>'}')")
        args = []
        for name in node.input:
            if name == "":  # optional input left out; only trailing ones matter here
                continue
            if name not in values:
                raise RefError(f"{_node_label(node)}: input '{name}' is not defined")
            args.append(values[name])
        result = _to_compute(fn(node, args, _attrs(node)))
        values[node.output[0]] = result
    outputs = {}
    for o in model.graph.output:
        v = values[o.name]
        outputs[o.name] = v.astype(np.float32) if np.issubdtype(v.dtype, np.floating) else v
    return outputs


def load_tensor(path):
    """Reads a .npy file or an ONNX TensorProto .pb file."""
    if path.endswith(".npy"):
        return np.load(path)
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return numpy_helper.to_array(t)


def main():
    ap = argparse.ArgumentParser(description="Evaluate an ONNX model with numpy (float64 inside).")
    ap.add_argument("model")
    ap.add_argument("--input", action="append", default=[], metavar="NAME=FILE")
    ap.add_argument("--output-dir", help="write <output name>.npy files here")
    args = ap.parse_args()
    feeds = {}
    for spec in args.input:
        name, sep, path = spec.partition("=")
        if not sep:
            ap.error(f"--input expects NAME=FILE, got '{spec}'")
        feeds[name] = load_tensor(path)
    try:
        outs = run(args.model, feeds)
    except (RefError, OSError, ValueError) as e:
        print(f"onnx_numpy_ref: error: {e}", file=sys.stderr)
        return 1
    for name, v in outs.items():
        if args.output_dir:
            os.makedirs(args.output_dir, exist_ok=True)
            np.save(os.path.join(args.output_dir, name + ".npy"), v)
        print(f"{name}: shape {list(v.shape)} {v.dtype}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
