#!/usr/bin/python3
"""accuracy.py - regenerates docs/accuracy.md: top-1 and weight-image size per number format.

A benchmark, not a test (it runs the full test set once per format; minutes).
For each model class (the Fashion-MNIST MLP, the CNN and the LSTM and GRU
sequence classifiers of models/fashion_mnist)
and each precision it compiles the model with `npu-compile --precision P`, runs
the whole test set with

    npu-run P.npu --batch --input image=images.npy --labels labels.npy --reference fp32.npu

and records the NPU's top-1, its difference to the fp32 artifact's top-1, how
often the two predictions agree, and the weight-image size npu-compile reports.
No calibration: every format quantizes the trained fp32 weights directly. It also
evaluates the ONNX graph in numpy (tests/e2e/onnx_numpy_ref.py) as an independent
fp32 top-1. The targets are checked and shown as PASS/FAIL: for the MLP (issue
3) and the CNN (issue 11) msfp16 within 0.5 points of fp32 and msfp12 within 2
points; for the LSTM and GRU (issue 5) msfp16 within 1 point.

Usage:
  bench/accuracy.py --bin-dir build/bin [--target brainwave-s10] [--limit N]
                    [--output docs/accuracy.md] [--work-dir D] [--data-dir D]
                    [--formats fp32,msfp16,...]
Exits 1 when a tool fails (a missed accuracy target is reported, not an error,
unless --strict is given).
"""
import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
sys.path.insert(0, os.path.join(REPO, "models", "fashion_mnist"))
import dataset  # noqa: E402
import onnx  # noqa: E402
import onnx_numpy_ref  # noqa: E402
from npu_tools import DEFAULT_BIN_DIR, ToolError, Tools, first_line  # noqa: E402

FORMATS = ["fp32", "msfp16", "msfp12", "mxfp8_e4m3", "mxint8", "mxfp6_e2m3", "mxfp4"]
# Accuracy targets: format -> largest allowed |top-1 - fp32 top-1| (points); the
# MLP's are issue 3's (the CNN's, issue 11's, are the same), the recurrent
# classifiers' issue 5's.
TARGETS = {"msfp16": 0.5, "msfp12": 2.0}
RNN_TARGETS = {"msfp16": 1.0}
# Model classes: name, ONNX file, input name, how to load its test set, targets.
_FMNIST = os.path.join(REPO, "models", "fashion_mnist")
MODELS = [
    ("Fashion-MNIST MLP", os.path.join(_FMNIST, "mlp.onnx"), "image",
     lambda data_dir: dataset.load("test", data_dir), TARGETS),
    ("Fashion-MNIST CNN (two 3x3 convolutions and max pools, two Gemms)", os.path.join(_FMNIST, "cnn.onnx"),
     "image", lambda data_dir: dataset.load("test", data_dir), TARGETS),
    ("Fashion-MNIST LSTM (28 steps x 28 features, hidden 128)", os.path.join(_FMNIST, "lstm.onnx"), "image",
     lambda data_dir: dataset.load("test", data_dir), RNN_TARGETS),
    ("Fashion-MNIST GRU (28 steps x 28 features, hidden 128)", os.path.join(_FMNIST, "gru.onnx"), "image",
     lambda data_dir: dataset.load("test", data_dir), RNN_TARGETS),
]


def fail(msg):
    print(f"accuracy: error: {msg}", file=sys.stderr)
    return 1


def parse_top1(text, label):
    m = re.search(rf"^{re.escape(label)}: ([0-9.]+)% \((\d+)/(\d+)\)$", text, re.M)
    if not m:
        raise ToolError(f"npu-run printed no '{label}' line:\n{text.strip()}")
    return int(m.group(2)), int(m.group(3))


def weight_image_bytes(tools, compile_stdout, artifact):
    m = re.search(r"(\d+)-byte weight image", compile_stdout)
    if m:
        return int(m.group(1))
    proc = subprocess.run([tools.path("npu-objdump"), artifact], capture_output=True, text=True, timeout=600)
    m = re.search(r"^weight image: (\d+) bytes", proc.stdout, re.M)
    if not m:
        raise ToolError(f"cannot find the weight-image size of {artifact}")
    return int(m.group(1))


def target_fields(artifact):
    """(mfu_format, rounding) from the target JSON an artifact embeds ('?' when absent)."""
    with open(artifact, "rb") as f:
        text = f.read().decode("latin-1")
    found = []
    for key in ("mfu_format", "rounding"):
        m = re.search(rf'"{key}"\s*:\s*"([^"]+)"', text)
        found.append(m.group(1) if m else "?")
    return tuple(found)


def bench_model(tools, name, model_path, input_name, load, args, work):
    images, labels = load(args.data_dir)
    if args.limit:
        images, labels = images[:args.limit], labels[:args.limit]
    n = len(images)
    images_path = os.path.join(work, "images.npy")
    labels_path = os.path.join(work, "labels.npy")
    np.save(images_path, np.ascontiguousarray(images, dtype=np.float32))
    np.save(labels_path, labels.astype(np.int64))

    model = onnx.load(model_path)
    output = model.graph.output[0].name
    ref = onnx_numpy_ref.run_each(model, input_name, images, output)
    numpy_hits = int((ref.argmax(1) == labels).sum())
    print(f"{name}: {n} images; numpy fp32 top-1 {100.0 * numpy_hits / n:.2f}%", flush=True)

    artifacts, sizes, compile_lines = {}, {}, {}
    for fmt in dict.fromkeys(["fp32"] + args.formats):
        out = os.path.join(work, f"{fmt.replace(':', '_').replace(',', '_').replace('=', '')}.npu")
        proc = tools.compile(model_path, out, target=args.target, precision=fmt)
        if proc.returncode != 0:
            raise ToolError(f"npu-compile --precision {fmt} failed: {first_line(proc)}")
        artifacts[fmt] = out
        sizes[fmt] = weight_image_bytes(tools, proc.stdout, out)
        compile_lines[fmt] = proc.stdout.strip()

    rows = []
    for fmt in args.formats:
        argv = [tools.path("npu-run"), artifacts[fmt], "--batch", "--input", f"{input_name}={images_path}",
                "--labels", labels_path, "--reference", artifacts["fp32"]]
        t0 = time.time()
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=7200)
        except subprocess.TimeoutExpired:
            raise ToolError(f"npu-run timed out: {shlex.join(argv)}")
        seconds = time.time() - t0
        if proc.returncode != 0:
            raise ToolError(f"npu-run --precision {fmt} run failed: {first_line(proc)}")
        hits, total = parse_top1(proc.stdout, "NPU top-1")
        ref_hits, _ = parse_top1(proc.stdout, "fp32 top-1")
        agree, _ = parse_top1(proc.stdout, "agreement")
        if total != n:
            raise ToolError(f"npu-run counted {total} images, expected {n}")
        mfu, rounding = target_fields(artifacts[fmt])
        rows.append({"format": fmt, "hits": hits, "ref_hits": ref_hits, "agree": agree, "n": n,
                     "bytes": sizes[fmt], "fp32_bytes": sizes["fp32"], "mfu": mfu, "rounding": rounding,
                     "seconds": seconds})
        print(f"  {fmt:>12}: top-1 {100.0 * hits / n:6.2f}%  fp32 {100.0 * ref_hits / n:6.2f}%  "
              f"agreement {100.0 * agree / n:6.2f}%  weight image {sizes[fmt]} bytes  ({seconds:.0f}s)", flush=True)
    return {"name": name, "model": os.path.relpath(model_path, REPO), "n": n, "numpy_hits": numpy_hits,
            "rows": rows, "fp32_line": compile_lines["fp32"]}


def pct(hits, n):
    return 100.0 * hits / n


def render(results, args, command):
    roundings = sorted({row["rounding"] for r in results for row in r["rows"]})
    lines = ["# Accuracy by number format",
             "",
             "<!-- Generated by bench/accuracy.py; do not edit by hand. -->",
             "",
             "Top-1 accuracy of each model on its test set (image count in each heading), compiled with",
             "`npu-compile --precision FORMAT` and run on the bit-accurate simulator, against the",
             "same model compiled at fp32. No calibration: weights are the trained fp32 values",
             "quantized by the compiler; matrix-unit inputs are quantized at run time.",
             f"Target: `{args.target}`, rounding {', '.join(roundings) or '?'};",
             "*MFU format* is the multifunction units' format the artifact was compiled for.",
             "",
             "Columns: *top-1* of the NPU run; *vs fp32* = top-1 minus the fp32 artifact's top-1,",
             "in points; *agreement* = images where the format and the fp32 artifact predict the",
             "same class; *weight image* = bytes of the artifact's weight image (each matrix at its",
             "real extent in the format, artifact format 2, plus the fp32 bias vectors), as npu-compile",
             "reports it.",
             ""]
    verdicts = []
    for r in results:
        n = r["n"]
        lines += [f"## {r['name']} (`{r['model']}`, {n} test images)", "",
                  f"fp32 top-1 of an independent numpy evaluation of the ONNX graph: "
                  f"{pct(r['numpy_hits'], n):.2f}%.", "",
                  "| format | top-1 | vs fp32 | agreement | weight image (bytes) | vs fp32 size | MFU format |",
                  "|---|---:|---:|---:|---:|---:|---|"]
        for row in r["rows"]:
            diff = pct(row["hits"], n) - pct(row["ref_hits"], n)
            lines.append(f"| {row['format']} | {pct(row['hits'], n):.2f}% | {diff:+.2f} | "
                         f"{pct(row['agree'], n):.2f}% | {row['bytes']:,} | "
                         f"{row['bytes'] / row['fp32_bytes']:.3f} | {row['mfu']} |")
            targets = r.get("targets", TARGETS)
            if row["format"] in targets:
                bound = targets[row["format"]]
                ok = abs(diff) <= bound + 1e-9
                verdicts.append((r["name"], row["format"], bound, diff, ok))
        lines.append("")
    lines += ["## Targets (issues 3, 5 and 11)", "",
              "| model | format | target | measured vs fp32 | result |", "|---|---|---|---:|---|"]
    for name, fmt, bound, diff, ok in verdicts:
        lines.append(f"| {name} | {fmt} | within {bound:g} point{'s' if bound != 1 else ''} of fp32 | "
                     f"{diff:+.2f} | {'PASS' if ok else 'FAIL'} |")
    lines += ["", "## Regenerating", "",
              "Build the tools (npu-compile needs `SOFTNPU_BUILD_COMPILER=ON`), then:", "",
              "```sh",
              "/usr/bin/python3 bench/accuracy.py --bin-dir build/bin",
              "```", "",
              f"This table: `{command}`.",
              "Options: `--target T`, `--formats a,b,...`, `--limit N` (first N images, for a quick look;",
              "the committed table uses the full test set), `--output FILE`, `--strict` (exit 1 when a",
              "target is missed). To see where accuracy is lost inside a model, use",
              "`npu-run model.npu --reference fp32.npu --input ... --layer-report` (docs/reports.md).", ""]
    return "\n".join(lines), verdicts


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin-dir", default=DEFAULT_BIN_DIR)
    ap.add_argument("--target", default="brainwave-s10")
    ap.add_argument("--formats", default=",".join(FORMATS),
                    help="comma-separated precisions (default: %(default)s); 'bfp:m=M,k=K' may be given "
                         "with ';' as separator instead")
    ap.add_argument("--limit", type=int, help="use only the first N test images")
    ap.add_argument("--output", default=os.path.join(REPO, "docs", "accuracy.md"))
    ap.add_argument("--work-dir")
    ap.add_argument("--data-dir", default=dataset.DEFAULT_DIR)
    ap.add_argument("--strict", action="store_true", help="exit 1 when an accuracy target is missed")
    args = ap.parse_args()
    sep = ";" if ";" in args.formats else ","
    args.formats = [f.strip() for f in args.formats.split(sep) if f.strip()]

    tools = Tools(args.bin_dir)
    work = args.work_dir or tempfile.mkdtemp(prefix="softnpu-accuracy-")
    results = []
    try:
        tools.require("npu-compile", "npu-run")
        for name, path, input_name, load, targets in MODELS:
            model_work = os.path.join(work, re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").lower())
            os.makedirs(model_work, exist_ok=True)
            result = bench_model(tools, name, path, input_name, load, args, model_work)
            result["targets"] = targets
            results.append(result)
    except (ToolError, OSError, ValueError, onnx_numpy_ref.RefError) as e:
        return fail(str(e))

    shown = ["bench/accuracy.py", "--bin-dir", "build/bin", "--target", args.target]
    if args.formats != FORMATS:
        shown += ["--formats", ",".join(args.formats)]
    if args.limit:
        shown += ["--limit", str(args.limit)]
    text, verdicts = render(results, args, " ".join(shlex.quote(a) for a in shown))
    with open(args.output, "w") as f:
        f.write(text)
    print(f"wrote {args.output}")
    for name, fmt, bound, diff, ok in verdicts:
        print(f"{'PASS' if ok else 'FAIL'}: {name} {fmt} {diff:+.2f} points vs fp32 (target: within {bound:g})")
    return 1 if args.strict and not all(v[-1] for v in verdicts) else 0


if __name__ == "__main__":
    sys.exit(main())
