#!/usr/bin/python3
"""add_softmax.py - cnn_probs.onnx: the trained CNN (cnn.onnx) with a Softmax over its logits.

The README's example of a model with host ops: the NPU runs the convolutions, pools and
Gemms, the host the Softmax (no NPU lowering yet). Same weights as cnn.onnx; the output
"probs" holds the ten class probabilities.

Usage: models/fashion_mnist/add_softmax.py [--input cnn.onnx] [--output cnn_probs.onnx]
"""
import argparse
import os

import onnx
from onnx import helper

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--input", default=os.path.join(HERE, "cnn.onnx"))
    ap.add_argument("--output", default=os.path.join(HERE, "cnn_probs.onnx"))
    args = ap.parse_args()
    model = onnx.load(args.input)
    graph = model.graph
    logits = graph.output[0]
    graph.node.append(helper.make_node("Softmax", [logits.name], ["probs"], name="/softmax/Softmax", axis=-1))
    probs = onnx.ValueInfoProto()
    probs.CopyFrom(logits)  # the logits' type, a symbolic batch dimension included
    probs.name = "probs"
    graph.output.remove(logits)
    graph.output.append(probs)
    onnx.checker.check_model(model)
    onnx.save(model, args.output)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
