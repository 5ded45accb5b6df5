#!/usr/bin/python3
"""make_unrolled_rnn.py - writes small LSTM / GRU layers unrolled into plain ops, for onnx-recognize-rnn.

Each model is one recurrent layer written out over T timesteps with
MatMul / Add / Sigmoid / Tanh / Mul / Sub and Slice / Split / Squeeze / Gather /
Unsqueeze / Concat, every step using the same constant weights (a fixed seed
per file, so the bytes are identical on every run). The compiler must
recognise each as one onnx.LSTM / onnx.GRU (tests/e2e/run_unrolled_rnn_tests.py).

  unrolled_lstm.onnx     X[5,1,3] -> LSTM H=4: x_t = Squeeze(Slice(X, t, t+1, axis 0));
                         fused gates x@Wx + b_ih + h@Rh + b_hh [1,16] Split in PyTorch
                         order i, f, g, o; zero initial h and c (one Constant node);
                         outputs Y [5,1,4] (Unsqueeze + Concat), Y_h, Y_c [1,4]
  unrolled_gru.onnx      X[5,1,3], h0[1,4] (graph input) -> GRU H=4, linear_before_reset 0:
                         x_t = Gather(X, t); per-gate MatMul / Add; h~ = Tanh(x@Wh + (r*h)@Rh + bh);
                         h = h~ + z * (h_prev - h~); outputs Y [5,1,1,4] (Unsqueeze axes 0,1
                         + Concat), Y_h [1,4]
  unrolled_gru_lbr.onnx  X[5,2,3] -> GRU H=4, linear_before_reset 1: x_t = Reshape(Slice(X));
                         x@Wx + bx and h@Rh + bh [2,12] cut by Slice; h~ = Tanh(xh + r * hh);
                         h = (1 - z) * h~ + z * h_prev; zero initial h (initializer); output Y_h [2,4]

Regenerate with:
    /usr/bin/python3 tests/inputs/make_unrolled_rnn.py [--out-dir DIR]
`--check` writes nothing; it exits 1 if a committed file differs from what this
script generates, or if onnx_numpy_ref.py's evaluation of an unrolled model
differs (atol 1e-6, rtol 1e-5) from its evaluation of the equivalent single
ONNX LSTM / GRU node built from the same weights (run by ctest as
e2e.unrolled_rnn_inputs).
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))
sys.path.insert(0, HERE)
import make_onnx_inputs as base  # noqa: E402
import onnx_numpy_ref  # noqa: E402

OPSET = 13
SEED = 4321
ATOL, RTOL = 1e-6, 1e-5


def _rng(name):
    return np.random.default_rng([SEED] + [ord(c) for c in name])


def _uniform(rng, *shape, scale=0.5):
    return rng.uniform(-scale, scale, size=shape).astype(np.float32)


def _io(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(shape))


def _model(graph):
    m = helper.make_model(graph, producer_name="softnpu make_unrolled_rnn.py",
                          opset_imports=[helper.make_opsetid("", OPSET)])
    m.ir_version = 7
    onnx.checker.check_model(m)
    onnx.shape_inference.infer_shapes(m, check_type=True, strict_mode=True)
    return m


class Graph:
    """Collects nodes and initializers; names values after the node making them."""

    def __init__(self):
        self.nodes, self.inits = [], []

    def init(self, name, array):
        self.inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def ints(self, name, values):
        return self.init(name, np.array(values, dtype=np.int64))

    def op(self, op_type, inputs, name, outputs=1, **attrs):
        outs = [name] if outputs == 1 else [f"{name}_{k}" for k in range(outputs)]
        self.nodes.append(helper.make_node(op_type, inputs, outs, name=name, **attrs))
        return outs[0] if outputs == 1 else outs


# ---------------------------------------------------------------------------
# Unrolled models. Each returns (unrolled model, equivalent node model).


def unrolled_lstm():
    T, B, I, H = 5, 1, 3, 4
    r = _rng("unrolled_lstm")
    wx, rh = _uniform(r, I, 4 * H), _uniform(r, H, 4 * H)  # columns i, f, g, o
    b_ih, b_hh = _uniform(r, 4 * H), _uniform(r, 4 * H)
    g = Graph()
    g.init("Wx", wx), g.init("Rh", rh), g.init("b_ih", b_ih), g.init("b_hh", b_hh)
    g.ints("axis0", [0])
    g.ints("split", [H] * 4)
    zeros = g.op("Constant", [], "zeros", value=numpy_helper.from_array(
        np.zeros((B, H), np.float32), "zeros_value"))
    h, c, stacked = zeros, zeros, []
    for t in range(T):
        s = f"t{t}_"
        xs = g.op("Slice", ["X", g.ints(s + "start", [t]), g.ints(s + "end", [t + 1]), "axis0"],
                  s + "x_slice")
        x = g.op("Squeeze", [xs, "axis0"], s + "x")
        xw = g.op("Add", [g.op("MatMul", [x, "Wx"], s + "xw"), "b_ih"], s + "xwb")
        hr = g.op("Add", [g.op("MatMul", [h, "Rh"], s + "hr"), "b_hh"], s + "hrb")
        gi, gf, gg, go = g.op("Split", [g.op("Add", [xw, hr], s + "gates"), "split"], s + "split",
                              outputs=4, axis=1)
        i = g.op("Sigmoid", [gi], s + "i")
        f = g.op("Sigmoid", [gf], s + "f")
        gc = g.op("Tanh", [gg], s + "g")
        o = g.op("Sigmoid", [go], s + "o")
        c = g.op("Add", [g.op("Mul", [f, c], s + "fc"), g.op("Mul", [i, gc], s + "ig")], s + "c")
        h = g.op("Mul", [o, g.op("Tanh", [c], s + "tanh_c")], s + "h")
        stacked.append(g.op("Unsqueeze", [h, "axis0"], s + "h_unsqueeze"))
    g.op("Concat", stacked, "Y", axis=0)
    g.op("Identity", [h], "Y_h")
    g.op("Identity", [c], "Y_c")
    graph = helper.make_graph(g.nodes, "unrolled_lstm", [_io("X", [T, B, I])],
                              [_io("Y", [T, B, H]), _io("Y_h", [B, H]), _io("Y_c", [B, H])],
                              g.inits)

    # The same layer as one ONNX LSTM: gates i, o, f, c; W [1, 4H, I].
    order = [0, 3, 1, 2]  # ONNX gate k is PyTorch-order gate order[k]
    def gates(m):
        return np.concatenate([m[..., k * H:(k + 1) * H] for k in order], axis=-1)
    ref = Graph()
    ref.init("W", gates(wx).T[None]), ref.init("R", gates(rh).T[None])
    ref.init("B", np.concatenate([gates(b_ih), gates(b_hh)])[None])
    ref.op("LSTM", ["X", "W", "R", "B"], "lstm", outputs=3, hidden_size=H)
    node = helper.make_graph(ref.nodes, "lstm_node", [_io("X", [T, B, I])],
                             [_io("lstm_0", [T, 1, B, H]), _io("lstm_1", [1, B, H]),
                              _io("lstm_2", [1, B, H])], ref.inits)
    return _model(graph), _model(node)


def _gru_node(name, T, B, I, H, w, rr, b, lbr, with_h0):
    """One ONNX GRU node: W [1, 3H, I], R [1, 3H, H], B [1, 6H] in z, r, h order."""
    ref = Graph()
    ref.init("W", w[None]), ref.init("R", rr[None]), ref.init("B", b[None])
    inputs = ["X", "W", "R", "B", "", "h0_3d" if with_h0 else ""]
    if with_h0:
        ref.op("Reshape", ["h0", ref.ints("h0_shape", [1, B, H])], "h0_3d")
    ref.op("GRU", inputs, "gru", outputs=2, hidden_size=H, linear_before_reset=lbr)
    graph_inputs = [_io("X", [T, B, I])] + ([_io("h0", [B, H])] if with_h0 else [])
    return _model(helper.make_graph(ref.nodes, name, graph_inputs,
                                    [_io("gru_0", [T, 1, B, H]), _io("gru_1", [1, B, H])],
                                    ref.inits))


def unrolled_gru():
    T, B, I, H = 5, 1, 3, 4
    r = _rng("unrolled_gru")
    wz, wr, wh = (_uniform(r, I, H) for _ in range(3))
    rz, rr, rh = (_uniform(r, H, H) for _ in range(3))
    bz, br, bh = (_uniform(r, H) for _ in range(3))
    g = Graph()
    for name, value in [("Wz", wz), ("Wr", wr), ("Wh", wh), ("Rz", rz), ("Rr", rr), ("Rh", rh),
                        ("bz", bz), ("br", br), ("bh", bh)]:
        g.init(name, value)
    g.ints("axes01", [0, 1])
    h, stacked = "h0", []
    for t in range(T):
        s = f"t{t}_"
        x = g.op("Gather", ["X", g.init(s + "index", np.array(t, dtype=np.int64))], s + "x", axis=0)
        def gate(k, hin):
            pre = g.op("Add", [g.op("MatMul", [x, "W" + k], s + "xw" + k),
                               g.op("MatMul", [hin, "R" + k], s + "hr" + k)], s + "sum" + k)
            return g.op("Add", [pre, "b" + k], s + "pre" + k)
        z = g.op("Sigmoid", [gate("z", h)], s + "z")
        rg = g.op("Sigmoid", [gate("r", h)], s + "r")
        hh = g.op("Tanh", [gate("h", g.op("Mul", [rg, h], s + "rh"))], s + "hh")
        # h = h~ + z * (h_prev - h~)
        h = g.op("Add", [hh, g.op("Mul", [z, g.op("Sub", [h, hh], s + "d")], s + "zd")], s + "h")
        stacked.append(g.op("Unsqueeze", [h, "axes01"], s + "h_unsqueeze"))
    g.op("Concat", stacked, "Y", axis=0)
    g.op("Identity", [h], "Y_h")
    graph = helper.make_graph(g.nodes, "unrolled_gru", [_io("X", [T, B, I]), _io("h0", [B, H])],
                              [_io("Y", [T, 1, B, H]), _io("Y_h", [B, H])], g.inits)
    w = np.concatenate([wz.T, wr.T, wh.T])
    rr_ = np.concatenate([rz.T, rr.T, rh.T])
    b = np.concatenate([bz, br, bh, np.zeros(3 * H, np.float32)])
    return _model(graph), _gru_node("gru_node", T, B, I, H, w, rr_, b, 0, True)


def unrolled_gru_lbr():
    T, B, I, H = 5, 2, 3, 4
    r = _rng("unrolled_gru_lbr")
    wx, rh = _uniform(r, I, 3 * H), _uniform(r, H, 3 * H)  # columns z, r, h
    bx, bh = _uniform(r, 3 * H), _uniform(r, 3 * H)
    g = Graph()
    g.init("Wx", wx), g.init("Rh", rh), g.init("bx", bx), g.init("bh", bh)
    g.init("h_init", np.zeros((B, H), np.float32))
    g.init("one", np.array([1.0], np.float32))
    g.ints("axis0", [0]), g.ints("axis1", [1]), g.ints("x_shape", [B, I])
    for k, (lo, hi) in enumerate([(0, H), (H, 2 * H), (2 * H, 3 * H)]):
        g.ints(f"lo{k}", [lo]), g.ints(f"hi{k}", [hi])
    h = "h_init"
    for t in range(T):
        s = f"t{t}_"
        xs = g.op("Slice", ["X", g.ints(s + "start", [t]), g.ints(s + "end", [t + 1]), "axis0"],
                  s + "x_slice")
        x = g.op("Reshape", [xs, "x_shape"], s + "x")
        xg = g.op("Add", [g.op("MatMul", [x, "Wx"], s + "xw"), "bx"], s + "xg")
        hg = g.op("Add", [g.op("MatMul", [h, "Rh"], s + "hr"), "bh"], s + "hg")
        def part(v, k, tag):
            return g.op("Slice", [v, f"lo{k}", f"hi{k}", "axis1"], s + tag)
        z = g.op("Sigmoid", [g.op("Add", [part(xg, 0, "xz"), part(hg, 0, "hz")], s + "pz")], s + "z")
        rg = g.op("Sigmoid", [g.op("Add", [part(xg, 1, "xr"), part(hg, 1, "hr_")], s + "pr")], s + "r")
        gated = g.op("Mul", [rg, part(hg, 2, "hh_")], s + "gated")
        hh = g.op("Tanh", [g.op("Add", [part(xg, 2, "xh"), gated], s + "ph")], s + "hh")
        # h = (1 - z) * h~ + z * h_prev
        keep = g.op("Mul", [g.op("Sub", ["one", z], s + "one_minus_z"), hh], s + "new")
        h = g.op("Add", [keep, g.op("Mul", [z, h], s + "old")], s + "h")
    g.op("Identity", [h], "Y_h")
    graph = helper.make_graph(g.nodes, "unrolled_gru_lbr", [_io("X", [T, B, I])],
                              [_io("Y_h", [B, H])], g.inits)
    b = np.concatenate([bx, bh])
    return _model(graph), _gru_node("gru_lbr_node", T, B, I, H, wx.T, rh.T, b, 1, False)


MODELS = {
    "unrolled_lstm": unrolled_lstm,
    "unrolled_gru": unrolled_gru,
    "unrolled_gru_lbr": unrolled_gru_lbr,
}


def check_equivalent(name, unrolled, node):
    """The numpy reference of both models on seeded inputs; returns an error or None."""
    rng = np.random.default_rng(11)
    infos = {i.name: i for i in unrolled.graph.input}
    feeds = {n: rng.uniform(-1, 1, [d.dim_value for d in infos[n].type.tensor_type.shape.dim])
             .astype(np.float32) for n in onnx_numpy_ref.graph_inputs(unrolled)}
    got = onnx_numpy_ref.run(unrolled, feeds)
    want = list(onnx_numpy_ref.run(node, feeds).values())
    for out in unrolled.graph.output:
        # Y -> the node's Y, Y_h -> Y_h, Y_c -> Y_c, each reshaped to the unrolled output.
        k = {"Y": 0, "Y_h": 1, "Y_c": 2}[out.name]
        w = want[k].reshape(got[out.name].shape)
        if not np.allclose(got[out.name], w, atol=ATOL, rtol=RTOL):
            err = float(np.abs(got[out.name] - w).max())
            return f"{name}: output {out.name} differs from the {node.graph.node[-1].op_type} node (max abs err {err:g})"
    return None


def generate():
    """{file name: (unrolled model bytes, error of the equivalence check or None)}."""
    files = {}
    for name, build in MODELS.items():
        unrolled, node = build()
        files[name + ".onnx"] = (unrolled.SerializeToString(), check_equivalent(name, unrolled, node))
    return files


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", default=os.path.join(HERE, "onnx"))
    ap.add_argument("--check", action="store_true",
                    help="compare with the files in --out-dir instead of writing; check the references")
    args = ap.parse_args()
    files = generate()
    bad = [err for _, err in files.values() if err]
    for err in bad:
        print(f"MISMATCH {err}")
    if bad:
        return 1
    return base.write_or_check({name: data for name, (data, _) in files.items()}, args.out_dir, args.check,
                               __file__)

if __name__ == "__main__":
    sys.exit(main())
