#!/usr/bin/python3
"""run_unrolled_lstm_matmul_tests.py - the torch-traced unrolled LSTM end to end, vs torch.

tests/inputs/onnx/unrolled_lstm_matmul.onnx (tests/inputs/make_unrolled_lstm_matmul.py:
an explicit LSTM cell traced by torch.onnx.export; input projection of all
timesteps in one MatMul, constant zero state, outputs stacked by Concat;
T=8, input 16, hidden 32) is compiled with the default placement, and its
placement summary printed (how much runs on the NPU). --sequences seeded
uniform [-1, 1) input sequences run through `npu-run --batch`; the reference
is the generator's torch module (ExplicitLSTM) on the same sequences. The
checks hold whatever the placement is:

  fp32     (--precision fp32) every element of Y within ATOL + RTOL |ref|,
           1e-5 each: |Y| < 1, and the pre-activations are 49-term fp32 sums
           (16 input, 32 recurrent, the bias) with sum |w||v| below 10, whose
           summation order may differ from torch's by a few 2^-24 relative per
           term (about 1e-6 typically, sqrt(49) 2^-24 10); sigmoid and tanh
           have slope <= 1 and add a few ulp, and the cell's error contracts
           through the forget gate (f < 1) over the 8 steps.
  default  (the target's format, block floating point where on the NPU) the
           SNR of Y >= 6.02 m - 12 dB for m magnitude bits (24 dB at msfp15,
           m = 6): quantizing a uniform vector with a shared exponent gives an
           SNR of at least 6.02 m dB; both operands of each product are
           quantized (-3 dB), the gate inputs are not uniform but peaky
           (about -4 dB), and sigmoid/tanh/the recurrence leave up to 5 dB of
           margin for error growth over the steps. The same layer as one ONNX
           LSTM node on the NPU measures 39.0 dB at msfp15 (floor 24.1),
           20.4 at msfp12 (6.1), 44.9 at msfp16 (30.1). When nothing runs on
           the NPU in BFP (fp32 artifact, or all nodes on the host) the fp32
           tolerance applies instead.

Usage: run_unrolled_lstm_matmul_tests.py --bin-dir DIR [--target T] [--sequences N] [--work-dir D]
Prints "PASS/FAIL name: detail" and "N passed, M failed"; exits 1 if any failed.
"""
import argparse
import json
import os
import sys
import tempfile

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "inputs"))
import make_unrolled_lstm_matmul as gen  # noqa: E402
from npu_tools import (DEFAULT_BIN_DIR, Tally, ToolError, Tools, artifact_formats,  # noqa: E402
                       first_line, output_file, snr_db)

MODEL = os.path.join(os.path.dirname(HERE), "inputs", "onnx", gen.NAME + ".onnx")
ATOL = RTOL = 1e-5


def placement_summary(path):
    """The summary of npu-compile --placement-report=FILE.json, as one line."""
    with open(path) as f:
        s = json.load(f)["summary"]
    return (f"{s['nodes']} nodes, {100.0 * s['npu_mac_share']:.1f}% of {s['macs']} MACs on the NPU, "
            f"{s['npu_segments']} NPU and {s['host_segments']} host segments, "
            f"{s['crossings']} host<->NPU crossings"), s


def compile_and_run(tools, work, tag, xs_path, rows, precision, target):
    """(Y [rows, 1, H] from npu-run --batch, placement summary line, artifact path)."""
    artifact = os.path.join(work, f"{tag}.npu")
    report = os.path.join(work, f"{tag}_placement.json")
    proc = tools.compile(MODEL, artifact, target=target, precision=precision,
                         extra=[f"--placement-report={report}"])
    if proc.returncode != 0:
        raise ToolError(f"npu-compile exit {proc.returncode}: {first_line(proc)}")
    line, summary = placement_summary(report)
    out_dir = os.path.join(work, f"out_{tag}")
    proc = tools.run(artifact, [("X", xs_path)], output_dir=out_dir, batch=True)
    if proc.returncode != 0:
        raise ToolError(f"npu-run exit {proc.returncode}: {first_line(proc)}")
    y = np.load(output_file(out_dir, "Y"))
    if y.shape != (rows, gen.B, gen.H):
        raise ToolError(f"npu-run wrote Y {list(y.shape)}, expected {[rows, gen.B, gen.H]}")
    return y, line, summary, artifact


def fp32_check(y, ref):
    err = np.abs(y.astype(np.float64) - ref)
    bad = err > ATOL + RTOL * np.abs(ref)
    detail = f"max |npu - torch| {err.max():.3g} (atol {ATOL:g}, rtol {RTOL:g}), SNR {snr_db(y, ref):.1f} dB"
    return not bad.any(), (f"{int(bad.sum())} elements out of tolerance; " if bad.any() else "") + detail


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin-dir", default=DEFAULT_BIN_DIR)
    ap.add_argument("--target")
    ap.add_argument("--sequences", type=int, default=64)
    ap.add_argument("--work-dir")
    args = ap.parse_args()
    torch.set_num_threads(1)
    tools = Tools(args.bin_dir)
    try:
        tools.require("npu-compile", "npu-run")
    except ToolError as e:
        print(f"run_unrolled_lstm_matmul_tests: error: {e}", file=sys.stderr)
        return 1
    work = os.path.join(args.work_dir or tempfile.mkdtemp(prefix="softnpu-lstm-matmul-"),
                        f"{gen.NAME}-{args.target or 'default'}")
    os.makedirs(work, exist_ok=True)

    rng = np.random.default_rng(2024)
    xs = rng.uniform(-1.0, 1.0, (args.sequences * gen.T, gen.B, gen.I)).astype(np.float32)
    xs_path = os.path.join(work, "X.npy")
    np.save(xs_path, xs)
    ref = np.concatenate([gen.reference(xs[k * gen.T:(k + 1) * gen.T])
                          for k in range(args.sequences)]).astype(np.float64)

    tally = Tally()
    try:
        y, line, _, _ = compile_and_run(tools, work, "fp32", xs_path, len(xs), "fp32", args.target)
        ok, detail = fp32_check(y, ref)
        tally.report(f"{gen.NAME} (fp32, {args.sequences} sequences)", ok, f"{detail}; placement: {line}")
    except (ToolError, OSError, ValueError) as e:
        tally.report(f"{gen.NAME} (fp32)", False, str(e))

    try:
        y, line, summary, artifact = compile_and_run(tools, work, "default", xs_path, len(xs), None, args.target)
        print(f"placement (default format): {line}")
        m = artifact_formats(artifact)["weight"]
        if m is None or summary["npu_macs"] == 0:
            ok, detail = fp32_check(y, ref)
            detail = f"no BFP matrix products on the NPU, fp32 tolerance: {detail}"
        else:
            floor = 6.02 * m - 12.0
            snr = snr_db(y, ref)
            ok = snr >= floor
            detail = (f"SNR {snr:.1f} dB (floor {floor:.1f} dB for m={m}), "
                      f"max |npu - torch| {np.abs(y - ref).max():.3g}")
        tally.report(f"{gen.NAME} (default format, {args.sequences} sequences)", ok, detail)
    except (ToolError, OSError, ValueError) as e:
        tally.report(f"{gen.NAME} (default format)", False, str(e))
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
