"""InferenceSession: outputs bit-identical to npu-run, agreement with independent references,
and the profile, trace and layer report equal to npu-run's."""
import glob
import json
import os
import subprocess

import numpy as np
import pytest

import softnpu
from conftest import REPO

import onnx_numpy_ref  # tests/e2e: an independent numpy interpreter of ONNX graphs


def npu_run(bin_dir, artifact, *args):
    proc = subprocess.run([os.path.join(bin_dir, "npu-run"), artifact, *args], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def snr_db(got, ref):
    got, ref = np.asarray(got, np.float64), np.asarray(ref, np.float64)
    noise = np.sum((got - ref) ** 2)
    return np.inf if noise == 0 else 10 * np.log10(np.sum(ref ** 2) / noise)


def test_inputs_and_outputs(mlp):
    s = softnpu.InferenceSession(mlp[1])
    (i,), (o,) = s.get_inputs(), s.get_outputs()
    assert (i.name, i.shape, i.type) == ("image", [1, 1, 28, 28], "tensor(float)")
    assert (o.name, o.shape, o.type) == ("logits", [1, 10], "tensor(float)")
    assert s.artifact.to_bytes() == mlp[0].to_bytes()


def test_bit_identical_to_npu_run(mlp, images, bin_dir, tmp_path):
    _, path = mlp
    x = images[0][:16]
    np.save(tmp_path / "x.npy", x)
    npu_run(bin_dir, path, "--input", f"image={tmp_path / 'x.npy'}", "--batch", "--output-dir", str(tmp_path))
    cli = np.load(tmp_path / "logits.npy")
    s = softnpu.InferenceSession(path, target="tiny")
    got = np.concatenate([s.run(["logits"], {"image": x[k:k + 1]})[0] for k in range(16)])
    assert got.dtype == np.float32 and cli.dtype == np.float32
    assert np.array_equal(got, cli)
    # npu-run's .npy types: an int64 array for the float32 input is converted as npu-run converts it.
    whole = np.round(x[:1] * 255).astype(np.int64)
    assert np.array_equal(s.run(None, {"image": whole})[0], s.run(None, {"image": whole.astype(np.float32)})[0])
    # A non-contiguous view runs the same as its copy.
    view = np.asfortranarray(x[:1])
    assert np.array_equal(s.run(None, {"image": view})[0], got[:1])


def test_fp32_agrees_with_the_numpy_reference(mlp_path, mlp_fp32, images):
    """At fp32 only the accumulation order differs from the float64 reference."""
    s = softnpu.InferenceSession(mlp_fp32[0])
    for k in range(8):
        x = images[0][k:k + 1]
        ref = onnx_numpy_ref.run(mlp_path, {"image": x})["logits"]
        (y,) = s.run(None, {"image": x})
        np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)


# msfp15 keeps 5 magnitude bits per element under its block's shared exponent: about 6 dB per bit,
# 30 dB for each quantised operand. The bundled models' outputs measure 37-42 dB against fp32
# references (docs/accuracy.md has the top-1 figures).
MSFP15_MIN_SNR_DB = 30


def test_msfp15_agrees_with_the_numpy_reference(mlp_path, mlp, images):
    s = softnpu.InferenceSession(mlp[0])
    x, _ = images
    got = np.concatenate([s.run(None, {"image": x[k:k + 1]})[0] for k in range(len(x))])
    ref = np.concatenate([onnx_numpy_ref.run(mlp_path, {"image": x[k:k + 1]})["logits"] for k in range(len(x))])
    assert snr_db(got, ref) >= MSFP15_MIN_SNR_DB


def ort_module():
    """onnxruntime-node, when scripts/fetch_models.sh has installed it (not in CI: npm)."""
    models = os.environ.get("SOFTNPU_MODELS_DIR", os.path.join(REPO, "build", "models"))
    module = os.path.join(models, "node_modules", "onnxruntime-node")
    found = glob.glob(os.path.join(module, "bin", "napi-v*", "linux", "x64", "libonnxruntime.so*"))
    return module if found else None


@pytest.mark.skipif(ort_module() is None, reason="onnxruntime-node not fetched (scripts/fetch_models.sh)")
@pytest.mark.parametrize("model", ["mlp", "cnn", "lstm", "gru"])
def test_agrees_with_onnxruntime(model, images, tmp_path):
    """Every bundled model on brainwave-s10 (the LSTM's weights do not fit tiny's MRF), 64 images:
    fp32 within the accumulation-order tolerance, msfp15 above MSFP15_MIN_SNR_DB."""
    path = os.path.join(REPO, "models", "fashion_mnist", f"{model}.onnx")
    x = images[0][:64]
    np.save(tmp_path / "x.npy", x)
    proc = subprocess.run(["node", os.path.join(REPO, "bench", "ort_run.mjs"), "--ort", ort_module(), "--model",
                           path, "--input", f"image={tmp_path / 'x.npy'}", "--batch", "--output-dir",
                           str(tmp_path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    (out,) = [f for f in os.listdir(tmp_path) if f.endswith(".npy") and f != "x.npy"]
    ort = np.load(tmp_path / out)
    for precision in ("fp32", None):
        s = softnpu.InferenceSession(softnpu.compile(path, target="brainwave-s10", precision=precision))
        got = np.concatenate([s.run(None, {"image": x[k:k + 1]})[0] for k in range(len(x))])
        if precision == "fp32":
            np.testing.assert_allclose(got, ort, rtol=1e-5, atol=1e-5)
        else:
            assert snr_db(got, ort) >= MSFP15_MIN_SNR_DB


def without_wall_clock(report):
    return {k: v for k, v in report.items() if "wall" not in k}


def test_profile_is_npu_runs(mlp, images, bin_dir, tmp_path):
    _, path = mlp
    x = images[0][:1]
    np.save(tmp_path / "x.npy", x)
    cli = json.loads(npu_run(bin_dir, path, "--input", f"image={tmp_path / 'x.npy'}", "--profile", "--report=json"))
    outputs, profile = softnpu.InferenceSession(path).run_with_profile(None, {"image": x})
    assert without_wall_clock(profile) == without_wall_clock(cli)
    assert profile["cycles"] > 0 and outputs[0].shape == (1, 10)


def test_trace_is_npu_runs(mlp, images, bin_dir, tmp_path):
    _, path = mlp
    x = images[0][:1]
    np.save(tmp_path / "x.npy", x)
    npu_run(bin_dir, path, "--input", f"image={tmp_path / 'x.npy'}", f"--trace={tmp_path / 'cli.json'}")
    softnpu.InferenceSession(path).trace(tmp_path / "api.json", {"image": x})
    api = json.load(open(tmp_path / "api.json"))
    assert api == json.load(open(tmp_path / "cli.json"))
    assert len(api["traceEvents"]) > 0


def test_layer_report_is_npu_runs(mlp_path, mlp_fp32, images, bin_dir, tmp_path):
    narrow = softnpu.compile(mlp_path, target="tiny", keep_intermediates=True)
    narrow.save(tmp_path / "narrow.npu")
    x = images[0][:1]
    np.save(tmp_path / "x.npy", x)
    npu_run(bin_dir, str(tmp_path / "narrow.npu"), "--reference", mlp_fp32[1], "--input",
            f"image={tmp_path / 'x.npy'}", f"--layer-report={tmp_path / 'layers.json'}")
    cli = json.load(open(tmp_path / "layers.json"))
    api = softnpu.InferenceSession(narrow).layer_report(softnpu.InferenceSession(mlp_fp32[1]), {"image": x})
    for key in ("model", "reference"):
        del cli[key], api[key]
    assert api == cli
    assert len(api["nodes"]) >= 3 and all(float(n["snr_db"]) > 20 for n in api["nodes"])
