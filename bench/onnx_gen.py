"""onnx_gen.py - ONNX model generators shared by the benchmarks (bench/compile_speed.py,
bench/fpga_npu_workloads.py).

Every generator writes one checked ONNX model (opset 14, IR version 8) with fp32 constants from
a seeded RNG, so a benchmark regenerates the same bytes on every run. Models are written into
a benchmark's work directory, never into the repository.

  make_dense_stack(path, sizes, ...)   a chain of dense layers sizes[0] -> sizes[1] -> ...:
                                       Gemm (with bias) or MatMul (without), an optional
                                       activation node after each layer
  make_recurrent(path, op, hidden, steps, ...)
                                       one forward, one-layer ONNX RNN / GRU / LSTM node,
                                       input size = hidden size, batch 1, output Y_h
  graph_node_count(path)               the number of nodes of a model's graph
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 14
GATES = {"RNN": 1, "GRU": 3, "LSTM": 4}


def value_info(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape))


def save_model(path, nodes, initializers, inputs, outputs, name, producer):
    """Builds, checks and writes a model; returns its size in bytes."""
    graph = helper.make_graph(nodes, name, inputs, outputs, initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name=producer)
    model.ir_version = 8
    if model.ByteSize() < 2_000_000_000:  # the checker refuses protos of 2 GB and more
        onnx.checker.check_model(model)
    onnx.save(model, path)
    return model.ByteSize()


def seeded_rng(*key):
    """A numpy Generator seeded from a tuple of ints and strings (the same model -> the same bytes)."""
    return np.random.default_rng([k if isinstance(k, int) else sum(map(ord, k)) for k in key])


def uniform(rng, shape, bound):
    """fp32 uniform in [-bound, bound), generated in fp32 (cheap for large matrices)."""
    a = rng.random(shape, dtype=np.float32)
    a *= np.float32(2 * bound)
    a -= np.float32(bound)
    return a


def make_dense_stack(path, sizes, activation=None, bias=True, batch=1, seed=0, name="dense",
                     producer="softnpu bench"):
    """Writes y = act(... act(x W0 (+ b0)) W1 (+ b1) ...) for x [batch, sizes[0]].

    Each layer i is one ONNX node named f"{name}{i}": Gemm(x, W, b) when bias, else MatMul(x, W)
    (a dense layer with no bias); W [sizes[i], sizes[i+1]] uniform in +-1/sqrt(fan-in), b uniform
    in +-0.1. activation (e.g. "Relu", "Tanh"; None: linear) adds one node after every layer.
    Returns (model bytes, node count)."""
    rng = seeded_rng(seed, *sizes)
    nodes, inits, x = [], [], "x"
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        inits.append(numpy_helper.from_array(uniform(rng, (fan_in, fan_out), 1.0 / np.sqrt(fan_in)), f"W{i}"))
        if bias:
            inits.append(numpy_helper.from_array(uniform(rng, (fan_out,), 0.1), f"b{i}"))
            nodes.append(helper.make_node("Gemm", [x, f"W{i}", f"b{i}"], [f"z{i}"], name=f"{name}{i}"))
        else:
            nodes.append(helper.make_node("MatMul", [x, f"W{i}"], [f"z{i}"], name=f"{name}{i}"))
        x = f"z{i}"
        if activation:
            nodes.append(helper.make_node(activation, [x], [f"a{i}"], name=f"{activation.lower()}{i}"))
            x = f"a{i}"
    nodes[-1].output[0] = "y"
    size = save_model(path, nodes, inits, [value_info("x", [batch, sizes[0]])],
                      [value_info("y", [batch, sizes[-1]])], name, producer)
    return size, len(nodes)


def make_recurrent(path, op, hidden, steps, bias=False, linear_before_reset=0, seed=0,
                   producer="softnpu bench"):
    """Writes one forward, one-layer ONNX `op` (RNN, GRU or LSTM; default activations: RNN Tanh)
    with input size = hidden size, input x [steps, 1, hidden], output Y_h [1, 1, hidden] only (Y
    omitted). W, R (and B when bias) uniform in +-1/sqrt(hidden); without bias the optional input B
    is absent (zero biases). GRU: linear_before_reset as given. Returns the model's bytes."""
    gates = GATES[op]
    rng = seeded_rng(seed, op, hidden, steps)
    bound = 1.0 / np.sqrt(hidden)
    inits = [numpy_helper.from_array(uniform(rng, (1, gates * hidden, hidden), bound), "W"),
             numpy_helper.from_array(uniform(rng, (1, gates * hidden, hidden), bound), "R")]
    inputs = ["x", "W", "R"]
    if bias:
        inits.append(numpy_helper.from_array(uniform(rng, (1, 2 * gates * hidden), bound), "B"))
        inputs.append("B")
    attrs = {"hidden_size": hidden, "direction": "forward"}
    if op == "GRU":
        attrs["linear_before_reset"] = linear_before_reset
    node = helper.make_node(op, inputs, ["", "Y_h"], name=f"{op.lower()}{hidden}x{steps}", **attrs)
    return save_model(path, [node], inits, [value_info("x", [steps, 1, hidden])],
                      [value_info("Y_h", [1, 1, hidden])], f"{op.lower()}{hidden}x{steps}", producer)


def graph_node_count(path):
    return len(onnx.load(path, load_external_data=False).graph.node)
