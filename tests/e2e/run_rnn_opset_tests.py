#!/usr/bin/python3
"""run_rnn_opset_tests.py - LSTM, GRU and RNN nodes at every opset form softnpu imports.

The recurrent operators kept their inputs and outputs from opset 7 to 17; opset
14 added `layout`. This test writes one small model per (opset, cell) on the
fly, each with a different mix of what the importer and lowering must get
right (direction, layout, bias, initial state, linear_before_reset, optional
inputs omitted in the middle, Y omitted), compiles it with --precision fp32 and
checks every output against the numpy reference with run_model_tests.py's
method (atol = rtol = 1e-5).

Usage: run_rnn_opset_tests.py --bin-dir DIR [--target T] [--work-dir D]
Prints "PASS/FAIL name: detail" and "N passed, M failed"; exits 1 if any failed.
"""
import argparse
import os
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import onnx_numpy_ref  # noqa: E402
from npu_tools import DEFAULT_BIN_DIR, Tally, ToolError, Tools  # noqa: E402
from run_model_tests import run_model  # noqa: E402

GATES = {"LSTM": 4, "GRU": 3, "RNN": 1}
# opset -> (direction, layout, with initial_h, keep Y); layout exists from 14 on.
FORMS = {7: ("forward", 0, False, True), 9: ("bidirectional", 0, True, False),
         13: ("reverse", 0, True, True), 14: ("forward", 1, False, True), 17: ("bidirectional", 1, True, True)}
T, B, I, H = 4, 2, 3, 5


def make_model(opset, cell):
    direction, layout, initial, keep_y = FORMS[opset]
    d, g = (2 if direction == "bidirectional" else 1), GATES[cell]
    rng = np.random.default_rng([opset, g])
    def tensor(name, *shape):
        return numpy_helper.from_array(rng.uniform(-1, 1, shape).astype(np.float32), name)
    inits = [tensor("W", d, g * H, I), tensor("R", d, g * H, H), tensor("B", d, 2 * g * H)]
    state = [d, B, H] if layout == 0 else [B, d, H]
    inputs = ["x", "W", "R", "B"]
    if initial:  # sequence_lens omitted before it
        inits.append(tensor("h0", *state))
        inputs += ["", "h0"]
    attrs = {"hidden_size": H, "direction": direction}
    if layout:
        attrs["layout"] = layout
    if cell == "GRU":
        attrs["linear_before_reset"] = opset % 2
    y_shape = [T, d, B, H] if layout == 0 else [B, T, d, H]
    outputs = [helper.make_tensor_value_info("y_h", TensorProto.FLOAT, state)]
    if keep_y:
        outputs.insert(0, helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape))
    node = helper.make_node(cell, inputs, ["y" if keep_y else "", "y_h"], name=f"{cell.lower()}{opset}", **attrs)
    x_shape = [T, B, I] if layout == 0 else [B, T, I]
    graph = helper.make_graph([node], f"{cell}_opset{opset}",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)], outputs, inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    return model


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin-dir", default=DEFAULT_BIN_DIR)
    ap.add_argument("--target", default="tiny")
    ap.add_argument("--work-dir")
    args = ap.parse_args()
    tools = Tools(args.bin_dir)
    try:
        tools.require("npu-compile", "npu-run")
    except ToolError as e:
        print(f"run_rnn_opset_tests: error: {e}", file=sys.stderr)
        return 1
    work = os.path.join(args.work_dir or tempfile.mkdtemp(prefix="softnpu-rnn-opsets-"), "rnn-opsets")
    tally = Tally()
    for opset in FORMS:
        for cell in GATES:
            name = f"{cell}_opset{opset}"
            path = os.path.join(work, name, "model.onnx")
            try:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                onnx.save(make_model(opset, cell), path)
                ok, detail = run_model(tools, path, args.target, os.path.dirname(path))
            except (ToolError, OSError, ValueError, onnx.checker.ValidationError, onnx_numpy_ref.RefError) as e:
                ok, detail = False, f"{type(e).__name__}: {e}"
            tally.report(name, ok, detail)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
