#!/usr/bin/python3
"""make_conv_cases.py - convolution node tests with random float data, for the bfp bound.

ONNX's own test_conv* / test_convtranspose* data are small integers and all-one
kernels, which every block format represents exactly: in the default format
they pass with zero error and never test run_node_tests.py's derived bound
(conv_bound). These cases do: seeded uniform [-1, 1) maps and weights (the
weights a graph input, as in ONNX's tests, so the NPU loads them at run time;
one grouped case with constant weights), each written as a node test directory
(model.onnx, test_data_set_0/input_N.pb, output_0.pb) whose expected output
is onnx_numpy_ref.py's float64 evaluation rounded to float32.

  --out DIR          where the case directories go (created)
  --run ARGS...      then run run_node_tests.py over them with --data-dir DIR
                     and these arguments (e.g. --bin-dir B --mode bfp --placement npu)

Exit status: that of run_node_tests.py (or 0 after only writing the cases).
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import onnx_numpy_ref  # noqa: E402

SEED = 2026

# name: (op, x shape, w shape, attributes, weights constant?)
CASES = {
    "conv_rand_3x3_pad": ("Conv", [1, 5, 9, 8], [7, 5, 3, 3], {"pads": [1, 1, 1, 1]}, False),
    "conv_rand_stride_dilation": ("Conv", [1, 6, 11, 10], [4, 6, 3, 3],
                                  {"strides": [2, 2], "dilations": [2, 1], "pads": [2, 1, 1, 0]}, False),
    "conv_rand_asymmetric_pads": ("Conv", [1, 3, 6, 17], [5, 3, 2, 4], {"strides": [1, 2], "pads": [0, 2, 1, 1]}, False),
    "conv_rand_grouped": ("Conv", [1, 8, 7, 7], [6, 4, 3, 3], {"group": 2, "pads": [1, 1, 1, 1]}, True),
    "convtranspose_rand_stride2": ("ConvTranspose", [1, 4, 5, 6], [4, 3, 3, 3],
                                   {"strides": [2, 2], "pads": [1, 1, 1, 1], "output_padding": [1, 1]}, False),
    "convtranspose_rand_1d": ("ConvTranspose", [1, 3, 9], [3, 2, 4], {"strides": [3], "dilations": [2]}, False),
}


def case_model(name, op, x_shape, w_shape, attrs, constant, rng):
    """(ModelProto, {input name: array}) of one case."""
    w = rng.uniform(-1.0, 1.0, size=w_shape).astype(np.float32)
    x = rng.uniform(-1.0, 1.0, size=x_shape).astype(np.float32)
    node = helper.make_node(op, ["x", "w"], ["y"], name=name, **attrs)
    inputs = [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)]
    inits, feeds = [], {"x": x}
    if constant:
        inits.append(numpy_helper.from_array(w, "w"))
    else:
        inputs.append(helper.make_tensor_value_info("w", TensorProto.FLOAT, w_shape))
        feeds["w"] = w
    y_info = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    model = helper.make_model(helper.make_graph([node], name, inputs, [y_info], inits),
                              producer_name="softnpu make_conv_cases.py",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    model = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    onnx.checker.check_model(model)
    return model, feeds


def write_case(out_dir, name, spec, rng):
    model, feeds = case_model(name, *spec, rng)
    y = onnx_numpy_ref.run(model, dict(feeds))["y"].astype(np.float32)
    case = os.path.join(out_dir, name)
    data = os.path.join(case, "test_data_set_0")
    os.makedirs(data, exist_ok=True)
    onnx.save(model, os.path.join(case, "model.onnx"))
    for i, n in enumerate(onnx_numpy_ref.graph_inputs(model)):
        with open(os.path.join(data, f"input_{i}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(feeds[n], n).SerializeToString())
    with open(os.path.join(data, "output_0.pb"), "wb") as f:
        f.write(numpy_helper.from_array(y, "y").SerializeToString())


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--run", nargs=argparse.REMAINDER, help="run_node_tests.py arguments")
    args = ap.parse_args()
    rng = np.random.default_rng(SEED)
    for name, spec in CASES.items():
        write_case(args.out, name, spec, rng)
    if args.run is None:
        return 0
    cmd = [sys.executable, os.path.join(HERE, "run_node_tests.py"), "--data-dir", args.out, *args.run, *CASES]
    return subprocess.call(cmd)


if __name__ == "__main__":
    sys.exit(main())
