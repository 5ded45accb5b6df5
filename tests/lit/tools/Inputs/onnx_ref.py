#!/usr/bin/python3
"""onnx_ref.py - seeded inputs and a numpy reference run of a small ONNX model.

    onnx_ref.py MODEL.onnx OUT_DIR

Writes OUT_DIR/in_<name>.npy for every graph input (uniform in [-1, 1), fixed
seed) and OUT_DIR/ref_<name>.npy for every graph output, computed in float64
by the numpy evaluator below (only the ops softnpu imports), then stored as
float32. Prints the npu-run arguments: "--input N=F ... --compare N=F ...".
"""
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def run_node(node, env):
    a = attrs(node)
    x = [env[i] for i in node.input if i]
    op = node.op_type
    if op == "Gemm":
        A = x[0].T if a.get("transA", 0) else x[0]
        B = x[1].T if a.get("transB", 0) else x[1]
        y = a.get("alpha", 1.0) * (A @ B)
        return y + a.get("beta", 1.0) * x[2] if len(x) > 2 else y
    if op == "MatMul":
        return x[0] @ x[1]
    if op == "Add":
        return x[0] + x[1]
    if op == "Relu":
        return np.maximum(x[0], 0.0)
    if op == "Sigmoid":
        return 1.0 / (1.0 + np.exp(-x[0]))
    if op == "Tanh":
        return np.tanh(x[0])
    if op == "Flatten":
        ax = a.get("axis", 1)
        return x[0].reshape(int(np.prod(x[0].shape[:ax])), -1)
    if op == "Reshape":
        return x[0].reshape([int(d) for d in x[1]])
    if op == "Identity":
        return x[0]
    if op == "Constant":
        return numpy_helper.to_array(a["value"])
    raise SystemExit("onnx_ref.py: no reference for op " + op)


def main():
    model = onnx.load(sys.argv[1])
    out_dir = sys.argv[2]
    g = model.graph
    env = {t.name: numpy_helper.to_array(t).astype(np.float64) if t.data_type == onnx.TensorProto.FLOAT
           else numpy_helper.to_array(t) for t in g.initializer}
    rng = np.random.default_rng(42)
    args = []
    for vi in g.input:
        if vi.name in env:
            continue
        shape = [d.dim_value for d in vi.type.tensor_type.shape.dim]
        v = rng.uniform(-1.0, 1.0, size=shape).astype(np.float32)
        path = os.path.join(out_dir, "in_" + vi.name + ".npy")
        np.save(path, v)
        env[vi.name] = v.astype(np.float64)
        args.append("--input " + vi.name + "=" + path)
    for node in g.node:
        env[node.output[0]] = run_node(node, env)
    for vi in g.output:
        path = os.path.join(out_dir, "ref_" + vi.name + ".npy")
        np.save(path, env[vi.name].astype(np.float32))
        args.append("--compare " + vi.name + "=" + path)
    print(" ".join(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
