"""python/examples/torch_to_npu.py runs to the end (exit 0: the NPU agrees with its reference) and
says which reference it used (docs/python.md)."""
import os
import subprocess
import sys

import pytest

import softnpu
from conftest import REPO

EXAMPLE = os.path.join(REPO, "python", "examples", "torch_to_npu.py")


def test_torch_to_npu(tmp_path):
    pytest.importorskip("torch")
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(softnpu.__file__))))
    proc = subprocess.run([sys.executable, EXAMPLE, "--out-dir", str(tmp_path / "plots")], capture_output=True,
                          text=True, cwd=tmp_path, env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert "reference: onnxruntime" in out or "reference: torch" in out, out
    assert "fp32:" in out and "SNR" in out and "cycles" in out
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "plots skipped" in out and "apt install python3-matplotlib" in out
    else:
        assert (tmp_path / "plots" / "layers_snr.png").exists() and (tmp_path / "plots" / "node_cycles.png").exists()
