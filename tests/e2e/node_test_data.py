"""node_test_data.py - reads ONNX backend node test cases (model + .pb data sets).

A case directory (e.g. /usr/share/libonnx-testdata/data/node/test_gemm_alpha)
holds model.onnx and test_data_set_*/input_N.pb, output_N.pb. Inputs are matched
to the model's graph inputs (initializers excluded) by position; outputs to the
graph outputs. Shared by run_node_tests.py and check_numpy_ref.py.
"""
import glob
import os

import onnx

from onnx_numpy_ref import graph_inputs, load_tensor

DEFAULT_DATA_DIR = "/usr/share/libonnx-testdata/data/node"


def read_list(path):
    """Test names from a list file: one per line, '#' starts a comment."""
    names = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                names.append(line)
    return names


class Case:
    """One node test: model path, the ModelProto, and its data sets."""

    def __init__(self, data_dir, name):
        self.name = name
        self.dir = os.path.join(data_dir, name)
        self.model_path = os.path.join(self.dir, "model.onnx")
        if not os.path.exists(self.model_path):
            raise FileNotFoundError(f"{self.model_path} not found (is libonnx-testdata installed?)")
        self.model = onnx.load(self.model_path)
        self.input_names = graph_inputs(self.model)
        self.output_names = [o.name for o in self.model.graph.output]
        self.data_sets = sorted(glob.glob(os.path.join(self.dir, "test_data_set_*")))
        if not self.data_sets:
            raise FileNotFoundError(f"{self.dir}: no test_data_set_* directory")

    def _files(self, data_set, kind, count):
        files = [os.path.join(data_set, f"{kind}_{i}.pb") for i in range(count)]
        missing = [f for f in files if not os.path.exists(f)]
        if missing:
            raise FileNotFoundError(f"{missing[0]} not found")
        return files

    def input_files(self, data_set):
        """[(graph input name, .pb path)] in graph-input order."""
        return list(zip(self.input_names, self._files(data_set, "input", len(self.input_names))))

    def output_files(self, data_set):
        return list(zip(self.output_names, self._files(data_set, "output", len(self.output_names))))

    def inputs(self, data_set):
        return {n: load_tensor(p) for n, p in self.input_files(data_set)}

    def outputs(self, data_set):
        return {n: load_tensor(p) for n, p in self.output_files(data_set)}
