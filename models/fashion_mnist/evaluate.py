#!/usr/bin/python3
"""evaluate.py - Fashion-MNIST accuracy of a model on the NPU simulator vs fp32.

Writes the test images as one .npy [N,1,28,28] float32, compiles the model with
npu-compile, runs all images with `npu-run --batch --output-dir`, and compares
the NPU's top-1 accuracy with the fp32 top-1 of an independent numpy evaluation
of the same ONNX graph (tests/e2e/onnx_numpy_ref.py). Prints both accuracies,
how often the two agree, and image 0's output vectors side by side.

Usage:
  evaluate.py --bin-dir DIR [--model mlp.onnx] [--target T] [--precision P]
              [--limit N] [--assert-within POINTS] [--work-dir D]
With --assert-within P, exits 1 unless |NPU top-1 - fp32 top-1| <= P points.
"""
import argparse
import os
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
import dataset  # noqa: E402
import onnx  # noqa: E402
import onnx_numpy_ref  # noqa: E402
from npu_tools import DEFAULT_BIN_DIR, ToolError, Tools, first_line, output_file  # noqa: E402


def fail(msg):
    print(f"evaluate: error: {msg}", file=sys.stderr)
    return 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin-dir", default=DEFAULT_BIN_DIR)
    ap.add_argument("--model", default=os.path.join(HERE, "mlp.onnx"))
    ap.add_argument("--target", help="target preset or JSON file (default: the compiler's)")
    ap.add_argument("--precision", help="fp32, msfp12..msfp16 or bfp:m=M,k=K (default: the target's)")
    ap.add_argument("--limit", type=int, help="evaluate only the first N test images")
    ap.add_argument("--assert-within", type=float, metavar="POINTS",
                    help="fail unless NPU and fp32 top-1 differ by at most POINTS")
    ap.add_argument("--work-dir", help="where images, artifact and outputs go (default: temp dir)")
    ap.add_argument("--data-dir", default=dataset.DEFAULT_DIR)
    args = ap.parse_args()

    tools = Tools(args.bin_dir)
    try:
        tools.require("npu-compile", "npu-run")
    except ToolError as e:
        return fail(str(e))
    if not os.path.exists(args.model):
        return fail(f"{args.model} not found (train it with its models/fashion_mnist/train_*.py script)")
    model = onnx.load(args.model)
    inputs = onnx_numpy_ref.graph_inputs(model)
    outputs = [o.name for o in model.graph.output]
    if len(inputs) != 1 or len(outputs) != 1:
        return fail(f"{args.model}: expected one input and one output, got {inputs} -> {outputs}")

    try:
        images, labels = dataset.load("test", args.data_dir)
    except (OSError, ValueError) as e:
        return fail(str(e))
    if args.limit is not None:
        images, labels = images[:args.limit], labels[:args.limit]
    n = len(images)
    if n == 0:
        return fail("no images to evaluate")

    work = args.work_dir or tempfile.mkdtemp(prefix="softnpu-fmnist-")
    os.makedirs(work, exist_ok=True)
    images_path = os.path.join(work, "images.npy")
    np.save(images_path, np.ascontiguousarray(images, dtype=np.float32))
    artifact = os.path.join(work, "model.npu")
    out_dir = os.path.join(work, "out")

    try:
        t0 = time.time()
        proc = tools.compile(args.model, artifact, target=args.target, precision=args.precision)
        if proc.returncode != 0:
            return fail(f"npu-compile failed (exit {proc.returncode}): {first_line(proc)}")
        t1 = time.time()
        proc = tools.run(artifact, [(inputs[0], images_path)], output_dir=out_dir, batch=True,
                         timeout=3600)
        if proc.returncode != 0:
            return fail(f"npu-run failed (exit {proc.returncode}): {first_line(proc)}")
        t2 = time.time()
    except ToolError as e:
        return fail(str(e))

    out_path = output_file(out_dir, outputs[0])
    if not os.path.exists(out_path):
        return fail(f"npu-run wrote no {out_path}")
    npu = np.load(out_path)
    if npu.shape[0] != n:
        return fail(f"{out_path}: {npu.shape[0]} rows for {n} images (shape {list(npu.shape)})")
    npu = npu.reshape(n, -1)

    ref = onnx_numpy_ref.run_each(model, inputs[0], images, outputs[0])
    npu_pred, ref_pred = npu.argmax(1), ref.argmax(1)
    npu_acc = 100.0 * float((npu_pred == labels).mean())
    ref_acc = 100.0 * float((ref_pred == labels).mean())
    agree = 100.0 * float((npu_pred == ref_pred).mean())
    diff = npu_acc - ref_acc

    print(f"model {os.path.basename(args.model)}, target {args.target or '(default)'}, "
          f"precision {args.precision or '(target default)'}, {n} images")
    print(f"compile {t1 - t0:.1f}s, run {t2 - t1:.1f}s")
    print(f"NPU  top-1: {npu_acc:6.2f}%")
    print(f"fp32 top-1: {ref_acc:6.2f}%   (numpy reference)")
    print(f"difference: {diff:+.2f} points; NPU and fp32 agree on {agree:.2f}% of images")
    print(f"image 0 (label {labels[0]} {dataset.CLASS_NAMES[labels[0]]!r}), output '{outputs[0]}':")
    print(f"  {'class':>5}  {'NPU':>12}  {'fp32':>12}  {'NPU-fp32':>11}")
    for c in range(npu.shape[1]):
        mark = "  <- NPU" if c == npu_pred[0] else ""
        mark += "  <- fp32" if c == ref_pred[0] else ""
        print(f"  {c:>5}  {npu[0, c]:12.6f}  {ref[0, c]:12.6f}  {npu[0, c] - ref[0, c]:+11.2e}{mark}")
    print(f"  max |NPU - fp32| over all images: {float(np.abs(npu - ref).max()):.3g}")

    if args.assert_within is not None:
        if abs(diff) > args.assert_within:
            print(f"FAIL: |NPU - fp32| = {abs(diff):.2f} points > {args.assert_within}")
            return 1
        print(f"OK: |NPU - fp32| = {abs(diff):.2f} points <= {args.assert_within}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
