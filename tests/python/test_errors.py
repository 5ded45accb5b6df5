"""Every failure raises softnpu.Error with the one line the tools print; no other exception
type and no abort reaches Python."""
import os
import subprocess

import numpy as np
import pytest

import softnpu
from conftest import REPO

INPUTS = os.path.join(REPO, "tests", "inputs", "onnx")


def error_of(fn, *args, **kwargs):
    with pytest.raises(softnpu.Error) as e:
        fn(*args, **kwargs)
    message = str(e.value)
    assert message and "\n" not in message and "\r" not in message
    return message


def tool_error(bin_dir, tool, *args):
    """The message of the tool's one error line (after 'TOOL: error: ')."""
    proc = subprocess.run([os.path.join(bin_dir, tool), *args], capture_output=True, text=True)
    assert proc.returncode == 1, proc.stderr
    first = proc.stderr.splitlines()[0]
    prefix = f"{tool}: error: "
    assert first.startswith(prefix), first
    return first[len(prefix):]


def test_error_is_a_runtime_error():
    assert issubclass(softnpu.Error, RuntimeError)


@pytest.mark.parametrize("model", ["malformed.onnx", "bad_shape.onnx"])
def test_compile_errors_are_npu_compiles(model, bin_dir, tmp_path):
    path = os.path.join(INPUTS, model)
    cli = tool_error(bin_dir, "npu-compile", path, "--target", "tiny", "-o", str(tmp_path / "m.npu"))
    assert error_of(softnpu.compile, path, target="tiny") == cli


def test_compile_argument_errors(mlp_path, tmp_path):
    assert "missing.onnx: cannot open file" in error_of(softnpu.compile, str(tmp_path / "missing.onnx"))
    assert "<model bytes>" in error_of(softnpu.compile, b"\x08\x01garbage")
    assert "model must be" in error_of(softnpu.compile, 42)
    assert "unknown target 'nope'" in error_of(softnpu.compile, mlp_path, target="nope")
    error_of(softnpu.compile, mlp_path, target="tiny", precision="float7")
    error_of(softnpu.compile, mlp_path, target="tiny", precision_for={"*": "nonsense"})
    error_of(softnpu.compile, mlp_path, target="tiny", placement="elsewhere")
    error_of(softnpu.compile, mlp_path, target="tiny", input_shapes={"image": "1xZ"})
    error_of(softnpu.compile, mlp_path, target="tiny", input_shapes=[1, 2])
    error_of(softnpu.compile, mlp_path, target="tiny", precision_for="*=msfp12")


def test_target_errors(tmp_path):
    assert "unknown target" in error_of(softnpu.Target, "nope")
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "x", "native_dim": 0}')
    error_of(softnpu.Target, bad)
    error_of(softnpu.Target, 3)
    with pytest.raises(AttributeError):
        softnpu.Target("tiny").no_such_field


def test_artifact_errors(mlp, tmp_path):
    a, path = mlp
    error_of(softnpu.Artifact.load, tmp_path / "missing.npu")
    data = bytearray(a.to_bytes())
    error_of(softnpu.Artifact.from_bytes, bytes(data[: len(data) // 2]))
    data[len(data) // 2] ^= 0xFF
    error_of(softnpu.Artifact.from_bytes, bytes(data))
    error_of(a.save, tmp_path / "no" / "such" / "dir" / "m.npu")


def test_session_errors_are_npu_runs(mlp, bin_dir, tmp_path):
    _, path = mlp
    cli = tool_error(bin_dir, "npu-run", path, "--target", "brainwave-s10", "--input", "x.npy")
    assert error_of(softnpu.InferenceSession, path, target="brainwave-s10") == cli
    corrupt = tmp_path / "corrupt.npu"
    corrupt.write_bytes(open(path, "rb").read()[:100])
    assert error_of(softnpu.InferenceSession, str(corrupt)) == tool_error(bin_dir, "npu-run", str(corrupt))
    error_of(softnpu.InferenceSession, 3.5)


def test_run_errors(mlp, tmp_path):
    s = softnpu.InferenceSession(mlp[1])
    x = np.zeros((1, 1, 28, 28), np.float32)
    assert "missing input 'image'" in error_of(s.run, None, {})
    assert "'extra'" in error_of(s.run, None, {"image": x, "extra": x})
    assert "shape" in error_of(s.run, None, {"image": np.zeros((2, 1, 28, 28), np.float32)})
    assert "float64" in error_of(s.run, None, {"image": x.astype(np.float64)})
    assert "complex" in error_of(s.run, None, {"image": x.astype(np.complex64)})
    assert "not an output" in error_of(s.run, ["nope"], {"image": x})
    error_of(s.run, "logits", {"image": x})
    error_of(s.run, None, {1: x})
    error_of(s.trace, tmp_path / "no" / "dir" / "t.json", {"image": x})


def test_layer_report_needs_the_same_signature(mlp, tmp_path):
    other = softnpu.compile(os.path.join(INPUTS, "mlp2.onnx"), target="tiny")
    s = softnpu.InferenceSession(mlp[0])
    x = np.zeros((1, 1, 28, 28), np.float32)
    assert "does not match" in error_of(s.layer_report, softnpu.InferenceSession(other), {"image": x})
