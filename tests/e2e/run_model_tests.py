#!/usr/bin/python3
"""run_model_tests.py - runs the small models of tests/inputs/onnx through npu-compile + npu-run.

Covers what the single-op ONNX node tests do not: several layers in one graph
(mlp2, unnamed_nodes; shared_hidden, whose hidden layer has two readers, and
residual, whose skip add and activation work in the IVRF; conv_leaky_max, a convolution whose LeakyRelu
and Max with a constant run in its chain; conv_clip_min, a Relu6 and a Clip in convolutions' chains and a
Min with a constant in chains of its own; conv_groups, depthwise and grouped convolutions; conv_epilogues, a
standalone BatchNormalization, a per-channel PRelu, SiLU, HardSwish and HardSigmoid, compiled with
--placement npu so that every node must run on the NPU; conv_transpose, a stride-2 upsampling ConvTranspose with
output_padding and a dilated one, on the NPU as convolutions of the upsampled map; resize_nearest, a nearest
Resize by 2 x 3 between a convolution and a Relu; conv_concat, a channel Concat of two convolutions feeding a
third; conv_residual, two ResNet blocks whose skip adds run in their last convolution's chain; channel_shuffle,
ShuffleNet's Reshape-Transpose-Reshape between two convolutions and a spatial ReduceMean; conv_se, a squeeze-and-excitation block whose per-channel gate scales the map channels
innermost), a matrix that is a graph input (matmul_add), a constant
Reshape shape (reshape_identity), broadcasting Add (add_bcast), and recurrent
networks with constant weights: stacked LSTM + GRU + Gemm classifier
(rnn_stacked), a bidirectional LSTM feeding a reverse RNN with Y_c as a second
output (rnn_bidir), a batch-major GRU over two sequences (rnn_gru_batch), a
time-major bidirectional LSTM over two sequences with initial states and all three
outputs (rnn_lstm_batch_bidir), a batch-first GRU over two sequences whose
Transposes move data (rnn_batch_first), a reverse RNN of input and hidden size 1
whose loop steps back one element (rnn_reverse_h1), and
2-layer LSTM and bidirectional GRU classifiers as torch.onnx.export writes them
(pytorch_lstm, pytorch_gru: shape arithmetic, Squeeze, Transpose, Gather), and a
model with a dynamic batch axis compiled with --input-shape (dynamic_batch), and a flatten
computed in the graph from that axis, folded at compile time (shape_chain). Inputs are
seeded uniform [-1, 1) arrays written as .npy; the expected outputs come from
onnx_numpy_ref.py; npu-run checks them itself with --compare at fp32 precision,
atol 1e-5 rtol 1e-5 (fp32 accumulation order differs from the reference's).

Usage: run_model_tests.py --bin-dir DIR [--target T] [--work-dir D] [NAME ...]
Prints "PASS/FAIL name (fp32): detail" and "N passed, M failed"; exits 1 if any failed.
"""
import argparse
import os
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import onnx  # noqa: E402
import onnx_numpy_ref  # noqa: E402
from npu_tools import DEFAULT_BIN_DIR, Tally, ToolError, Tools, first_line  # noqa: E402

MODELS = ["gemm_bias_relu", "mlp2", "shared_hidden", "residual", "conv_leaky_max", "conv_clip_min", "conv_groups", "conv_epilogues", "conv_transpose", "resize_nearest", "conv_concat", "conv_residual", "channel_shuffle", "conv_se", "matmul_add", "add_bcast", "reshape_identity", "unnamed_nodes",
          "rnn_stacked", "rnn_bidir", "rnn_gru_batch", "rnn_lstm_batch_bidir", "rnn_batch_first", "rnn_reverse_h1",
          "pytorch_lstm", "pytorch_gru", "dynamic_batch", "shape_chain"]
# Shapes given with npu-compile --input-shape (the model leaves them dynamic).
# Compiled with --placement npu: every node must run on the NPU.
NPU_ONLY = {"conv_epilogues", "conv_transpose", "resize_nearest", "conv_concat", "conv_residual", "channel_shuffle", "conv_se"}
INPUT_SHAPES = {"dynamic_batch": {"x": [5, 20]}, "shape_chain": {"x": [3, 4, 5]}}
ATOL = RTOL = 1e-5


def static_shape(value_info):
    dims = value_info.type.tensor_type.shape.dim
    if any(not d.HasField("dim_value") for d in dims):
        raise ValueError(f"input '{value_info.name}' has a dynamic shape")
    return [d.dim_value for d in dims]


def run_model(tools, path, target, work, shapes=None, npu_only=False):
    os.makedirs(work, exist_ok=True)
    shapes = shapes or {}
    model = onnx.load(path)
    names = onnx_numpy_ref.graph_inputs(model)
    infos = {i.name: i for i in model.graph.input}
    rng = np.random.default_rng(7)
    feeds, inputs = {}, []
    for name in names:
        shape = shapes[name] if name in shapes else static_shape(infos[name])
        arr = rng.uniform(-1.0, 1.0, size=shape).astype(np.float32)
        feeds[name] = arr
        inputs.append((name, os.path.join(work, f"in_{name}.npy")))
        np.save(inputs[-1][1], arr)
    expected = []
    for name, value in onnx_numpy_ref.run(model, feeds).items():
        expected.append((name, os.path.join(work, f"ref_{name}.npy")))
        np.save(expected[-1][1], value)
    artifact = os.path.join(work, "model.npu")
    extra = [f"--input-shape={n}={'x'.join(map(str, d))}" for n, d in shapes.items()]
    if npu_only:
        extra.append("--placement=npu")
    proc = tools.compile(path, artifact, target=target, precision="fp32", extra=extra)
    if proc.returncode != 0:
        return False, f"npu-compile exit {proc.returncode}: {first_line(proc)}"
    proc = tools.run(artifact, inputs, compare=expected, atol=ATOL, rtol=RTOL)
    lines = [l.strip() for l in proc.stdout.splitlines()
                     if l.strip().startswith("output ") or "differ" in l]
    if proc.returncode != 0:
        return False, f"npu-run exit {proc.returncode}: " + ("; ".join(lines) or first_line(proc))
    for name, _ in expected:
        if not any(l.startswith(f"output {name}:") for l in lines):
            return False, f"npu-run printed no comparison for output '{name}'"
    return True, "; ".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help=f"models (default: {' '.join(MODELS)})")
    ap.add_argument("--bin-dir", default=DEFAULT_BIN_DIR)
    ap.add_argument("--target")
    ap.add_argument("--work-dir")
    ap.add_argument("--inputs-dir", default=os.path.join(os.path.dirname(HERE), "inputs", "onnx"))
    args = ap.parse_args()
    tools = Tools(args.bin_dir)
    try:
        tools.require("npu-compile", "npu-run")
    except ToolError as e:
        print(f"run_model_tests: error: {e}", file=sys.stderr)
        return 1
    work = os.path.join(args.work_dir or tempfile.mkdtemp(prefix="softnpu-models-"),
                        f"models-{args.target or 'default'}")
    tally = Tally()
    for name in args.names or MODELS:
        try:
            ok, detail = run_model(tools, os.path.join(args.inputs_dir, name + ".onnx"),
                                   args.target, os.path.join(work, name), INPUT_SHAPES.get(name, {}),
                                   name in NPU_ONLY)
        except (ToolError, OSError, ValueError, onnx_numpy_ref.RefError) as e:
            ok, detail = False, f"{type(e).__name__}: {e}"
        tally.report(f"{name} (fp32)", ok, detail)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
