#!/usr/bin/python3
"""check_numpy_ref.py - validates onnx_numpy_ref.py against the ONNX node tests' stored outputs.

The e2e tests trust onnx_numpy_ref.py as the fp32 reference, so it is checked
first against outputs the ONNX project produced (output_N.pb), for every test in
node_tests.txt plus any names given. Tolerance: atol 1e-6, rtol 1e-5 (the stored
outputs were computed in float32, the reference computes in float64).

Usage: check_numpy_ref.py [--list node_tests.txt] [--data-dir DIR] [NAME ...]
Prints one line per test and "N passed, M failed"; exits 1 if any failed.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from node_test_data import DEFAULT_DATA_DIR, Case, read_list  # noqa: E402
import onnx_numpy_ref  # noqa: E402

ATOL, RTOL = 1e-6, 1e-5


def check(case):
    """Returns (ok, detail)."""
    worst = 0.0
    for ds in case.data_sets:
        got = onnx_numpy_ref.run(case.model, case.inputs(ds))
        for name, want in case.outputs(ds).items():
            g = got[name]
            if g.shape != want.shape:
                return False, f"output {name}: shape {list(g.shape)} != expected {list(want.shape)}"
            if g.dtype != want.dtype:
                return False, f"output {name}: dtype {g.dtype} != expected {want.dtype}"
            err = np.abs(g.astype(np.float64) - want.astype(np.float64))
            bad = err > ATOL + RTOL * np.abs(want.astype(np.float64))
            worst = max(worst, float(err.max()) if err.size else 0.0)
            if bad.any():
                i = np.unravel_index(np.argmax(bad), bad.shape)
                return False, (f"output {name}[{','.join(map(str, i))}] = {g[i]!r}, "
                               f"expected {want[i]!r} (max abs err {worst:.3g})")
    return True, f"{len(case.data_sets)} data set(s), max abs err {worst:.3g}"


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*")
    ap.add_argument("--list", default=os.path.join(here, "node_tests.txt"))
    ap.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    args = ap.parse_args()
    names = read_list(args.list) + args.names if args.list else args.names
    passed = failed = 0
    for name in names:
        try:
            ok, detail = check(Case(args.data_dir, name))
        except (onnx_numpy_ref.RefError, OSError, ValueError) as e:
            ok, detail = False, str(e)
        print(f"{'PASS' if ok else 'FAIL'} {name} (numpy reference): {detail}")
        passed += ok
        failed += not ok
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not names else 0


if __name__ == "__main__":
    sys.exit(main())
