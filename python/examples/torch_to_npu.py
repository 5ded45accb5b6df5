#!/usr/bin/python3
"""torch_to_npu.py - a torch model on the soft NPU: export, compile, run, check, report.

    PYTHONPATH=build/python /usr/bin/python3 python/examples/torch_to_npu.py [--out-dir DIR]

(from the repository root, after scripts/build.sh; docs/python.md). It builds a 2-layer MLP with
random weights (seed 0), exports it with torch.onnx.export into memory, compiles the bytes with
softnpu.compile for the 'tiny' target at the target's precision (msfp15) and at fp32, runs both with
softnpu.InferenceSession and compares them with a reference: onnxruntime when
scripts/fetch_models.sh has installed onnxruntime-node (build/models or $SOFTNPU_MODELS_DIR; run
through bench/ort_run.mjs), torch's own output otherwise. It prints the per-layer SNR of the msfp15
build against the fp32 build (layer_report) and the modelled cycles and latency of one run; with
matplotlib it writes layers_snr.png and node_cycles.png into --out-dir (default: the current folder).

Exits 1 when the NPU disagrees with the reference: fp32 beyond rtol = atol = 1e-5 (only the
accumulation order differs), msfp15 below 20 dB SNR.
"""
import argparse
import glob
import io
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import torch

import softnpu

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FP32_TOL = 1e-5  # rtol and atol of the fp32 build
MIN_SNR_DB = 20.0  # of the msfp15 build


def snr_db(got, ref):
    got, ref = np.asarray(got, np.float64), np.asarray(ref, np.float64)
    noise = np.sum((got - ref) ** 2)
    return float("inf") if noise == 0 else 10 * np.log10(np.sum(ref ** 2) / noise)


def ort_module():
    """onnxruntime-node as scripts/fetch_models.sh installs it, or None."""
    models = os.environ.get("SOFTNPU_MODELS_DIR", os.path.join(REPO, "build", "models"))
    module = os.path.join(models, "node_modules", "onnxruntime-node")
    found = glob.glob(os.path.join(module, "bin", "napi-v*", "linux", "x64", "libonnxruntime.so*"))
    return module if found and shutil.which("node") else None


def reference(onnx_bytes, model, x):
    """(name, output): onnxruntime's output when it is available, else torch's."""
    ort = ort_module()
    if ort:
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "model.onnx"), "wb") as f:
                f.write(onnx_bytes)
            np.save(os.path.join(tmp, "x.npy"), x)
            subprocess.run(["node", os.path.join(REPO, "bench", "ort_run.mjs"), "--ort", ort, "--model",
                            os.path.join(tmp, "model.onnx"), "--input", f"x={tmp}/x.npy", "--output-dir", tmp],
                           check=True, stdout=subprocess.DEVNULL)
            return "onnxruntime (onnxruntime-node, bench/ort_run.mjs)", np.load(os.path.join(tmp, "y.npy"))
    with torch.no_grad():
        return "torch (onnxruntime-node not fetched: bash scripts/fetch_models.sh)", model(torch.from_numpy(x)).numpy()


def plot(out_dir, layers, profile):
    try:
        import matplotlib
    except ImportError:
        print("plots skipped: matplotlib is not installed (apt install python3-matplotlib)")
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    charts = [("layers_snr.png", "SNR of the msfp15 build against fp32 (dB)",
               [n["node"] for n in layers["nodes"]], [float(n["snr_db"]) for n in layers["nodes"]]),
              ("node_cycles.png", f"modelled cycles per node on {profile['target']}",
               [n["name"] for n in profile["nodes"]], [n["cycles"] for n in profile["nodes"]])]
    for file, title, names, values in charts:
        fig, ax = plt.subplots(figsize=(6, 0.6 * len(names) + 1.2))
        ax.barh(names, values)
        ax.invert_yaxis()
        ax.set_title(title)
        fig.tight_layout()
        fig.savefig(os.path.join(out_dir, file))
        plt.close(fig)
        print("wrote", os.path.join(out_dir, file))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", default=".", help="where the plots go (default: the current folder)")
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)

    # A torch model, exported to ONNX in memory.
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10)).eval()
    x = torch.randn(8, 64)
    buf = io.BytesIO()
    torch.onnx.export(model, x, buf, input_names=["x"], output_names=["y"], opset_version=13)
    onnx_bytes = buf.getvalue()
    x = x.numpy()

    # Compile at the target's precision (msfp15 on 'tiny'); for the layer report, that build and an
    # fp32 one keep every node's tensor in DRAM (which costs cycles: the profile is of the first).
    narrow = softnpu.compile(onnx_bytes, target="tiny")
    narrow_kept = softnpu.compile(onnx_bytes, target="tiny", keep_intermediates=True)
    fp32 = softnpu.compile(onnx_bytes, target="tiny", precision="fp32", keep_intermediates=True)
    fmt = narrow.formats[0]["weight"]
    print(f"compiled for {narrow.target.name}: {fmt}, {narrow.sizes['instructions']} "
          f"instructions, {narrow.sizes['weight_bytes']} weight bytes (fp32: {fp32.sizes['weight_bytes']})")
    npu, npu_fp32 = softnpu.InferenceSession(narrow), softnpu.InferenceSession(fp32)
    (y,), profile = npu.run_with_profile(None, {"x": x})
    (y_fp32,) = npu_fp32.run(["y"], {"x": x})

    # Check against the reference.
    name, ref = reference(onnx_bytes, model, x)
    print("reference:", name)
    ok = np.allclose(y_fp32, ref, rtol=FP32_TOL, atol=FP32_TOL)
    print(f"fp32:   max abs err {np.max(np.abs(y_fp32 - ref)):.3g} "
          f"({'ok' if ok else 'FAIL'}, rtol = atol = {FP32_TOL:g})")
    snr = snr_db(y, ref)
    ok_narrow = snr >= MIN_SNR_DB
    print(f"{fmt}: SNR {snr:.2f} dB ({'ok' if ok_narrow else 'FAIL'}, at least {MIN_SNR_DB:g} dB)")

    # Where precision is lost: each node of the msfp15 build against the fp32 build.
    layers = softnpu.InferenceSession(narrow_kept).layer_report(npu_fp32, {"x": x})
    print(f"\n{'node':<24}{'shape':<10}{'SNR dB':>9}{'max abs err':>14}{'ref rms':>10}")
    for n in layers["nodes"] + layers["outputs"]:
        label = n.get("node") or "output " + n["output"]
        print(f"{label:<24}{str(n['shape']).replace(' ', ''):<10}{float(n['snr_db']):>9.2f}"
              f"{float(n['max_abs_err']):>14.4g}{float(n['ref_rms']):>10.4g}")

    # Where the cycles go (the timing model, not a board).
    print(f"\none run on {profile['target']}: {profile['cycles']} cycles, {profile['latency_us']:.2f} us at "
          f"{profile['clock_mhz']:g} MHz ({profile['total_us']:.2f} us in all, network queues included)")
    for n in profile["nodes"]:
        print(f"  {n['name']:<22}{n['cycles']:>8} cycles {n['share']:>6.1%}  {n['bound']}-bound")
    plot(args.out_dir, layers, profile)
    if not (ok and ok_narrow):
        print("torch_to_npu: error: the NPU disagrees with the reference", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
