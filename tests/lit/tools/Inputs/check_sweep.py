#!/usr/bin/python3
"""check_sweep.py - checks npu-sweep --report=json for gemm_bias_relu.onnx (lit tests).

    check_sweep.py SWEEP.json MODEL.onnx TARGET=PROFILE.json ...

For every TARGET, the sweep's row must agree with `npu-run --profile
--report=json` of the same model compiled by npu-compile (PROFILE.json: cycles,
latency, TOPS, utilisation), and its MRF/VRF footprint must be what the Gemm's
shapes need on that target: ceil(M/N) x ceil(K/N) pinned weight tiles, no
scratch tiles, the input's ceil(K/N) vectors in the IVRF and the bias's
ceil(M/N) vectors in an ASVRF. Target sizes are the documented presets
(docs/targets.md). Prints "ok TARGET" per target, exits 1 on a mismatch.
"""
import json
import math
import sys

import onnx

PRESETS = {  # name: (N, mrf_tiles, vrf depth), from docs/targets.md
    "tiny": (16, 256, 256),
    "brainwave-s10": (400, 2048, 512),
    "cnn-n128": (128, 1024, 1024),
}


def close(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def main():
    sweep = json.load(open(sys.argv[1]))
    model = onnx.load(sys.argv[2])
    w = [t for t in model.graph.initializer if t.name == "W"][0]
    m, k = w.dims  # transB = 1: W is [M, K]
    rows = {r["target"]: r for r in sweep["targets"]}
    bad = 0
    for arg in sys.argv[3:]:
        name, path = arg.split("=", 1)
        prof = json.load(open(path))
        r = rows[name]
        n, tiles, depth = PRESETS[name]
        want = {
            "ok": True,
            "cycles": prof["cycles"],
            "mrf_tiles": {"pinned": math.ceil(m / n) * math.ceil(k / n), "scratch": 0, "capacity": tiles},
            "ivrf": {"used": math.ceil(k / n), "capacity": depth},
            "asvrf": {"used": math.ceil(m / n), "capacity": depth},
        }
        got = {
            "ok": r["ok"],
            "cycles": r.get("cycles"),
            "mrf_tiles": r.get("mrf_tiles"),
            "ivrf": r.get("vrf_peak", {}).get("ivrf"),
            "asvrf": r.get("vrf_peak", {}).get("asvrf"),
        }
        floats = all(close(r[key], prof[key]) for key in ("latency_us", "effective_tops", "mvu_utilisation"))
        if got != want or not floats or r["weight_bytes"] <= 0:
            print(f"MISMATCH {name}: got {got}, want {want}, floats ok: {floats}")
            bad += 1
        else:
            print(f"ok {name}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
