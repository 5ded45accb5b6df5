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
  A Conv is the same product per output pixel: row p of A' its receptive
    field (zero padding included, any auto_pad, 1-D or 2-D, per group), B' the
    output channel's weights (conv_bound); a ConvTranspose that of the
    convolution the NPU runs (the map upsampled, the kernel flipped).
  A graph with more than one Gemm/MatMul/Conv is not supported by this check.
  * A graph of one LSTM, GRU or RNN node: the bound of rnn_bfp_bound.py, the
    same product bound per timestep carried through the recurrence (activations
    by their Lipschitz constants, products of perturbed values exactly).

Usage:
  run_node_tests.py --bin-dir DIR [--target T] [--mode fp32|bfp] [--list FILE]
                    [--placement auto|npu|host] [--work-dir D] [--data-dir D] [NAME ...]
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
from onnx_numpy_ref import _windows, conv_transpose_geometry, load_tensor  # noqa: E402
from rnn_bfp_bound import recurrent_bounds  # noqa: E402
import onnx  # noqa: E402
from onnx import numpy_helper  # noqa: E402

FP32_ATOL = 1e-5
FP32_RTOL = 1e-5
MATMUL_OPS = ("Gemm", "MatMul")


def _bfp_scales(m, rounding):
    """(relative error of one element of a block, the floor for clamped exponents)."""
    scale = 2.0 ** -m / (1.0 - 2.0 ** -(m + 1))
    if "zero" in rounding.lower():
        scale *= 2.0
    return scale, 2.0 ** (-126 - m)


def _auto_pads(at, x_spatial, kernel, strides, dilations):
    """ONNX's pads [begins..., ends...] for a Conv's auto_pad (explicit `pads` otherwise)."""
    mode = at.get("auto_pad", b"NOTSET")
    mode = mode.decode() if isinstance(mode, bytes) else mode
    n = len(kernel)
    if mode in ("NOTSET", ""):
        return list(at.get("pads", [0] * 2 * n))
    if mode == "VALID":
        return [0] * 2 * n
    begins, ends = [], []
    for i, size in enumerate(x_spatial):
        out = -(-size // strides[i])
        total = max((out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - size, 0)
        small, large = total // 2, total - total // 2
        begins.append(large if mode == "SAME_LOWER" else small)
        ends.append(small if mode == "SAME_LOWER" else large)
    return begins + ends


def _window_product_bound(x, w, kernel, pads, strides, dilations, groups, m, rounding):
    """Bound of a convolution of |x| [N, C, H, W] by |w| [Cout, C / groups, KH, KW]:
    output pixel p of channel o is a K-term product of the receptive field row
    A_p (zero padding included) and W_o, each quantized with an error of at most
    scale * its row's largest magnitude (a block's largest is at most the row's):
    the same terms as a Gemm's (product_bound), plus fp32 accumulation."""
    win = _windows(x, kernel, pads, strides, dilations, 0.0)  # [N, C, OH, OW, KH, KW]
    cin, cout = x.shape[1] // groups, w.shape[0] // groups
    scale, tiny = _bfp_scales(m, rounding)
    parts = []
    for g in range(groups):
        a = win[:, g * cin:(g + 1) * cin]                                 # [N, c, OH, OW, KH, KW]
        wg = w[g * cout:(g + 1) * cout]                                   # [o, c, KH, KW]
        k = a.shape[1] * a.shape[4] * a.shape[5]
        e_a = scale * a.max(axis=(1, 4, 5)) + tiny                        # [N, OH, OW]
        e_w = scale * wg.max(axis=(1, 2, 3)) + tiny                       # [o]
        s_a = a.sum(axis=(1, 4, 5))                                       # [N, OH, OW]
        s_w = wg.sum(axis=(1, 2, 3))                                      # [o]
        dot = np.einsum("nchwij,ocij->nohw", a, wg)
        parts.append(s_a[:, None] * e_w[None, :, None, None] + e_a[:, None] * s_w[None, :, None, None]
                     + k * e_a[:, None] * e_w[None, :, None, None] + k * 2.0 ** -23 * dot)
    return np.concatenate(parts, axis=1)


def conv_bound(node, values, m, rounding):
    """Element-wise bound of the BFP error of one Conv (1-D or 2-D, any group,
    any auto_pad) or ConvTranspose. A ConvTranspose is bounded as the
    convolution the NPU runs: the map upsampled by the strides (zeros between
    pixels), padded by (kernel extent - 1 - pad), the kernel flipped and its
    channels swapped."""
    at = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
    x0, w0 = values[node.input[0]], values[node.input[1]]
    x = np.abs(x0.astype(np.float64))
    w = np.abs(w0.astype(np.float64))
    n = x.ndim - 2
    if n == 1:  # 1-D: a map of one row
        x, w = x[:, :, None, :], w[:, :, None, :]
    groups = int(at.get("group", 1))
    if node.op_type == "ConvTranspose":
        strides, dil, opad, begins, ends, _ = conv_transpose_geometry(at, x0.shape, w0.shape)
        kernel = list(w.shape[2:])
        up = np.zeros(x.shape[:2] + tuple((x.shape[2 + a] - 1) * strides[a] + 1 for a in range(2)))
        up[:, :, ::strides[0], ::strides[1]] = x
        ext = [(kernel[a] - 1) * dil[a] + 1 for a in range(2)]
        pads = [ext[0] - 1 - begins[0], ext[1] - 1 - begins[1],
                ext[0] - 1 - ends[0] + opad[0], ext[1] - 1 - ends[1] + opad[1]]
        cin, coutg = w.shape[0], w.shape[1]
        cing = cin // groups
        flipped = np.concatenate([w[g * cing:(g + 1) * cing].transpose(1, 0, 2, 3)[:, :, ::-1, ::-1]
                                  for g in range(groups)], axis=0)     # [Cout, Cin / groups, KH, KW]
        bound = _window_product_bound(up, flipped, kernel, pads, [1, 1], dil, groups, m, rounding)
    else:
        kernel = list(w.shape[2:])
        strides = list(at.get("strides", [1] * n))
        dilations = list(at.get("dilations", [1] * n))
        pads = _auto_pads(at, list(x0.shape[2:]), list(w0.shape[2:]), strides, dilations)
        if n == 1:
            strides, dilations, pads = [1] + strides, [1] + dilations, [0, pads[0], 0, pads[1]]
        bound = _window_product_bound(x, w, kernel, pads, strides, dilations, groups, m, rounding)
    return bound[:, :, 0, :] if n == 1 else bound


def product_bound(model, feeds, m, rounding):
    """Element-wise bound of the BFP error of the graph's one Gemm/MatMul/Conv, or None."""
    values = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    values.update(feeds)
    convs = [n for n in model.graph.node if n.op_type in ("Conv", "ConvTranspose")]
    if convs:
        if len(convs) > 1 or any(n.op_type in MATMUL_OPS for n in model.graph.node):
            raise ValueError("bfp bound supports one product per graph")
        return conv_bound(convs[0], values, m, rounding)
    nodes = [n for n in model.graph.node if n.op_type in MATMUL_OPS]
    if not nodes:
        return None
    if len(nodes) > 1:
        raise ValueError("bfp bound supports one Gemm/MatMul per graph")
    node = nodes[0]
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
    scale, tiny = _bfp_scales(m, rounding)
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
                         precision="fp32" if args.mode == "fp32" else None,
                         extra=[f"--placement={args.placement}"] if args.placement else [])
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
    ap.add_argument("--placement", choices=["auto", "npu", "host"],
                    help="npu-compile --placement (npu: a node the NPU cannot run fails the test)")
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
