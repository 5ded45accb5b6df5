#!/usr/bin/python3
"""run_node_tests.py - runs ONNX backend node tests through npu-compile + npu-run.

Each test (a directory of /usr/share/libonnx-testdata/data/node with model.onnx
and test_data_set_*/input_N.pb, output_N.pb) is compiled for --target and run on
the simulator; graph inputs (initializers excluded) are matched to input_N.pb by
position. The expected values are ONNX's stored output_N.pb.

--mode fp32: compiled with --precision fp32, checked by npu-run itself with
  --compare output=output_N.pb --atol 1e-5 --rtol 1e-5 (pass iff
  |npu - ref| <= atol + rtol*|ref| everywhere). Not bit-exact on purpose: the NPU
  accumulates a dot product in fp32 in its own documented order (per tile, lane
  by lane, no FMA) while the reference was computed by numpy, whose summation
  order (pairwise/BLAS blocking) differs, and expf/tanhf may differ from numpy's
  exp/tanh in the last ulp. For these tests' magnitudes (|values| of order 1,
  K <= a few tens) both effects are around 1e-6.

--mode bfp: compiled at the target's default precision (block floating point),
  run with --output-dir, and checked here in numpy element by element:
  * Element-wise ops (Add, Relu, Sigmoid, Tanh, Flatten, Identity, and the bias
    of Gemm) run in fp32 on the NPU's multifunction units, so they use the fp32
    tolerance above: tol_fp32 = 1e-5 + 1e-5*|ref|.
  * A product Y = alpha * A'B' (+ beta*C) with A' M x K and B' K x N, both operands
    in BFP with m magnitude bits per element (blocks along K; the formats are read
    from the target JSON the artifact embeds; if weight and input formats differ
    the smaller m is used for both). Quantizing a block with shared exponent
    E = floor(log2 max|block|) uses step 2^(E-m+1); round to nearest errs by at
    most half a step, 2^(E-m) <= 2^-m * max|block| <= 2^-m * max over the whole
    row/column (the block max is <= the row/column max). So
        e_A(i) = 2^-m * max_k |A'_ik|,   e_B(j) = 2^-m * max_k |B'_kj|
    bound the per-element errors of row i of A' and column j of B'. Refinements
    that keep the bound rigorous: an element rounded up to 2^m and saturated to
    2^m - 1 errs by up to one step, which only happens when the block max is
    >= (2^m - 1/2) steps, so all of e_A, e_B are multiplied by 1/(1 - 2^-(m+1));
    with rounding toward zero they are doubled; 2^(-126-m) is added for blocks
    whose exponent is clamped at -126 (docs/numerics.md derives the same bound).
    Then, per output element,
        |err_ij| <= |alpha| * sum_k (|A'_ik| e_B(j) + |B'_kj| e_A(i) + e_A(i) e_B(j))
                  + K * 2^-23 * |alpha| * sum_k |A'_ik| |B'_kj|     (fp32 accumulation)
                  + tol_fp32                                        (bias add, output)
    (the product of the quantized values differs from A'_ik B'_kj by at most
    |A'_ik| e_B + |B'_kj| e_A + e_A e_B; per-block integer sums are exact, and
    converting them and accumulating K terms in fp32 costs at most K unit
    roundoffs 2^-24 of sum |A'||B'|, doubled to 2^-23 for margin, e.g. for the
    quantized magnitudes exceeding the originals by e).
  A graph with more than one Gemm/MatMul is not supported by this check.
  * A graph of one LSTM, GRU or RNN node: the bound of rnn_bfp_bound.py, the
    same product bound per timestep carried through the recurrence (activations
    by their Lipschitz constants, products of perturbed values exactly).

Usage:
  run_node_tests.py --bin-dir DIR [--target T] [--mode fp32|bfp] [--list FILE]
                    [--work-dir D] [--data-dir D] [NAME ...]
Prints "PASS/FAIL name (mode): detail" per test and "N passed, M failed";
exits 1 if any failed (or nothing ran).
"""
import argparse
import os
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from node_test_data import DEFAULT_DATA_DIR, Case, read_list  # noqa: E402
import npu_tools  # noqa: E402
from npu_tools import ToolError, Tools, first_line  # noqa: E402
from onnx_numpy_ref import load_tensor  # noqa: E402
from rnn_bfp_bound import recurrent_bounds  # noqa: E402
import onnx  # noqa: E402
from onnx import numpy_helper  # noqa: E402

FP32_ATOL = 1e-5
FP32_RTOL = 1e-5
MATMUL_OPS = ("Gemm", "MatMul")


def product_bound(model, feeds, m, rounding):
    """Element-wise bound of the BFP error of the graph's one Gemm/MatMul, or None."""
    nodes = [n for n in model.graph.node if n.op_type in MATMUL_OPS]
    if not nodes:
        return None
    if len(nodes) > 1:
        raise ValueError("bfp bound supports one Gemm/MatMul per graph")
    node = nodes[0]
    values = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    values.update(feeds)
    attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
    a = np.abs(values[node.input[0]].astype(np.float64))
    b = np.abs(values[node.input[1]].astype(np.float64))
    if node.op_type == "Gemm":
        if attrs.get("transA", 0):
            a = a.T
        if attrs.get("transB", 0):
            b = b.T
        alpha = abs(float(attrs.get("alpha", 1.0)))
    else:
        alpha = 1.0
    if a.ndim != 2 or b.ndim != 2:
        raise ValueError("bfp bound supports 2-D products only")
    k = a.shape[1]
    scale = 2.0 ** -m / (1.0 - 2.0 ** -(m + 1))
    if "zero" in rounding.lower():
        scale *= 2.0
    tiny = 2.0 ** (-126 - m)
    e_a = scale * a.max(axis=1, keepdims=True) + tiny   # [M,1]
    e_b = scale * b.max(axis=0, keepdims=True) + tiny   # [1,N]
    quant = a.sum(axis=1, keepdims=True) * e_b + e_a * b.sum(axis=0, keepdims=True) + k * e_a * e_b
    accum = k * 2.0 ** -23 * (a @ b)
    return alpha * (quant + accum)


def run_case(tools, case, args, work):
    """Returns (ok, detail)."""
    os.makedirs(work, exist_ok=True)
    artifact = os.path.join(work, "model.npu")
    proc = tools.compile(case.model_path, artifact, target=args.target,
                         precision="fp32" if args.mode == "fp32" else None)
    if proc.returncode != 0:
        return False, f"npu-compile exit {proc.returncode}: {first_line(proc)}"
    details = []
    for ds in case.data_sets:
        tag = os.path.basename(ds)
        if args.mode == "fp32":
            proc = tools.run(artifact, case.input_files(ds), compare=case.output_files(ds),
                             atol=FP32_ATOL, rtol=FP32_RTOL)
            lines = [l.strip() for l in proc.stdout.splitlines()
                     if l.strip().startswith("output ") or "differ" in l]
            if proc.returncode != 0:
                bad = [l for l in lines if "FAIL" in l]
                return False, f"{tag}: npu-run exit {proc.returncode}: " + (
                    "; ".join(bad) if bad else first_line(proc))
            for name in case.output_names:
                if not any(l.startswith(f"output {name}:") for l in lines):
                    return False, f"{tag}: npu-run printed no comparison for output '{name}'"
            details += lines
            continue
        out_dir = os.path.join(work, "out-" + tag)
        proc = tools.run(artifact, case.input_files(ds), output_dir=out_dir)
        if proc.returncode != 0:
            return False, f"{tag}: npu-run exit {proc.returncode}: {first_line(proc)}"
        fmts = npu_tools.artifact_formats(artifact)
        ms = [m for m in (fmts["weight"], fmts["input"]) if m is not None]
        feeds = case.inputs(ds)
        bound = product_bound(case.model, feeds, min(ms), fmts["rounding"]) if ms else None
        rnn_bounds = recurrent_bounds(case.model, feeds, min(ms), fmts["rounding"]) if ms else None
        for name, ref_path in case.output_files(ds):
            ref = load_tensor(ref_path).astype(np.float64)
            got_path = npu_tools.output_file(out_dir, name)
            if not os.path.exists(got_path):
                return False, f"{tag}: npu-run wrote no {got_path}"
            got = np.load(got_path)
            if got.shape != ref.shape:
                return False, f"{tag}: output {name} shape {list(got.shape)} != {list(ref.shape)}"
            tol = FP32_ATOL + FP32_RTOL * np.abs(ref)
            if bound is not None:
                tol = tol + np.broadcast_to(bound, ref.shape)
            if rnn_bounds is not None:
                tol = tol + rnn_bounds[name]
            err = np.abs(got.astype(np.float64) - ref)
            if not np.all(np.isfinite(got)):
                return False, f"{tag}: output {name} has non-finite values"
            ratio = float((err / tol).max()) if err.size else 0.0
            if (err > tol).any():
                i = np.unravel_index(np.argmax(err - tol), err.shape)
                return False, (f"{tag}: output {name}[{','.join(map(str, i))}] = {got[i]!r}, "
                               f"expected {ref[i]!r} +- {tol[i]:.3g} (err/bound max {ratio:.3g})")
            mtxt = "fp32" if not ms else f"m={min(ms)}"
            details.append(f"output {name}: max abs err {err.max():.3g}, "
                           f"max err/bound {ratio:.3g} ({mtxt})")
    return True, "; ".join(details)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help="node test names (added to --list)")
    ap.add_argument("--bin-dir", default=npu_tools.DEFAULT_BIN_DIR)
    ap.add_argument("--target", default=None, help="target preset or JSON (default: the compiler's)")
    ap.add_argument("--mode", choices=["fp32", "bfp"], default="fp32")
    ap.add_argument("--list", help="file with one test name per line ('#' comments)")
    ap.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    ap.add_argument("--work-dir", help="where artifacts and outputs go (default: a temp dir)")
    args = ap.parse_args()

    names = (read_list(args.list) if args.list else []) + args.names
    if not names:
        ap.error("no tests given (pass names or --list)")
    tools = Tools(args.bin_dir)
    try:
        tools.require("npu-compile", "npu-run")
    except ToolError as e:
        print(f"run_node_tests: error: {e}", file=sys.stderr)
        return 1
    work_root = args.work_dir or tempfile.mkdtemp(prefix="softnpu-node-tests-")
    work_root = os.path.join(work_root, f"{args.mode}-{args.target or 'default'}")
    passed = failed = 0
    for name in names:
        try:
            case = Case(args.data_dir, name)
            ok, detail = run_case(tools, case, args, os.path.join(work_root, name))
        except (ToolError, OSError, ValueError, KeyError) as e:
            ok, detail = False, f"{type(e).__name__}: {e}"
        print(f"{'PASS' if ok else 'FAIL'} {name} ({args.mode}): {detail}", flush=True)
        passed += ok
        failed += not ok
    print(f"{passed} passed, {failed} failed")
    if failed:
        print(f"(artifacts and outputs kept in {work_root})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
