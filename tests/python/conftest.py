"""Fixtures of the Python API tests (ctest python.api; docs/python.md).

ctest sets PYTHONPATH to <build>/python and SOFTNPU_BIN_DIR to <build>/bin (the
tools whose outputs the API must reproduce bit for bit). Artifacts are compiled
once per session into a temporary directory.
"""
import os
import sys

import numpy as np
import pytest

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "models", "fashion_mnist"))
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))

import softnpu  # noqa: E402

MODELS = os.path.join(REPO, "models", "fashion_mnist")


@pytest.fixture(scope="session")
def bin_dir():
    d = os.environ.get("SOFTNPU_BIN_DIR", os.path.join(REPO, "build", "bin"))
    if not os.path.exists(os.path.join(d, "npu-run")):
        pytest.fail(f"npu-run not found in {d} (set SOFTNPU_BIN_DIR)")
    return d


@pytest.fixture(scope="session")
def work(tmp_path_factory):
    return tmp_path_factory.mktemp("softnpu")


@pytest.fixture(scope="session")
def mlp_path():
    return os.path.join(MODELS, "mlp.onnx")


@pytest.fixture(scope="session")
def mlp(mlp_path, work):
    """The bundled MLP for tiny, in the target's format (msfp15), saved as mlp.npu."""
    a = softnpu.compile(mlp_path, target="tiny")
    path = str(work / "mlp.npu")
    a.save(path)
    return a, path


@pytest.fixture(scope="session")
def mlp_fp32(mlp_path, work):
    """The same model at fp32, every node's tensor kept (layer reports)."""
    a = softnpu.compile(mlp_path, target="tiny", precision="fp32", keep_intermediates=True)
    path = str(work / "mlp_fp32.npu")
    a.save(path)
    return a, path


@pytest.fixture(scope="session")
def images():
    """200 Fashion-MNIST test images [200, 1, 28, 28] and their labels."""
    import dataset

    x, y = dataset.load("test")
    return x[:200], y[:200]
