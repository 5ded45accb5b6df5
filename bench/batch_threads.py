#!/usr/bin/python3
"""batch_threads.py - throughput of a batch run on several threads against one thread (issue 13).

Writes the section "batch-threads" of docs/benchmarks.md.

A benchmark, not a test: its times depend on the machine and on what else runs on it.

For each Fashion-MNIST model of models/fashion_mnist (mlp, cnn, lstm, gru), compiled for TARGET
(default brainwave-s10), over the 10,000 test images (dataset-fashion-mnist):
  - npu-run: `npu-run M.npu --input image=x.npy --batch --threads T --output-dir D` for T = 1 and
    T = N (default: the machine's cores); wall time of the whole process (reading the 31 MB input,
    writing the outputs), the best of --repeat runs. The outputs of every T must be byte-identical.
  - Python: one softnpu.InferenceSession; 10,000 session.run() calls of one image each, on one
    thread, then split into N contiguous chunks run by N threads (concurrent.futures); the best of
    --repeat. The outputs must be bit-identical to the one-thread run's.
The ratio is images/s on N threads over images/s on one, measured in the same run; the issue's
target is >= 1.8 on 2 cores.

Usage: bench/batch_threads.py [--bin-dir build/bin] [--target T] [--threads N] [--repeat R]
                              [--work-dir D] [--output docs/benchmarks.md] [--no-write]
"""
import argparse
import concurrent.futures
import datetime
import filecmp
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "models", "fashion_mnist"))
sys.path.insert(0, os.path.join(REPO, "bench"))
import dataset  # noqa: E402
from timing import write_section  # noqa: E402

MODELS = ["mlp", "cnn", "lstm", "gru"]


def best_of(repeat, fn):
    best = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        took = time.perf_counter() - t0
        if best is None or took < best[0]:
            best = (took, result)
    return best


def npu_run(bin_dir, artifact, x_path, threads, out_dir):
    subprocess.run([os.path.join(bin_dir, "npu-run"), artifact, "--input", f"image={x_path}", "--batch",
                    "--threads", str(threads), "--output-dir", out_dir], check=True, capture_output=True)
    return out_dir


def python_runs(session, x, threads):
    def chunk(lo, hi):
        return [session.run(None, {"image": x[k:k + 1]})[0] for k in range(lo, hi)]
    if threads == 1:
        return chunk(0, len(x))
    bounds = np.linspace(0, len(x), threads + 1).astype(int)
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        parts = pool.map(lambda t: chunk(bounds[t], bounds[t + 1]), range(threads))
        return [y for part in parts for y in part]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin-dir", default=os.path.join(REPO, "build", "bin"))
    ap.add_argument("--target", default="brainwave-s10")
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--work-dir")
    ap.add_argument("--output", default=os.path.join(REPO, "docs", "benchmarks.md"))
    ap.add_argument("--no-write", action="store_true", help="print the section, do not write it")
    args = ap.parse_args()
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(args.bin_dir)), "python"))
    import softnpu

    work = args.work_dir or tempfile.mkdtemp(prefix="batch-threads-")
    x, _ = dataset.load("test")
    x_path = os.path.join(work, "x.npy")
    np.save(x_path, x)
    n = args.threads
    rows, failed = [], False
    for name in MODELS:
        artifact = os.path.join(work, f"{name}.npu")
        softnpu.compile(os.path.join(REPO, "models", "fashion_mnist", f"{name}.onnx"), target=args.target).save(artifact)
        one = best_of(args.repeat, lambda: npu_run(args.bin_dir, artifact, x_path, 1, os.path.join(work, f"{name}-1")))
        many = best_of(args.repeat, lambda: npu_run(args.bin_dir, artifact, x_path, n, os.path.join(work, f"{name}-n")))
        same_cli = all(filecmp.cmp(os.path.join(one[1], f), os.path.join(many[1], f), shallow=False)
                       for f in os.listdir(one[1]))
        session = softnpu.InferenceSession(artifact)
        py_one = best_of(args.repeat, lambda: python_runs(session, x, 1))
        py_many = best_of(args.repeat, lambda: python_runs(session, x, n))
        same_py = all(np.array_equal(a, b) for a, b in zip(py_one[1], py_many[1]))
        failed = failed or not (same_cli and same_py)
        rows.append((name, len(x) / one[0], len(x) / many[0], len(x) / py_one[0], len(x) / py_many[0],
                     same_cli and same_py))
        print(f"{name}: npu-run {rows[-1][1]:,.0f} -> {rows[-1][2]:,.0f} images/s ({rows[-1][2] / rows[-1][1]:.2f}x); "
              f"python {rows[-1][3]:,.0f} -> {rows[-1][4]:,.0f} ({rows[-1][4] / rows[-1][3]:.2f}x); "
              f"identical: {rows[-1][5]}", flush=True)

    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"## Batch runs on {n} threads (issue 13)", "",
        "<!-- Generated by bench/batch_threads.py; do not edit by hand. bench/timing.py keeps this section. -->", "",
        f"{date}, {os.cpu_count()} cores, target `{args.target}`, the 10,000 Fashion-MNIST test images, best of "
        f"{args.repeat}. npu-run: the whole process (`--batch --threads T`, reading the inputs and writing the "
        f"outputs); Python: one `InferenceSession`, one `run()` per image, the images split over T threads. "
        f"Target: >= 1.8x on 2 cores. Outputs on {n} threads are bit-identical to one thread's in every row. "
        f"An MLP run takes microseconds: the process's fixed costs (start, reading the input file, writing the "
        f"outputs) and, in Python, each call's conversions under the GIL do not shrink with threads, so its "
        f"ratio is lower; the other models spend their time in the simulator.", "",
        f"| model | npu-run, 1 thread (images/s) | npu-run, {n} threads | ratio | Python, 1 thread | "
        f"Python, {n} threads | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|"]
    for name, c1, cn, p1, pn, same in rows:
        lines.append(f"| {name} | {c1:,.0f} | {cn:,.0f} | {cn / c1:.2f} | {p1:,.0f} | {pn:,.0f} | {pn / p1:.2f} |"
                     + ("" if same else " OUTPUTS DIFFER"))
    body = "\n".join(lines)
    if args.no_write:
        print(body)
    elif write_section("batch_threads", args.output, "batch-threads", body):
        return 1
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
