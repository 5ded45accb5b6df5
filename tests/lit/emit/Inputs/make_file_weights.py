"""Writes a model whose weights are large enough (64 KiB and up) for the
importer to view them in the mapped ONNX file: Gemm with transB = 0 (the
weights transposed), Gemm with transB = 1, and MatMul (transposed), each
with seeded random fp32 weights. Usage: make_file_weights.py OUT.onnx"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(20261207)


def weights(name, *shape):
    return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32), name)


inits = [
    weights("w0", 200, 160), weights("b0", 160),  # Gemm, transB = 0: [in, out]
    weights("w1", 112, 160), weights("b1", 112),  # Gemm, transB = 1: [out, in]
    weights("w2", 112, 150),                      # MatMul: [in, out]
]
nodes = [
    helper.make_node("Gemm", ["x", "w0", "b0"], ["z0"], name="gemm_t"),
    helper.make_node("Tanh", ["z0"], ["h0"], name="tanh0"),
    helper.make_node("Gemm", ["h0", "w1", "b1"], ["z1"], name="gemm_n", transB=1),
    helper.make_node("Relu", ["z1"], ["h1"], name="relu1"),
    helper.make_node("MatMul", ["h1", "w2"], ["y"], name="matmul"),
]
graph = helper.make_graph(nodes, "file_weights", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 200])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 150])], inits)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="softnpu lit")
onnx.checker.check_model(model)
onnx.save(model, sys.argv[1])
