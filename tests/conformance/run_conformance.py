#!/usr/bin/python3
"""run_conformance.py - ONNX's backend test suites through npu-compile + npu-run.

Every test directory (model.onnx, test_data_set_*/input_N.pb, output_N.pb) of
libonnx-testdata's node, pytorch-converted, pytorch-operator and simple suites
is compiled with the default placement (the NPU takes what it can, the host
runs the rest) and run on the simulator:

  fp32 mode: --precision fp32; outputs must match ONNX's stored outputs with
    the backend runner's tolerance (rtol 1e-3, atol 1e-7; exact for integers
    and bool; NaN equals NaN).
  bfp mode (only for tests with nodes on the NPU): the target's default
    block-floating-point formats. Each matrix product on the NPU quantizes
    both operands to blocks of m magnitude bits (an element errs by at most
    2^-m of its block's largest magnitude, docs/numerics.md), so one product
    errs by at most about 2 * 2^-m of sum |a||b|; with P products in the model
    (Gemm, MatMul, Conv, LSTM, GRU, RNN nodes, an upper bound on those the NPU
    runs) the check allows |got - ref| <= 2^(3-m) * (P + 1) * max|ref| + the
    fp32 tolerance: a factor 4 of margin for cancellation (sum |a||b| over
    |sum ab|) and error carried from one product into the next.

A test listed for the mode in the expected-failures file (lines "test_name
MODES reason", MODES = comma-separated fp32, bfp, host or all; lines starting
with '#' are comments) must fail;
every other test must pass. --write-expected rewrites the file's entries for
the mode from this run (keeping the other modes' lines), with each failure's
first error line as its reason. --json writes every result, for
gen_onnx_support.py.

Usage: run_conformance.py --bin-dir DIR [--target T] [--mode fp32|bfp]
         [--expected-failures F] [--write-expected] [--json OUT] [--jobs N]
         [--work-dir D] [--suites node,...] [NAME_GLOB ...]
"""
import argparse
import fnmatch
import glob
import json
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
from npu_tools import artifact_formats, first_line  # noqa: E402

DATA = "/usr/share/libonnx-testdata/data"
SUITES = ["node", "pytorch-converted", "pytorch-operator", "simple"]
PRODUCTS = {"Gemm", "MatMul", "Conv", "LSTM", "GRU", "RNN"}


def graph_inputs(model):
    inits = {i.name for i in model.graph.initializer}
    return [i.name for i in model.graph.input if i.name not in inits]


def load_pb(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return t, numpy_helper.to_array(t)


def declared_types(values):
    return {v.name: v.type.tensor_type.elem_type for v in values}


def bf16_input(path, work, index):
    """ONNX 1.12's test data stores bfloat16 tensors as uint16: the same bits
    as a BFLOAT16 TensorProto, for npu-run."""
    t, _ = load_pb(path)
    if t.data_type != onnx.TensorProto.UINT16:
        return path
    t.data_type = onnx.TensorProto.BFLOAT16
    if not t.raw_data:
        t.raw_data = np.array(list(t.int32_data), dtype=np.uint16).tobytes()
        del t.int32_data[:]
    out = os.path.join(work, f"bf16_input_{index}.pb")
    with open(out, "wb") as f:
        f.write(t.SerializeToString())
    return out


def compare(got, want, want_type, tol_scale):
    """Empty when `got` matches `want`, else why not."""
    if want_type == onnx.TensorProto.BFLOAT16:  # stored as uint16 bit patterns
        want = (want.astype(np.uint32) << 16).view(np.float32)
        got = got.astype(np.float32)
    if got.shape != want.shape:
        return f"shape {list(got.shape)}, expected {list(want.shape)}"
    if want.dtype.kind in "fc":
        g = got.astype(np.float64)
        w = want.astype(np.float64)
        same = (g == w) | (np.isnan(g) & np.isnan(w))
        atol = 1e-7 + tol_scale * (np.nanmax(np.abs(w[np.isfinite(w)])) if np.isfinite(w).any() else 0.0)
        with np.errstate(invalid="ignore"):
            ok = same | (np.abs(g - w) <= atol + 1e-3 * np.abs(w))
        if not ok.all():
            i = int(np.argmin(ok.ravel()))
            return f"element {i} is {g.ravel()[i]:.6g}, expected {w.ravel()[i]:.6g}"
        return ""
    if got.dtype != want.dtype:
        return f"dtype {got.dtype}, expected {want.dtype}"
    if not np.array_equal(got, want):
        i = int(np.argmin((got == want).ravel()))
        return f"element {i} is {got.ravel()[i]}, expected {want.ravel()[i]}"
    return ""


def error_line(proc):
    """The first error line of a failed tool run (notes before it skipped)."""
    for line in (proc.stderr or "").splitlines():
        if "error:" in line:
            return line.strip()
    return first_line(proc)


def npu_segments(compile_stdout):
    """Whether the artifact has work on the NPU, from npu-compile's summary."""
    m = re.search(r"\((\d+) on the NPU", compile_stdout)
    if m:
        return int(m.group(1)) > 0
    return "instructions" in compile_stdout


def run_test(job):
    bin_dir, target, mode, test_dir, work = job
    name = os.path.basename(test_dir)
    out = {"name": name, "suite": os.path.basename(os.path.dirname(test_dir)), "mode": mode}
    try:
        model = onnx.load(os.path.join(test_dir, "model.onnx"), load_external_data=False)
    except Exception as e:  # noqa: BLE001 - a test we cannot even read
        out.update(ok=False, why=f"cannot load model.onnx: {e}")
        return out
    out["ops"] = sorted({n.op_type for n in model.graph.node})
    os.makedirs(work, exist_ok=True)
    art = os.path.join(work, f"{name}.{mode}.npu")
    argv = [os.path.join(bin_dir, "npu-compile"), os.path.join(test_dir, "model.onnx"), "-o", art,
            "--target", target, "--placement-report", os.path.join(work, f"{name}.placement.json")]
    if mode == "fp32":
        argv += ["--precision", "fp32"]
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        out.update(ok=False, why="npu-compile timed out")
        return out
    if proc.returncode != 0:
        out.update(ok=False, why="npu-compile: " + error_line(proc).replace("npu-compile: error: ", ""))
        return out
    try:
        with open(os.path.join(work, f"{name}.placement.json")) as f:
            out["placement"] = [{"op": n["op"], "where": n["where"]} for n in json.load(f)["nodes"]]
    except (OSError, ValueError, KeyError):
        pass
    out["npu"] = npu_segments(proc.stdout)
    if mode == "bfp" and not out["npu"]:
        out.update(ok=True, skipped=True, why="no NPU nodes")
        return out
    tol_scale = 0.0
    if mode == "bfp":
        fmts = artifact_formats(art)
        ms = [m for m in (fmts["weight"], fmts["input"]) if m is not None]
        if ms:
            products = sum(1 for n in model.graph.node if n.op_type in PRODUCTS)
            tol_scale = 2.0 ** (3 - min(ms)) * (products + 1)
    inputs = graph_inputs(model)
    outputs = [o.name for o in model.graph.output]
    in_types = declared_types(model.graph.input)
    out_types = declared_types(model.graph.output)
    for ds in sorted(glob.glob(os.path.join(test_dir, "test_data_set_*"))):
        feeds = [(n, os.path.join(ds, f"input_{i}.pb")) for i, n in enumerate(inputs)
                 if os.path.exists(os.path.join(ds, f"input_{i}.pb"))]
        feeds = [(n, bf16_input(p, work, i) if in_types.get(n) == onnx.TensorProto.BFLOAT16 else p)
                 for i, (n, p) in enumerate(feeds)]
        with tempfile.TemporaryDirectory(dir=work) as od:
            argv = [os.path.join(bin_dir, "npu-run"), art, "--output-dir", od]
            for n, p in feeds:
                argv += ["--input", f"{n}={p}"]
            try:
                proc = subprocess.run(argv, capture_output=True, text=True, timeout=300)
            except subprocess.TimeoutExpired:
                out.update(ok=False, why="npu-run timed out")
                return out
            if proc.returncode != 0:
                out.update(ok=False, why="npu-run: " + error_line(proc).replace("npu-run: error: ", ""))
                return out
            for i, n in enumerate(outputs):
                ref_t, ref = load_pb(os.path.join(ds, f"output_{i}.pb"))
                path = os.path.join(od, n.replace("/", "_") + ".npy")
                if not os.path.exists(path):
                    out.update(ok=False, why=f"npu-run wrote no output '{n}'")
                    return out
                ref_type = ref_t.data_type
                if out_types.get(n) == onnx.TensorProto.BFLOAT16 and ref_type == onnx.TensorProto.UINT16:
                    ref_type = onnx.TensorProto.BFLOAT16  # the test data's uint16 bit patterns
                why = compare(np.load(path), ref, ref_type, tol_scale)
                if why:
                    out.update(ok=False, why=f"output '{n}': {why}")
                    return out
    out.update(ok=True, why="")
    return out


def read_expected(path, mode):
    entries = {}
    if path and os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = "" if line.lstrip().startswith("#") else line.strip()
                parts = line.split(None, 2)
                if len(parts) >= 2 and (mode in parts[1].split(",") or parts[1] == "all"):
                    entries[parts[0]] = parts[2] if len(parts) > 2 else ""
    return entries


def clean_reason(why):
    """The first error line without file paths (they differ from run to run)."""
    why = re.sub(r"\S*/(model\.onnx|[^/ ]+\.npu|[^/ ]+\.pb): ", "", why)
    return re.sub(r"\s+", " ", why).strip()


def write_expected(path, mode, failures):
    """Replaces `mode`'s entries with `failures` ({name: why}), keeping the
    other modes'; a test failing the same way in several modes gets one line."""
    header, entries = [], {}  # (name, reason) -> set of modes
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                body = "" if line.lstrip().startswith("#") else line.strip()
                if not body:
                    if not entries:
                        header.append(line.rstrip("\n"))
                    continue
                parts = body.split(None, 2)
                modes = set(parts[1].split(",")) - {mode}
                if modes:
                    entries.setdefault((parts[0], parts[2] if len(parts) > 2 else ""), set()).update(modes)
    for name, why in failures.items():
        entries.setdefault((name, clean_reason(why)), set()).add(mode)
    order = {"fp32": 0, "bfp": 1, "host": 2}
    lines = [f"{name} {','.join(sorted(modes, key=lambda m: order.get(m, 9)))} {why}"
             for (name, why), modes in sorted(entries.items())]
    with open(path, "w") as f:
        f.write("\n".join(header + lines) + "\n")


def run_host(args, tests):
    """--mode host: host-conformance checks the expected failures itself;
    with --write-expected its failures become the file's host entries."""
    exe = os.path.join(args.bin_dir, "host-conformance")
    if not args.write_expected:
        return subprocess.run([exe, "--expected-failures", args.expected_failures] + tests).returncode
    proc = subprocess.run([exe] + tests, capture_output=True, text=True)
    failures = {}
    for line in proc.stdout.splitlines():
        m = re.match(r"FAIL (\S+): (.*)", line)
        if m:
            failures[m.group(1)] = "host: " + m.group(2)
    write_expected(args.expected_failures, "host", failures)
    print(proc.stdout.splitlines()[-1] if proc.stdout else "host-conformance printed nothing")
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin-dir", required=True)
    ap.add_argument("--target", default="brainwave-s10")
    ap.add_argument("--mode", choices=["fp32", "bfp", "host"], default="fp32",
                    help="host: the kernels alone, through host-conformance (no compiler)")
    ap.add_argument("--expected-failures", default=os.path.join(HERE, "expected_failures.txt"))
    ap.add_argument("--write-expected", action="store_true")
    ap.add_argument("--json")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--work-dir", default=None)
    ap.add_argument("--suites", default=",".join(SUITES))
    ap.add_argument("--data-dir", default=DATA)
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()

    tests = []
    for suite in args.suites.split(","):
        tests += sorted(d for d in glob.glob(os.path.join(args.data_dir, suite, "*"))
                        if os.path.exists(os.path.join(d, "model.onnx")))
    if args.names:
        tests = [t for t in tests if any(fnmatch.fnmatch(os.path.basename(t), g) for g in args.names)]
    if not tests:
        print("run_conformance: no tests found (is libonnx-testdata installed?)")
        return 1
    if args.mode == "host":
        return run_host(args, tests)
    work = args.work_dir or tempfile.mkdtemp(prefix="softnpu-conformance-")
    jobs = [(os.path.abspath(args.bin_dir), args.target, args.mode, t, os.path.join(work, os.path.basename(t)))
            for t in tests]
    with multiprocessing.Pool(args.jobs) as pool:
        results = pool.map(run_test, jobs, chunksize=4)

    expected = read_expected(args.expected_failures, args.mode)
    failures = {r["name"]: r["why"] for r in results if not r["ok"]}
    unexpected = 0
    for r in results:
        xfail = r["name"] in expected
        if r["ok"] and xfail:
            print(f"UNEXPECTED PASS {r['name']} ({args.mode}): remove it from {args.expected_failures}")
            unexpected += 1
        elif not r["ok"] and not xfail:
            print(f"FAIL {r['name']} ({args.mode}): {r['why']}")
            unexpected += 1
    if args.write_expected:
        write_expected(args.expected_failures, args.mode, failures)
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"target": args.target, "mode": args.mode, "results": results}, f, indent=1)
    ran = [r for r in results if not r.get("skipped")]
    passed = sum(1 for r in ran if r["ok"])
    by_suite = {}
    for r in ran:
        s = by_suite.setdefault(r["suite"], [0, 0])
        s[0] += r["ok"]
        s[1] += 1
    detail = ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(by_suite.items()))
    print(f"run_conformance ({args.mode}, {args.target}): {passed} of {len(ran)} pass ({detail}); "
          f"{unexpected} not as expected")
    return 0 if unexpected == 0 or args.write_expected else 1


if __name__ == "__main__":
    sys.exit(main())
