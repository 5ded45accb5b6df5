#!/usr/bin/python3
"""make_pytorch_rnn.py - exports small recurrent models with PyTorch, as users' models arrive.

torch.onnx.export writes what a trained model looks like in the wild: the
input transposed from batch-first, zero initial states built in the graph
(Shape -> Gather -> Unsqueeze -> Concat -> Expand), Squeeze between stacked
layers, Transpose + Reshape after a bidirectional layer and Gather of the last
timestep before the classifier. The e2e model tests (run_model_tests.py) run
them against the numpy reference; onnx-fold-constants and the views make them
compile.

  pytorch_lstm.onnx  x[1,5,8] -> 2-layer LSTM(16, batch_first) -> y[:, -1] -> Linear(16, 4)
  pytorch_gru.onnx   x[1,5,8] -> 2-layer bidirectional GRU(12, batch_first) -> y[:, -1] -> Linear(24, 4)

Seeded; the bytes depend on the torch version, so there is no --check mode.
Usage: /usr/bin/python3 tests/inputs/make_pytorch_rnn.py [--out-dir DIR]
"""
import argparse
import os
import warnings

import torch

SEED = 20261128


class Classifier(torch.nn.Module):
    def __init__(self, cell, hidden, bidirectional):
        super().__init__()
        rnn = torch.nn.LSTM if cell == "lstm" else torch.nn.GRU
        self.rnn = rnn(8, hidden, num_layers=2, batch_first=True, bidirectional=bidirectional)
        self.fc = torch.nn.Linear(hidden * (2 if bidirectional else 1), 4)

    def forward(self, x):
        y, _ = self.rnn(x)
        return self.fc(y[:, -1, :])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "onnx"))
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    for name, cell, hidden, bidirectional in [("pytorch_lstm", "lstm", 16, False),
                                              ("pytorch_gru", "gru", 12, True)]:
        torch.manual_seed(SEED)
        model = Classifier(cell, hidden, bidirectional).eval()
        path = os.path.join(args.out_dir, name + ".onnx")
        torch.onnx.export(model, torch.zeros(1, 5, 8), path, opset_version=14, input_names=["x"],
                          output_names=["y"])
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
