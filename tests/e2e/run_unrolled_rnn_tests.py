#!/usr/bin/python3
"""run_unrolled_rnn_tests.py - unrolled LSTM / GRU models must run as one recognised recurrent layer.

The models of tests/inputs/make_unrolled_rnn.py write a recurrent layer out
step by step in plain ONNX ops. Each is compiled with npu-compile --precision
fp32 (onnx-recognize-rnn turns it into one onnx.LSTM / onnx.GRU), run with
npu-run on seeded uniform [-1, 1) inputs and compared with onnx_numpy_ref.py's
evaluation of the unrolled graph (npu-run --compare, atol 1e-5 rtol 1e-5).
npu-objdump must show a `loop` instruction: the cell was recognised and runs
as the native recurrent schedule, not unrolled.

Usage: run_unrolled_rnn_tests.py --bin-dir DIR [--target T] [--work-dir D] [NAME ...]
Prints "PASS/FAIL name (fp32): detail" and "N passed, M failed"; exits 1 if any failed.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import onnx_numpy_ref  # noqa: E402
from npu_tools import DEFAULT_BIN_DIR, Tally, ToolError, Tools  # noqa: E402
from run_model_tests import run_model  # noqa: E402

MODELS = ["unrolled_lstm", "unrolled_gru", "unrolled_gru_lbr"]


def loop_count(tools, artifact):
    proc = subprocess.run([tools.path("npu-objdump"), artifact], capture_output=True, text=True,
                          timeout=120)
    if proc.returncode != 0:
        raise ToolError(f"npu-objdump exit {proc.returncode}: {proc.stderr.strip()}")
    return sum(1 for line in proc.stdout.splitlines() if re.search(r":\s+[0-9a-f]+\s+loop\b", line))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help=f"models (default: {' '.join(MODELS)})")
    ap.add_argument("--bin-dir", default=DEFAULT_BIN_DIR)
    ap.add_argument("--target", default="tiny")
    ap.add_argument("--work-dir")
    ap.add_argument("--inputs-dir", default=os.path.join(os.path.dirname(HERE), "inputs", "onnx"))
    args = ap.parse_args()
    tools = Tools(args.bin_dir)
    try:
        tools.require("npu-compile", "npu-run", "npu-objdump")
    except ToolError as e:
        print(f"run_unrolled_rnn_tests: error: {e}", file=sys.stderr)
        return 1
    work = os.path.join(args.work_dir or tempfile.mkdtemp(prefix="softnpu-unrolled-"),
                        f"unrolled-{args.target}")
    tally = Tally()
    for name in args.names or MODELS:
        model_work = os.path.join(work, name)
        try:
            ok, detail = run_model(tools, os.path.join(args.inputs_dir, name + ".onnx"),
                                   args.target, model_work)
            if ok:
                loops = loop_count(tools, os.path.join(model_work, "model.npu"))
                if loops == 0:
                    ok, detail = False, "no loop instruction: the recurrence was not recognised"
                else:
                    detail += f"; {loops} loop(s)"
        except (ToolError, OSError, ValueError, subprocess.TimeoutExpired,
                onnx_numpy_ref.RefError) as e:
            ok, detail = False, f"{type(e).__name__}: {e}"
        tally.report(f"{name} (fp32)", ok, detail)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
