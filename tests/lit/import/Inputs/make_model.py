#!/usr/bin/python3
"""make_model.py - writes one small ONNX model that the importer must reject.

Used by the import/ lit tests (lit does not run files under Inputs/):
    make_model.py KIND OUT.onnx
KIND:
  dynamic_dim   x[N,4] (N symbolic) -> Relu -> y[N,4]
  uint8_input   x[1,4] uint8 -> Identity -> y[1,4] uint8
  custom_domain x[1,4] -> com.example.Foo "foo0" -> y[1,4]
  int64_input   x[1,4] int64 -> Identity "id0" -> y[1,4] int64 (imports; the NPU rejects it)
"""
import sys

import onnx
from onnx import TensorProto, helper


def io(name, shape, elem=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem, shape)


def model(nodes, inputs, outputs, opsets=None):
    g = helper.make_graph(nodes, "lit_model", inputs, outputs)
    m = helper.make_model(g, opset_imports=opsets or [helper.make_opsetid("", 13)])
    m.ir_version = 7
    return m


def build(kind):
    if kind == "dynamic_dim":
        return model([helper.make_node("Relu", ["x"], ["y"], name="relu0")],
                     [io("x", ["N", 4])], [io("y", ["N", 4])])
    if kind == "uint8_input":
        return model([helper.make_node("Identity", ["x"], ["y"], name="id0")],
                     [io("x", [1, 4], TensorProto.UINT8)], [io("y", [1, 4], TensorProto.UINT8)])
    if kind == "int64_input":
        return model([helper.make_node("Identity", ["x"], ["y"], name="id0")],
                     [io("x", [1, 4], TensorProto.INT64)], [io("y", [1, 4], TensorProto.INT64)])
    if kind == "custom_domain":
        return model([helper.make_node("Foo", ["x"], ["y"], name="foo0", domain="com.example")],
                     [io("x", [1, 4])], [io("y", [1, 4])],
                     [helper.make_opsetid("", 13), helper.make_opsetid("com.example", 1)])
    raise SystemExit("unknown kind " + kind)


if __name__ == "__main__":
    onnx.save(build(sys.argv[1]), sys.argv[2])
