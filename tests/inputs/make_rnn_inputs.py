#!/usr/bin/python3
"""make_rnn_inputs.py - generates the small recurrent-network .onnx files of the e2e model tests.

Writes tests/inputs/onnx/rnn_*.onnx (seeded weights, identical bytes on every
run; the helpers and the --check mode are those of make_onnx_inputs.py, and
ctest runs the check as e2e.rnn_inputs_up_to_date). Regenerate with:
    /usr/bin/python3 tests/inputs/make_rnn_inputs.py [--out-dir DIR] [--check]

  rnn_stacked.onnx  x[6,1,5] -> LSTM(H 8, bias) -> Y[6,1,1,8] -> Reshape [6,1,8]
                    -> GRU(H 6, linear_before_reset) -> Y_h -> Reshape [1,6] -> Gemm -> y[1,3]
                    (two stacked layers and a classifier in one model)
  rnn_bidir.onnx    x[5,1,4] -> LSTM(bidirectional, H 6, initial_h/c) -> Y[5,2,1,6]
                    -> Transpose(0,2,1,3) -> Reshape [5,1,12] -> RNN(reverse, H 4) -> Y_h -> y[1,1,4]
                    and the LSTM's Y_c[2,1,6] as a second output
  rnn_gru_batch.onnx x[2,4,3] (layout 1: batch 2, 4 steps) -> GRU(H 5) -> Y[2,4,1,5], Y_h[2,1,5]
  rnn_lstm_batch_bidir.onnx x[5,2,3] (layout 0: 5 steps, batch 2) -> LSTM(bidirectional, H 4,
                    initial_h/c) -> Y[5,2,2,4], Y_h[2,2,4], Y_c[2,2,4]
  rnn_batch_first.onnx x[2,5,3] (batch first) -> Transpose(1,0,2) -> GRU(H 4) -> Y[5,1,2,4]
                    -> Squeeze(1) -> Transpose(1,0,2) -> y[2,5,4]   (transposes that move data)
  rnn_reverse_h1.onnx x[6,1,1] -> RNN(reverse, H 1) -> Y[6,1,1,1]: input and hidden size 1, so the
                    loop steps its addresses by -1 element (a step once elided as "unknown")
"""
import argparse
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_onnx_inputs as base  # noqa: E402

OPSET = 14  # LSTM/GRU/RNN with `layout`


def _const(name, values):
    return numpy_helper.from_array(np.asarray(values, dtype=np.int64), name)


def _model(nodes, inputs, outputs, inits, name):
    g = helper.make_graph(nodes, name, inputs, outputs, inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="make_rnn_inputs")
    m.ir_version = 8
    onnx.checker.check_model(m)
    onnx.shape_inference.infer_shapes(m, check_type=True, strict_mode=True)
    return m


def rnn_stacked():
    rng = base._rng("rnn_stacked")
    inits = [base._weights(rng, "W1", 1, 32, 5), base._weights(rng, "R1", 1, 32, 8),
             base._weights(rng, "B1", 1, 64), _const("s1", [6, 1, 8]),
             base._weights(rng, "W2", 1, 18, 8), base._weights(rng, "R2", 1, 18, 6),
             base._weights(rng, "B2", 1, 36), _const("s2", [1, 6]),
             base._weights(rng, "Wc", 3, 6), base._weights(rng, "Cc", 3)]
    nodes = [helper.make_node("LSTM", ["x", "W1", "R1", "B1"], ["y1"], name="lstm1", hidden_size=8),
             helper.make_node("Reshape", ["y1", "s1"], ["x2"], name="squeeze1"),
             helper.make_node("GRU", ["x2", "W2", "R2", "B2"], ["", "h2"], name="gru2", hidden_size=6,
                              linear_before_reset=1),
             helper.make_node("Reshape", ["h2", "s2"], ["f"], name="flat"),
             helper.make_node("Gemm", ["f", "Wc", "Cc"], ["y"], name="classifier", transB=1)]
    return _model(nodes, [base._io("x", [6, 1, 5])], [base._io("y", [1, 3])], inits, "rnn_stacked")


def rnn_bidir():
    rng = base._rng("rnn_bidir")
    inits = [base._weights(rng, "W1", 2, 24, 4), base._weights(rng, "R1", 2, 24, 6),
             base._weights(rng, "B1", 2, 48), base._weights(rng, "H0", 2, 1, 6),
             base._weights(rng, "C0", 2, 1, 6), _const("s1", [5, 1, 12]),
             base._weights(rng, "W2", 1, 4, 12), base._weights(rng, "R2", 1, 4, 4),
             base._weights(rng, "B2", 1, 8)]
    nodes = [helper.make_node("LSTM", ["x", "W1", "R1", "B1", "", "H0", "C0"], ["y1", "", "c1"], name="bilstm",
                              hidden_size=6, direction="bidirectional"),
             helper.make_node("Transpose", ["y1"], ["t1"], name="dirs_last", perm=[0, 2, 1, 3]),
             helper.make_node("Reshape", ["t1", "s1"], ["x2"], name="concat_dirs"),
             helper.make_node("RNN", ["x2", "W2", "R2", "B2"], ["", "y"], name="rnn_rev", hidden_size=4,
                              direction="reverse")]
    return _model(nodes, [base._io("x", [5, 1, 4])], [base._io("y", [1, 1, 4]), base._io("c1", [2, 1, 6])],
                  inits, "rnn_bidir")


def rnn_gru_batch():
    rng = base._rng("rnn_gru_batch")
    inits = [base._weights(rng, "W", 1, 15, 3), base._weights(rng, "R", 1, 15, 5), base._weights(rng, "B", 1, 30)]
    nodes = [helper.make_node("GRU", ["x", "W", "R", "B"], ["y", "y_h"], name="gru", hidden_size=5, layout=1)]
    return _model(nodes, [base._io("x", [2, 4, 3])], [base._io("y", [2, 4, 1, 5]), base._io("y_h", [2, 1, 5])],
                  inits, "rnn_gru_batch")


def rnn_lstm_batch_bidir():
    rng = base._rng("rnn_lstm_batch_bidir")
    inits = [base._weights(rng, "W", 2, 16, 3), base._weights(rng, "R", 2, 16, 4), base._weights(rng, "B", 2, 32),
             base._weights(rng, "H0", 2, 2, 4), base._weights(rng, "C0", 2, 2, 4)]
    nodes = [helper.make_node("LSTM", ["x", "W", "R", "B", "", "H0", "C0"], ["y", "y_h", "y_c"], name="lstm",
                              hidden_size=4, direction="bidirectional")]
    return _model(nodes, [base._io("x", [5, 2, 3])],
                  [base._io("y", [5, 2, 2, 4]), base._io("y_h", [2, 2, 4]), base._io("y_c", [2, 2, 4])],
                  inits, "rnn_lstm_batch_bidir")


def rnn_batch_first():
    rng = base._rng("rnn_batch_first")
    inits = [base._weights(rng, "W", 1, 12, 3), base._weights(rng, "R", 1, 12, 4), base._weights(rng, "B", 1, 24),
             _const("axis1", [1])]
    nodes = [helper.make_node("Transpose", ["x"], ["xt"], name="time_major", perm=[1, 0, 2]),
             helper.make_node("GRU", ["xt", "W", "R", "B"], ["y4"], name="gru", hidden_size=4),
             helper.make_node("Squeeze", ["y4", "axis1"], ["y3"], name="drop_dirs"),
             helper.make_node("Transpose", ["y3"], ["y"], name="batch_major", perm=[1, 0, 2])]
    return _model(nodes, [base._io("x", [2, 5, 3])], [base._io("y", [2, 5, 4])], inits, "rnn_batch_first")


def rnn_reverse_h1():
    rng = base._rng("rnn_reverse_h1")
    inits = [base._weights(rng, "W", 1, 1, 1), base._weights(rng, "R", 1, 1, 1), base._weights(rng, "B", 1, 2)]
    nodes = [helper.make_node("RNN", ["x", "W", "R", "B"], ["y"], name="rnn", hidden_size=1, direction="reverse")]
    return _model(nodes, [base._io("x", [6, 1, 1])], [base._io("y", [6, 1, 1, 1])], inits, "rnn_reverse_h1")


MODELS = {"rnn_stacked": rnn_stacked, "rnn_bidir": rnn_bidir, "rnn_gru_batch": rnn_gru_batch,
          "rnn_lstm_batch_bidir": rnn_lstm_batch_bidir, "rnn_batch_first": rnn_batch_first,
          "rnn_reverse_h1": rnn_reverse_h1}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "onnx"))
    ap.add_argument("--check", action="store_true", help="exit 1 if a committed file differs; write nothing")
    args = ap.parse_args()
    files = {name + ".onnx": make().SerializeToString() for name, make in MODELS.items()}
    return base.write_or_check(files, args.out_dir, args.check, __file__)

if __name__ == "__main__":
    sys.exit(main())
