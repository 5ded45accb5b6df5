#!/usr/bin/python3
"""make_model.py - writes one small ONNX model for the import/ lit tests (most of them are rejected).

Used by the import/ lit tests (lit does not run files under Inputs/):
    make_model.py KIND OUT.onnx
KIND:
  dynamic_dim   x[N,4] (N symbolic) -> Relu -> y[N,4]
  uint8_input   x[1,4] uint8 -> Identity -> y[1,4] uint8 (imports; the NPU rejects it)
  dtypes        every element type as an input and an initializer through Identity, and
                Constant's value_float / value_int / value_floats / value_ints
  custom_domain x[1,4] -> com.example.Foo "foo0" -> y[1,4]
  bad_broadcast a[2,3] + b[4,5] "add0": shapes that do not broadcast, so shape inference fails
  int64_input   x[1,4] int64 -> Identity "id0" -> y[1,4] int64 (imports; the NPU rejects it)
  sequences     x, y [2,3] through SequenceConstruct / SequenceInsert / SplitToSequence /
                SequenceAt / SequenceLength and Optional / OptionalGetElement (opset 16)
  subgraphs     a Loop (trip count given, condition omitted) and a Scan whose bodies read
                the outer value w, and an If (opset 16)
  seq_output    x -> SequenceConstruct -> a sequence as the graph output (rejected)
  conv_stride0, conv_dilation0, conv_group, conv_kernel_big, conv_pad_big, pool_kernel_big
                one Conv "conv0" (or MaxPool "pool0") with invalid window attributes (rejected)
  undefined_output  x -> Squeeze(axes attribute) -> r at opset 11 (so the opset upgrade converts it),
                graph output y that nothing produces (rejected; ONNX's version converter
                dereferenced it: SIGSEGV, fuzz_compile's finding)
  expand_computed   Expand to a shape Concat computes from [2^40] and [16]: known only once inferred
                (rejected; its fold used to overflow, fuzz_compile's finding)
  conv_stride0_opset9  conv_stride0 at opset 9 (the opset upgrade runs shape inference first)
  conv_weight_rank     x[1,8,4,4] -> GlobalAveragePool -> Conv "conv0" with weights [2,8,1]: ranks 4 and 3
                (ONNX 1.12's inference read out of bounds: SIGSEGV, fuzz_compile's finding)
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
    if kind == "dtypes":
        # Every element type the importer takes, as graph inputs (through
        # Identity) and as initializers (through Identity to outputs).
        types = [("f16", TensorProto.FLOAT16), ("bf16", TensorProto.BFLOAT16), ("f64", TensorProto.DOUBLE),
                 ("i8", TensorProto.INT8), ("i16", TensorProto.INT16), ("i32", TensorProto.INT32),
                 ("u8", TensorProto.UINT8), ("u16", TensorProto.UINT16), ("u32", TensorProto.UINT32),
                 ("u64", TensorProto.UINT64), ("b", TensorProto.BOOL)]
        values = {"f16": [1.5, -2.0], "bf16": [1.5, -2.0], "f64": [0.25, -8.0], "i8": [-3, 7],
                  "i16": [-300, 7], "i32": [-70000, 7], "u8": [200, 7], "u16": [60000, 7],
                  "u32": [4000000000, 7], "u64": [2 ** 40, 7], "b": [True, False]}
        nodes, inputs, outputs, inits = [], [], [], []
        for name, t in types:
            nodes.append(helper.make_node("Identity", ["in_" + name], ["out_" + name]))
            inputs.append(io("in_" + name, [2], t))
            outputs.append(io("out_" + name, [2], t))
            nodes.append(helper.make_node("Identity", ["c_" + name], ["cout_" + name]))
            inits.append(helper.make_tensor("c_" + name, t, [2], values[name]))
            outputs.append(io("cout_" + name, [2], t))
        # Constant's scalar and list attributes.
        for attr, value, t, shape in [("value_float", 0.5, TensorProto.FLOAT, []),
                                      ("value_int", 3, TensorProto.INT64, []),
                                      ("value_floats", [1.0, 2.0], TensorProto.FLOAT, [2]),
                                      ("value_ints", [4, 5], TensorProto.INT64, [2])]:
            nodes.append(helper.make_node("Constant", [], [attr], **{attr: value}))
            outputs.append(io(attr, shape, t))
        g = helper.make_graph(nodes, "lit_model", inputs, outputs, inits)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
        m.ir_version = 7
        return m
    if kind == "bad_broadcast":
        return model([helper.make_node("Add", ["a", "b"], ["y"], name="add0")],
                     [io("a", [2, 3]), io("b", [4, 5])], [io("y", [2, 3])])
    if kind == "int64_input":
        return model([helper.make_node("Identity", ["x"], ["y"], name="id0")],
                     [io("x", [1, 4], TensorProto.INT64)], [io("y", [1, 4], TensorProto.INT64)])
    if kind == "custom_domain":
        return model([helper.make_node("Foo", ["x"], ["y"], name="foo0", domain="com.example")],
                     [io("x", [1, 4])], [io("y", [1, 4])],
                     [helper.make_opsetid("", 13), helper.make_opsetid("com.example", 1)])
    if kind == "mixed":
        # A product the NPU takes (fc1, act1) before an op it lacks (Softmax).
        import numpy as np
        w = np.random.default_rng(3).uniform(-0.1, 0.1, (256, 256)).astype(np.float32)
        nodes = [helper.make_node("Gemm", ["x", "w"], ["h"], name="fc1", transB=1),
                 helper.make_node("Relu", ["h"], ["a"], name="act1"),
                 helper.make_node("Softmax", ["a"], ["y"], name="prob", axis=1)]
        g = helper.make_graph(nodes, "lit_model", [io("x", [1, 256])], [io("y", [1, 256])],
                              [helper.make_tensor("w", TensorProto.FLOAT, [256, 256], w.ravel())])
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
        m.ir_version = 7
        return m
    if kind == "sequences":
        n = helper.make_node
        nodes = [n("SequenceConstruct", ["x", "y"], ["s"], name="make"),
                 n("SequenceInsert", ["s", "x"], ["s2"], name="insert"),
                 n("Constant", [], ["two"], name="two", value_int=2),
                 n("SequenceAt", ["s2", "two"], ["at"], name="at"),
                 n("SplitToSequence", ["y"], ["rows"], name="split", axis=0, keepdims=0),
                 n("SequenceLength", ["rows"], ["len"], name="len"),
                 n("Optional", ["at"], ["opt"], name="wrap"),
                 n("OptionalGetElement", ["opt"], ["z"], name="unwrap")]
        return model(nodes, [io("x", [2, 3]), io("y", [2, 3])],
                     [io("z", [2, 3]), io("len", [], TensorProto.INT64)], [helper.make_opsetid("", 16)])
    if kind == "subgraphs":
        n = helper.make_node
        # Loop body: (iter, cond, acc) -> (cond, acc + w, acc)
        loop_body = helper.make_graph(
            [n("Identity", ["c_in"], ["c_out"]), n("Add", ["acc", "w"], ["acc_out"]),
             n("Identity", ["acc"], ["scan_out"])], "loop_body",
            [io("i", [], TensorProto.INT64), io("c_in", [], TensorProto.BOOL), io("acc", [3])],
            [io("c_out", [], TensorProto.BOOL), io("acc_out", [3]), io("scan_out", [3])])
        # Scan body: (sum, row) -> (sum + row * w, sum)
        scan_body = helper.make_graph(
            [n("Mul", ["row", "w"], ["p"]), n("Add", ["sum", "p"], ["sum_out"]), n("Identity", ["sum"], ["seen"])],
            "scan_body", [io("sum", [3]), io("row", [3])], [io("sum_out", [3]), io("seen", [3])])
        then_g = helper.make_graph([n("Identity", ["w"], ["t"])], "then", [], [io("t", [3])])
        else_g = helper.make_graph([n("Neg", ["w"], ["e"])], "else", [], [io("e", [3])])
        nodes = [n("Constant", [], ["m"], name="m", value=helper.make_tensor("m", TensorProto.INT64, [], [4])),
                 n("Loop", ["m", "", "x0"], ["acc_final", "accs"], name="loop", body=loop_body),
                 n("Scan", ["x0", "rows"], ["sum_final", "sums"], name="scan", body=scan_body, num_scan_inputs=1),
                 n("If", ["flag"], ["picked"], name="pick", then_branch=then_g, else_branch=else_g)]
        return model(nodes, [io("x0", [3]), io("w", [3]), io("rows", [5, 3]), io("flag", [], TensorProto.BOOL)],
                     [io("acc_final", [3]), io("accs", [4, 3]), io("sum_final", [3]), io("sums", [5, 3]),
                      io("picked", [3])], [helper.make_opsetid("", 16)])
    if kind == "seq_output":
        seq = helper.make_tensor_sequence_value_info("s", TensorProto.FLOAT, [2])
        return model([helper.make_node("SequenceConstruct", ["x"], ["s"], name="make")], [io("x", [2])], [seq],
                     [helper.make_opsetid("", 16)])
    if kind == "undefined_output":
        return model([helper.make_node("Squeeze", ["x"], ["r"], name="squeeze", axes=[2])], [io("x", [1, 4, 1])],
                     [io("y", [1, 4])], [helper.make_opsetid("", 11)])
    if kind == "expand_computed":
        import numpy as np
        inits = [helper.make_tensor("a", TensorProto.INT64, [1], [1 << 40]),
                 helper.make_tensor("b", TensorProto.INT64, [1], [16]),
                 helper.make_tensor("c", TensorProto.FLOAT, [1, 16], np.ones(16, np.float32))]
        nodes = [helper.make_node("Concat", ["a", "b"], ["s"], name="concat", axis=0),
                 helper.make_node("Expand", ["c", "s"], ["e"], name="expand"),
                 helper.make_node("ReduceSum", ["e"], ["r"], name="sum", keepdims=0),
                 helper.make_node("Add", ["x", "r"], ["y"], name="add")]
        g = helper.make_graph(nodes, "lit_model", [io("x", [])], [io("y", [])], inits)
        return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    if kind.startswith("conv_") or kind.startswith("pool_"):
        import numpy as np
        x_shape, w_shape, attrs = {
            "conv_stride0": ([1, 1, 6, 6], [1, 1, 3, 3], {"strides": [0, 1]}),
            "conv_stride0_opset9": ([1, 1, 6, 6], [1, 1, 3, 3], {"strides": [0, 1]}),
            "conv_weight_rank": ([1, 8, 4, 4], [2, 8, 1], {}),
            "conv_dilation0": ([1, 1, 6, 6], [1, 1, 3, 3], {"dilations": [1, 0]}),
            "conv_group": ([1, 4, 4, 4], [2, 2, 3, 3], {"group": 3}),
            "conv_kernel_big": ([1, 1, 4, 4], [1, 1, 5, 5], {}),
            "conv_pad_big": ([1, 1, 4, 4], [1, 1, 3, 3], {"pads": [5, 0, 5, 0]}),
            "pool_kernel_big": ([1, 1, 4, 4], None, {"kernel_shape": [2, 6]}),
        }[kind]
        y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["a", "b", "c", "d"])
        if w_shape is None:
            node = helper.make_node("MaxPool", ["x"], ["y"], name="pool0", **attrs)
            inits = []
        else:
            # conv_weight_rank's input is an intermediate: its rank is known only once inferred.
            pre = [helper.make_node("GlobalAveragePool", ["x"], ["p"], name="gap")] if kind == "conv_weight_rank" else []
            node = helper.make_node("Conv", ["p" if pre else "x", "w"], ["y"], name="conv0", **attrs)
            inits = [helper.make_tensor("w", TensorProto.FLOAT, w_shape, np.ones(w_shape, np.float32).ravel())]
        nodes = [node] if w_shape is None else pre + [node]
        g = helper.make_graph(nodes, "lit_model", [io("x", x_shape)], [y], inits)
        opset = 9 if kind.endswith("_opset9") else 13
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)])
        m.ir_version = 7
        return m
    raise SystemExit("unknown kind " + kind)


if __name__ == "__main__":
    onnx.save(build(sys.argv[1]), sys.argv[2])
