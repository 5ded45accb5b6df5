#!/usr/bin/python3
"""make_onnx_inputs.py - generates the small .onnx files the compiler's lit and e2e tests read.

Writes tests/inputs/onnx/*.onnx (each < 10 KB, weights from a fixed seed, so the
bytes are identical on every run). Regenerate with:
    /usr/bin/python3 tests/inputs/make_onnx_inputs.py [--out-dir DIR]
`--check` writes nothing and exits 1 if a committed file differs from what this
script generates (run by ctest as e2e.onnx_inputs_up_to_date).

  gemm_bias_relu.onnx   x[1,20] -> Gemm(W[30,20], C[30], transB=1) -> Relu -> y[1,30]
  mlp2.onnx             x[1,1,4,4] -> Flatten -> Gemm -> Relu -> Gemm -> Sigmoid -> y[1,3]
  matmul_add.onnx       A[3,20], B[20,5] (both graph inputs) -> MatMul -> Add(C[5]) -> Tanh -> y[3,5]
  add_bcast.onnx        A[3,4,5] + B[5] (both graph inputs) -> y[3,4,5]
  reshape_identity.onnx x[2,6] -> Reshape(Constant [3,4]) -> Identity -> y[3,4]
  unsupported_op.onnx   x[1,4] -> Gemm "fc0" -> Softsign "act0" -> y[1,4]   (Softsign imports; the NPU has no lowering for it)
  malformed.onnx        bytes that do not parse as a ModelProto
  bad_shape.onnx        Gemm x[1,20] by W[30,25] (transB=1): inner dims 20 != 25 (a shape error)
  unnamed_nodes.onnx    x[1,8] -> Gemm -> Relu -> Gemm -> y[1,4], no node has a name
  shared_hidden.onnx    x[2,20] -> Gemm fc1 -> Relu = h; y[2,16] = Gemm fc4(Gemm fc3(h)) + Tanh(Gemm fc2(h)):
                        h has two readers and the second is not the next node (kept on chip
                        by its live range)
  dynamic_batch.onnx    x[batch,20] -> Gemm(W[8,20], b[8]) -> Relu -> y[batch,8]   (batch is a named dynamic dim)
  shape_chain.onnx      x[N,4,5] -> Shape -> Gather(0) -> Unsqueeze -> Concat([20]) -> Reshape(x) -> Relu
                        -> y[N,20]   (a flatten as torch.onnx writes it; folded once N is fixed)
  shape_overflow.onnx   shape_chain with the batch multiplied by 2^62 before the Concat: the product
                        overflows int64 once N > 1, so it is not folded (fuzz_compile's finding)
  repeated_output.onnx  x[1,4] -> Relu -> y, Tanh -> z; graph outputs y, z, y (a name listed twice: an import
                        error, fuzz_compile's finding)
  passthrough.onnx      no nodes: inputs x[2,5,7], w[2,3]; outputs w, x (an NPU program that copies them)
  passthrough_i64.onnx  no nodes, int64 x -> x: an import error (only float32 is handed through)
  shape_empty_operand.onnx  an int64 Add of an empty tensor and [1] feeding a Reshape's shape: not folded
                        (folding it read past the empty side: SIGSEGV, fuzz_compile's finding)
  dynamic_width.onnx    x[1,width] -> Tanh -> y[1,width]   (a dynamic dim that is not the leading one)
  residual.onnx         x[2,20] -> Gemm fc1 -> Relu = h; t = Relu(Gemm fc2(h) + h); y[2,16] = Gemm fc3(t):
                        the add and the activation read and write rows of 24 in the IVRF
  conv_leaky_max.onnx   x[1,3,6,6] -> Conv(4 x 3x3, pads 1, bias) -> LeakyRelu(0.1) -> Max(., c[1,1,1,1])
                        -> y[1,4,6,6]: all three in one chain (openWakeWord's embedding layers)
  conv_clip_min.onnx    x[1,3,6,6] -> Conv(4 x 3x3, pads 1, bias, weights x3) -> Clip(0, 6) (a Relu6: relu and
                        vv_min 6 in the convolution's chain) -> Conv(4 x 1x1, no bias) -> Clip(-0.5, 0.75)
                        (floor and ceiling in its chain) -> Min(., c[1,1,1,1] = 0.5) (its own vv_min
                        chains: the chain has no third add/sub stage) -> y[1,4,6,6]
  conv_groups.onnx      x[1,6,7,7] -> Conv(depthwise: group 6, 6 x 1x3x3, stride 2, pads 1, bias) -> Clip(0, 6)
                        -> Conv(group 2, 4 x 3x2x2, dilation 2, no bias) -> y[1,4,4,4]: MobileNetV2's
                        depthwise layer and a grouped one, both block-diagonal matrices on the NPU
  conv_transpose.onnx   x[1,4,5,5] -> ConvTranspose(W[4,3,3,3], stride 2, pads 1, output_padding 1, bias) -> Relu
                        -> ConvTranspose(W[3,2,2,2], dilation 2, no bias)
                        -> y[1,2,12,12]: upsampled window reads (UP_H / UP_W) and a flipped kernel
  resize_nearest.onnx   x[1,3,4,5] -> Conv(4 x 3x3, pads 1, bias) -> Resize(nearest, scales [1, 1, 2, 3]) -> Relu
                        -> y[1,4,8,15]: an integer upsampling as a pooled read of the map upsampled
  conv_concat.onnx      x[1,3,6,6] -> Conv a (4 x 3x3, pads 1) -> Relu, Conv b (2 x 1x1) -> Concat(a, b, axis 1)
                        -> Conv(3 x 3x3, pads 1) -> y[1,3,6,6]: a channel concatenation between NPU layers,
                        channels innermost throughout
  conv_epilogues.onnx   x[1,3,6,6] -> Conv(8 x 3x3, pads 1, bias) -> Relu -> BatchNormalization (constant
                        parameters: not folded, x * s + t on the MFUs) -> PRelu(slope[8,1,1]) -> Conv(8 x 1x1)
                        -> x * Sigmoid(x) (SiLU, two nodes) -> HardSwish -> HardSigmoid -> y[1,8,6,6]
  conv_residual.onnx    x[1,3,16,16] -> Conv stem (20 x 3x3) -> [Conv, Relu, Conv] + stem -> Relu
                        -> [Conv 24 x 3x3 stride 2] + [Conv 24 x 1x1 stride 2] -> y[1,24,8,8]: ResNet
                        blocks whose skip adds (and the Relu after one) run in the last convolution's chain
  channel_shuffle.onnx  x[1,3,5,5] -> Conv(6 x 3x3, pads 1) -> Reshape [1,2,3,5,5] -> Transpose(0,2,1,3,4)
                        -> Reshape [1,6,5,5] -> Conv(4 x 1x1, group 2) -> ReduceMean(axes 2, 3) -> y[1,4]:
                        ShuffleNet's channel shuffle as data movement between NPU layers, and its head's
                        spatial mean as a global average pooling
  conv_se.onnx          x[1,3,6,6] -> Conv(8 x 3x3) -> HardSwish -> GlobalAveragePool -> Conv 1x1 -> Relu
                        -> Conv 1x1 -> HardSigmoid -> Mul with the HardSwish output -> Conv(4 x 1x1) -> y[1,4,6,6]:
                        a squeeze-and-excitation block, its per-channel scale applied channels innermost
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
SEED = 1234
MALFORMED_BYTES = b"\xff\xff\xff\xffthis is not an ONNX ModelProto\n"


def _rng(name):
    # One generator per file, seeded from its name, so adding a file changes no other.
    return np.random.default_rng([SEED] + [ord(c) for c in name])


def _weights(rng, name, *shape):
    return numpy_helper.from_array(rng.uniform(-1.0, 1.0, size=shape).astype(np.float32), name)


def _io(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape))


def _model(graph, check=True, opset=OPSET):
    m = helper.make_model(graph, producer_name="softnpu make_onnx_inputs.py",
                          opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 7 if opset <= 13 else 8  # readable by every onnx release that knows the opset
    if check:
        onnx.checker.check_model(m)
        onnx.shape_inference.infer_shapes(m, check_type=True, strict_mode=True)
    return m


def gemm_bias_relu():
    r = _rng("gemm_bias_relu")
    nodes = [helper.make_node("Gemm", ["x", "W", "C"], ["h"], name="fc", transB=1),
             helper.make_node("Relu", ["h"], ["y"], name="relu")]
    g = helper.make_graph(nodes, "gemm_bias_relu", [_io("x", [1, 20])], [_io("y", [1, 30])],
                          [_weights(r, "W", 30, 20), _weights(r, "C", 30)])
    return _model(g)


def mlp2():
    r = _rng("mlp2")
    nodes = [helper.make_node("Flatten", ["x"], ["f"], name="flatten", axis=1),
             helper.make_node("Gemm", ["f", "W1", "b1"], ["h1"], name="fc1", transB=1),
             helper.make_node("Relu", ["h1"], ["a1"], name="relu1"),
             helper.make_node("Gemm", ["a1", "W2", "b2"], ["h2"], name="fc2", transB=1),
             helper.make_node("Sigmoid", ["h2"], ["y"], name="sigmoid")]
    g = helper.make_graph(nodes, "mlp2", [_io("x", [1, 1, 4, 4])], [_io("y", [1, 3])],
                          [_weights(r, "W1", 8, 16), _weights(r, "b1", 8),
                           _weights(r, "W2", 3, 8), _weights(r, "b2", 3)])
    return _model(g)


def matmul_add():
    r = _rng("matmul_add")
    nodes = [helper.make_node("MatMul", ["A", "B"], ["p"], name="matmul"),
             helper.make_node("Add", ["p", "C"], ["s"], name="add"),
             helper.make_node("Tanh", ["s"], ["y"], name="tanh")]
    g = helper.make_graph(nodes, "matmul_add", [_io("A", [3, 20]), _io("B", [20, 5])],
                          [_io("y", [3, 5])], [_weights(r, "C", 5)])
    return _model(g)


def add_bcast():
    nodes = [helper.make_node("Add", ["A", "B"], ["y"], name="add")]
    g = helper.make_graph(nodes, "add_bcast", [_io("A", [3, 4, 5]), _io("B", [5])],
                          [_io("y", [3, 4, 5])])
    return _model(g)


def reshape_identity():
    shape = numpy_helper.from_array(np.array([3, 4], dtype=np.int64), "shape_value")
    nodes = [helper.make_node("Constant", [], ["shape"], name="shape_const", value=shape),
             helper.make_node("Reshape", ["x", "shape"], ["r"], name="reshape"),
             helper.make_node("Identity", ["r"], ["y"], name="identity")]
    g = helper.make_graph(nodes, "reshape_identity", [_io("x", [2, 6])], [_io("y", [3, 4])])
    return _model(g)


def unsupported_op():
    r = _rng("unsupported_op")
    nodes = [helper.make_node("Gemm", ["x", "W"], ["h"], name="fc0", transB=1),
             helper.make_node("Softsign", ["h"], ["y"], name="act0")]
    g = helper.make_graph(nodes, "unsupported_op", [_io("x", [1, 4])], [_io("y", [1, 4])],
                          [_weights(r, "W", 4, 4)])
    return _model(g)


def bad_shape():
    # Note: ONNX 1.12's Gemm shape inference computes [M, N] without comparing the
    # inner dimensions, so onnx.shape_inference accepts this file; the compiler's
    # importer must check K itself and report node "fc_bad".
    r = _rng("bad_shape")
    nodes = [helper.make_node("Gemm", ["x", "W", "C"], ["y"], name="fc_bad", transB=1)]
    g = helper.make_graph(nodes, "bad_shape", [_io("x", [1, 20])], [_io("y", [1, 30])],
                          [_weights(r, "W", 30, 25), _weights(r, "C", 30)])
    m = _model(g, check=False)
    onnx.checker.check_model(m)  # structurally valid, only the shapes disagree
    return m


def repeated_output():
    nodes = [helper.make_node("Relu", ["x"], ["y"], name="relu"),
             helper.make_node("Tanh", ["x"], ["z"], name="tanh")]
    g = helper.make_graph(nodes, "repeated_output", [_io("x", [1, 4])],
                          [_io("y", [1, 4]), _io("z", [1, 4]), _io("y", [1, 4])])
    return _model(g)


def passthrough():
    g = helper.make_graph([], "passthrough", [_io("x", [2, 5, 7]), _io("w", [2, 3])],
                          [_io("w", [2, 3]), _io("x", [2, 5, 7])])
    return _model(g)


def passthrough_i64():
    g = helper.make_graph([], "passthrough_i64", [helper.make_tensor_value_info("x", TensorProto.INT64, [1, 4])],
                          [helper.make_tensor_value_info("x", TensorProto.INT64, [1, 4])])
    return _model(g)


def unnamed_nodes():
    r = _rng("unnamed_nodes")
    nodes = [helper.make_node("Gemm", ["x", "W1", "b1"], ["h"], transB=1),
             helper.make_node("Relu", ["h"], ["a"]),
             helper.make_node("Gemm", ["a", "W2", "b2"], ["y"], transB=1)]
    g = helper.make_graph(nodes, "unnamed_nodes", [_io("x", [1, 8])], [_io("y", [1, 4])],
                          [_weights(r, "W1", 6, 8), _weights(r, "b1", 6),
                           _weights(r, "W2", 4, 6), _weights(r, "b2", 4)])
    return _model(g)


def shared_hidden():
    r = _rng("shared_hidden")
    nodes = [helper.make_node("Gemm", ["x", "W1", "b1"], ["h1"], name="fc1", transB=1),
             helper.make_node("Relu", ["h1"], ["h"], name="relu1"),
             helper.make_node("Gemm", ["h", "W2"], ["h2"], name="fc2", transB=1),
             helper.make_node("Tanh", ["h2"], ["a"], name="tanh2"),
             helper.make_node("Gemm", ["h", "W3", "b3"], ["h3"], name="fc3", transB=1),
             helper.make_node("Gemm", ["h3", "W4"], ["h4"], name="fc4", transB=1),
             helper.make_node("Add", ["h4", "a"], ["y"], name="sum")]
    g = helper.make_graph(nodes, "shared_hidden", [_io("x", [2, 20])], [_io("y", [2, 16])],
                          [_weights(r, "W1", 24, 20), _weights(r, "b1", 24), _weights(r, "W2", 16, 24),
                           _weights(r, "W3", 16, 24), _weights(r, "b3", 16), _weights(r, "W4", 16, 16)])
    return _model(g)


def residual():
    r = _rng("residual")
    nodes = [helper.make_node("Gemm", ["x", "W1", "b1"], ["h1"], name="fc1", transB=1),
             helper.make_node("Relu", ["h1"], ["h"], name="relu1"),
             helper.make_node("Gemm", ["h", "W2", "b2"], ["r"], name="fc2", transB=1),
             helper.make_node("Add", ["r", "h"], ["s"], name="skip"),
             helper.make_node("Relu", ["s"], ["t"], name="relu2"),
             helper.make_node("Gemm", ["t", "W3", "b3"], ["y"], name="fc3", transB=1)]
    g = helper.make_graph(nodes, "residual", [_io("x", [2, 20])], [_io("y", [2, 16])],
                          [_weights(r, "W1", 24, 20), _weights(r, "b1", 24), _weights(r, "W2", 24, 24),
                           _weights(r, "b2", 24), _weights(r, "W3", 16, 24), _weights(r, "b3", 16)])
    return _model(g)


def conv_leaky_max():
    r = _rng("conv_leaky_max")
    nodes = [helper.make_node("Conv", ["x", "W", "b"], ["c"], name="conv", pads=[1, 1, 1, 1]),
             helper.make_node("LeakyRelu", ["c"], ["l"], name="leaky", alpha=0.1),
             helper.make_node("Max", ["l", "floor"], ["y"], name="floor")]
    g = helper.make_graph(nodes, "conv_leaky_max", [_io("x", [1, 3, 6, 6])], [_io("y", [1, 4, 6, 6])],
                          [_weights(r, "W", 4, 3, 3, 3), _weights(r, "b", 4),
                           numpy_helper.from_array(np.full([1, 1, 1, 1], -0.05, dtype=np.float32), "floor")])
    return _model(g)


def conv_clip_min():
    r = _rng("conv_clip_min")
    scalar = lambda v, name: numpy_helper.from_array(np.array(v, dtype=np.float32), name)
    w1 = numpy_helper.from_array(3.0 * numpy_helper.to_array(_weights(r, "W1", 4, 3, 3, 3)), "W1")
    nodes = [helper.make_node("Conv", ["x", "W1", "b1"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
             helper.make_node("Clip", ["c1", "zero", "six"], ["r6"], name="relu6"),
             helper.make_node("Conv", ["r6", "W2"], ["c2"], name="conv2"),
             helper.make_node("Clip", ["c2", "lo", "hi"], ["k"], name="clip"),
             helper.make_node("Min", ["k", "cap"], ["y"], name="cap")]
    g = helper.make_graph(nodes, "conv_clip_min", [_io("x", [1, 3, 6, 6])], [_io("y", [1, 4, 6, 6])],
                          [w1, _weights(r, "b1", 4), _weights(r, "W2", 4, 4, 1, 1),
                           scalar(0.0, "zero"), scalar(6.0, "six"), scalar(-0.5, "lo"), scalar(0.75, "hi"),
                           numpy_helper.from_array(np.full([1, 1, 1, 1], 0.5, dtype=np.float32), "cap")])
    return _model(g)


def conv_groups():
    r = _rng("conv_groups")
    scalar = lambda v, name: numpy_helper.from_array(np.array(v, dtype=np.float32), name)
    nodes = [helper.make_node("Conv", ["x", "Wd", "bd"], ["d"], name="depthwise", group=6, strides=[2, 2],
                              pads=[1, 1, 1, 1]),
             helper.make_node("Clip", ["d", "zero", "six"], ["r6"], name="relu6"),
             helper.make_node("Conv", ["r6", "Wg"], ["y"], name="grouped", group=2, dilations=[2, 2],
                              pads=[1, 1, 1, 1])]
    g = helper.make_graph(nodes, "conv_groups", [_io("x", [1, 6, 7, 7])], [_io("y", [1, 4, 4, 4])],
                          [_weights(r, "Wd", 6, 1, 3, 3), _weights(r, "bd", 6), _weights(r, "Wg", 4, 3, 2, 2),
                           scalar(0.0, "zero"), scalar(6.0, "six")])
    return _model(g)


def conv_transpose():
    r = _rng("conv_transpose")
    nodes = [helper.make_node("ConvTranspose", ["x", "W1", "b1"], ["t1"], name="up", strides=[2, 2],
                              pads=[1, 1, 1, 1], output_padding=[1, 1]),
             helper.make_node("Relu", ["t1"], ["r1"], name="relu"),
             helper.make_node("ConvTranspose", ["r1", "W2"], ["y"], name="dilated", dilations=[2, 2])]
    g = helper.make_graph(nodes, "conv_transpose", [_io("x", [1, 4, 5, 5])], [_io("y", [1, 2, 12, 12])],
                          [_weights(r, "W1", 4, 3, 3, 3), _weights(r, "b1", 3), _weights(r, "W2", 3, 2, 2, 2)])
    return _model(g)


def resize_nearest():
    r = _rng("resize_nearest")
    nodes = [helper.make_node("Conv", ["x", "W", "b"], ["c"], name="conv", pads=[1, 1, 1, 1]),
             helper.make_node("Resize", ["c", "", "scales"], ["u"], name="upsample", mode="nearest"),
             helper.make_node("Relu", ["u"], ["y"], name="relu")]
    g = helper.make_graph(nodes, "resize_nearest", [_io("x", [1, 3, 4, 5])], [_io("y", [1, 4, 8, 15])],
                          [_weights(r, "W", 4, 3, 3, 3), _weights(r, "b", 4),
                           numpy_helper.from_array(np.array([1, 1, 2, 3], dtype=np.float32), "scales")])
    return _model(g)


def conv_concat():
    r = _rng("conv_concat")
    nodes = [helper.make_node("Conv", ["x", "Wa", "ba"], ["a0"], name="conv_a", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["a0"], ["a"], name="relu_a"),
             helper.make_node("Conv", ["x", "Wb"], ["b"], name="conv_b"),
             helper.make_node("Concat", ["a", "b"], ["ab"], name="concat", axis=1),
             helper.make_node("Conv", ["ab", "Wc", "bc"], ["y"], name="conv_c", pads=[1, 1, 1, 1])]
    g = helper.make_graph(nodes, "conv_concat", [_io("x", [1, 3, 6, 6])], [_io("y", [1, 3, 6, 6])],
                          [_weights(r, "Wa", 4, 3, 3, 3), _weights(r, "ba", 4), _weights(r, "Wb", 2, 3, 1, 1),
                           _weights(r, "Wc", 3, 6, 3, 3), _weights(r, "bc", 3)])
    return _model(g)


def conv_residual():
    # Two ResNet blocks: an identity skip (conv, relu, conv, add, relu) and a
    # projection skip (stride-2 conv beside a stride-2 1x1 conv). 16 x 16
    # pixels and 20 channels: on tiny (N = 16, ASVRF 256) the residual rows
    # of two tile rows per pixel are staged in several parts.
    r = _rng("conv_residual")
    # Weights of variance 1 / fan-in keep the activations near 1, so fp32's
    # summation order stays within the suite's 1e-5 tolerance.
    def _w(name, *shape):
        fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 1
        return numpy_helper.from_array((r.uniform(-1.0, 1.0, size=shape) * np.sqrt(3.0 / fan_in)).astype(np.float32),
                                       name)
    nodes = [helper.make_node("Conv", ["x", "W0", "b0"], ["s"], name="stem", pads=[1, 1, 1, 1]),
             helper.make_node("Conv", ["s", "W1", "b1"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
             helper.make_node("Conv", ["r1", "W2", "b2"], ["c2"], name="conv2", pads=[1, 1, 1, 1]),
             helper.make_node("Add", ["c2", "s"], ["a2"], name="add1"),
             helper.make_node("Relu", ["a2"], ["r2"], name="relu2"),
             helper.make_node("Conv", ["r2", "W3", "b3"], ["c3"], name="conv3", pads=[1, 1, 1, 1], strides=[2, 2]),
             helper.make_node("Conv", ["r2", "Wd", "bd"], ["d"], name="down", strides=[2, 2]),
             helper.make_node("Add", ["d", "c3"], ["y"], name="add2")]
    g = helper.make_graph(nodes, "conv_residual", [_io("x", [1, 3, 16, 16])], [_io("y", [1, 24, 8, 8])],
                          [_w("W0", 20, 3, 3, 3), _w("b0", 20), _w("W1", 20, 20, 3, 3), _w("b1", 20),
                           _w("W2", 20, 20, 3, 3), _w("b2", 20), _w("W3", 24, 20, 3, 3), _w("b3", 24),
                           _w("Wd", 24, 20, 1, 1), _w("bd", 24)])
    return _model(g)


def channel_shuffle():
    # ShuffleNet's channel shuffle: a Reshape to [N, groups, C / groups, H, W],
    # a Transpose of the two channel axes and a Reshape back, between two
    # convolutions: data movement on the NPU, channels innermost.
    r = _rng("channel_shuffle")
    shape5 = numpy_helper.from_array(np.array([1, 2, 3, 5, 5], dtype=np.int64), "shape5")
    shape4 = numpy_helper.from_array(np.array([1, 6, 5, 5], dtype=np.int64), "shape4")
    nodes = [helper.make_node("Conv", ["x", "W1", "b1"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
             helper.make_node("Reshape", ["c1", "shape5"], ["g"], name="split_groups"),
             helper.make_node("Transpose", ["g"], ["t"], name="shuffle", perm=[0, 2, 1, 3, 4]),
             helper.make_node("Reshape", ["t", "shape4"], ["s"], name="merge_groups"),
             helper.make_node("Conv", ["s", "W2"], ["c2"], name="conv2", group=2),
             helper.make_node("ReduceMean", ["c2"], ["y"], name="mean", axes=[2, 3], keepdims=0)]
    g = helper.make_graph(nodes, "channel_shuffle", [_io("x", [1, 3, 5, 5])], [_io("y", [1, 4])],
                          [_weights(r, "W1", 6, 3, 3, 3), _weights(r, "b1", 6), shape5, shape4,
                           _weights(r, "W2", 4, 3, 1, 1)])
    return _model(g)


def conv_se():
    # A squeeze-and-excitation block (MobileNetV3): the feature map scaled per
    # channel by a gate computed from its own global average.
    r = _rng("conv_se")
    nodes = [helper.make_node("Conv", ["x", "W1", "b1"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
             helper.make_node("HardSwish", ["c1"], ["h1"], name="hardswish"),
             helper.make_node("GlobalAveragePool", ["h1"], ["p"], name="squeeze"),
             helper.make_node("Conv", ["p", "Wf1", "bf1"], ["f1"], name="fc1"),
             helper.make_node("Relu", ["f1"], ["r1"], name="relu"),
             helper.make_node("Conv", ["r1", "Wf2", "bf2"], ["f2"], name="fc2"),
             helper.make_node("HardSigmoid", ["f2"], ["gate"], name="gate", alpha=1.0 / 6.0, beta=0.5),
             helper.make_node("Mul", ["h1", "gate"], ["e"], name="excite"),
             helper.make_node("Conv", ["e", "W2"], ["y"], name="conv2")]
    g = helper.make_graph(nodes, "conv_se", [_io("x", [1, 3, 6, 6])], [_io("y", [1, 4, 6, 6])],
                          [_weights(r, "W1", 8, 3, 3, 3), _weights(r, "b1", 8), _weights(r, "Wf1", 2, 8, 1, 1),
                           _weights(r, "bf1", 2), _weights(r, "Wf2", 8, 2, 1, 1), _weights(r, "bf2", 8),
                           _weights(r, "W2", 4, 8, 1, 1)])
    return _model(g, opset=14)  # HardSwish is opset 14


def conv_epilogues():
    r = _rng("conv_epilogues")
    per_channel = lambda name, lo, hi: numpy_helper.from_array(r.uniform(lo, hi, size=[8]).astype(np.float32), name)
    nodes = [helper.make_node("Conv", ["x", "W1", "b1"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
             helper.make_node("BatchNormalization", ["r1", "scale", "beta", "mean", "var"], ["n1"], name="bn",
                              epsilon=1e-3),
             helper.make_node("PRelu", ["n1", "slope"], ["p1"], name="prelu"),
             helper.make_node("Conv", ["p1", "W2"], ["c2"], name="conv2"),
             helper.make_node("Sigmoid", ["c2"], ["s2"], name="sigmoid"),
             helper.make_node("Mul", ["c2", "s2"], ["silu"], name="silu"),
             helper.make_node("HardSwish", ["silu"], ["hs"], name="hardswish"),
             helper.make_node("HardSigmoid", ["hs"], ["y"], name="hardsigmoid", alpha=0.3, beta=0.4)]
    g = helper.make_graph(nodes, "conv_epilogues", [_io("x", [1, 3, 6, 6])], [_io("y", [1, 8, 6, 6])],
                          [_weights(r, "W1", 8, 3, 3, 3), _weights(r, "b1", 8), per_channel("scale", 0.5, 2.0),
                           per_channel("beta", -1.0, 1.0), per_channel("mean", 0.0, 1.0),
                           per_channel("var", 0.2, 3.0),
                           numpy_helper.from_array(r.uniform(0.0, 0.5, size=[8, 1, 1]).astype(np.float32), "slope"),
                           _weights(r, "W2", 8, 8, 1, 1)])
    return _model(g, opset=14)  # HardSwish is opset 14


def dynamic_batch():
    r = _rng("dynamic_batch")
    nodes = [helper.make_node("Gemm", ["x", "W", "b"], ["h"], name="fc", transB=1),
             helper.make_node("Relu", ["h"], ["y"], name="relu")]
    g = helper.make_graph(nodes, "dynamic_batch", [_io("x", ["batch", 20])], [_io("y", ["batch", 8])],
                          [_weights(r, "W", 8, 20), _weights(r, "b", 8)])
    return _model(g)


def shape_chain():
    nodes = [helper.make_node("Shape", ["x"], ["s"], name="shape"),
             helper.make_node("Gather", ["s", "i0"], ["n"], name="batch", axis=0),
             helper.make_node("Unsqueeze", ["n", "axes"], ["n1"], name="unsqueeze"),
             helper.make_node("Concat", ["n1", "c20"], ["shape"], name="concat", axis=0),
             helper.make_node("Reshape", ["x", "shape"], ["r"], name="flatten"),
             helper.make_node("Relu", ["r"], ["y"], name="relu")]
    g = helper.make_graph(nodes, "shape_chain", [_io("x", ["N", 4, 5])], [_io("y", ["N", 20])],
                          [numpy_helper.from_array(np.array(0, dtype=np.int64), "i0"),
                           numpy_helper.from_array(np.array([0], dtype=np.int64), "axes"),
                           numpy_helper.from_array(np.array([20], dtype=np.int64), "c20")])
    return _model(g)


def shape_overflow():
    nodes = [helper.make_node("Shape", ["x"], ["s"], name="shape"),
             helper.make_node("Gather", ["s", "i0"], ["n"], name="batch", axis=0),
             helper.make_node("Mul", ["n", "huge"], ["m"], name="times_huge"),
             helper.make_node("Unsqueeze", ["m", "axes"], ["m1"], name="unsqueeze"),
             helper.make_node("Concat", ["m1", "c20"], ["shape"], name="concat", axis=0),
             helper.make_node("Reshape", ["x", "shape"], ["y"], name="reshape")]
    g = helper.make_graph(nodes, "shape_overflow", [_io("x", ["N", 4, 5])], [_io("y", ["N", 20])],
                          [numpy_helper.from_array(np.array(0, dtype=np.int64), "i0"),
                           numpy_helper.from_array(np.array(1 << 62, dtype=np.int64), "huge"),
                           numpy_helper.from_array(np.array([0], dtype=np.int64), "axes"),
                           numpy_helper.from_array(np.array([20], dtype=np.int64), "c20")])
    return _model(g)


def shape_empty_operand():
    nodes = [helper.make_node("Add", ["empty", "one"], ["sum"], name="add_empty"),
             helper.make_node("Concat", ["sum", "c20"], ["shape"], name="concat", axis=0),
             helper.make_node("Reshape", ["x", "shape"], ["y"], name="reshape")]
    g = helper.make_graph(nodes, "shape_empty_operand", [_io("x", [1, 4, 5])], [_io("y", [20])],
                          [numpy_helper.from_array(np.zeros([0], dtype=np.int64), "empty"),
                           numpy_helper.from_array(np.array([1], dtype=np.int64), "one"),
                           numpy_helper.from_array(np.array([20], dtype=np.int64), "c20")])
    return _model(g)


def dynamic_width():
    nodes = [helper.make_node("Tanh", ["x"], ["y"], name="tanh")]
    g = helper.make_graph(nodes, "dynamic_width", [_io("x", [1, "width"])], [_io("y", [1, "width"])])
    return _model(g)


def _parses(data):
    try:
        onnx.ModelProto().ParseFromString(data)
        return True
    except Exception:  # google.protobuf.message.DecodeError
        return False


MODELS = {
    "gemm_bias_relu": gemm_bias_relu,
    "mlp2": mlp2,
    "shared_hidden": shared_hidden,
    "residual": residual,
    "conv_leaky_max": conv_leaky_max,
    "conv_clip_min": conv_clip_min,
    "conv_groups": conv_groups,
    "conv_epilogues": conv_epilogues,
    "conv_transpose": conv_transpose,
    "conv_concat": conv_concat,
    "conv_residual": conv_residual,
    "channel_shuffle": channel_shuffle,
    "conv_se": conv_se,
    "resize_nearest": resize_nearest,
    "dynamic_batch": dynamic_batch,
    "dynamic_width": dynamic_width,
    "shape_chain": shape_chain,
    "shape_overflow": shape_overflow,
    "shape_empty_operand": shape_empty_operand,
    "matmul_add": matmul_add,
    "add_bcast": add_bcast,
    "reshape_identity": reshape_identity,
    "unsupported_op": unsupported_op,
    "bad_shape": bad_shape,
    "unnamed_nodes": unnamed_nodes,
    "repeated_output": repeated_output,
    "passthrough": passthrough,
    "passthrough_i64": passthrough_i64,
}


def generate():
    """{file name: bytes} of every input file."""
    files = {name + ".onnx": build().SerializeToString() for name, build in MODELS.items()}
    if _parses(MALFORMED_BYTES):
        raise RuntimeError("malformed.onnx bytes unexpectedly parse as a ModelProto")
    files["malformed.onnx"] = MALFORMED_BYTES
    return files


def write_or_check(files, out_dir, check, script):
    """Writes {file name: bytes} into out_dir, or with `check` compares them with
    what is there. Returns the exit code. Shared by the generators in this folder."""
    if check:
        stale = []
        for name, data in files.items():
            path = os.path.join(out_dir, name)
            ok = os.path.exists(path) and open(path, "rb").read() == data
            print(f"{'ok   ' if ok else 'STALE'} {path}")
            if not ok:
                stale.append(name)
        if stale:
            print(f"{len(stale)} file(s) differ; rerun {os.path.basename(script)}")
            return 1
        return 0
    os.makedirs(out_dir, exist_ok=True)
    for name, data in files.items():
        path = os.path.join(out_dir, name)
        with open(path, "wb") as f:
            f.write(data)
        print(f"wrote {path} ({len(data)} bytes)")
    return 0


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", default=os.path.join(here, "onnx"))
    ap.add_argument("--check", action="store_true",
                    help="compare with the files in --out-dir instead of writing")
    args = ap.parse_args()
    return write_or_check(generate(), args.out_dir, args.check, __file__)


if __name__ == "__main__":
    sys.exit(main())
