#!/usr/bin/python3
"""make_seeds.py - the seed corpora of the fuzz targets (tests/fuzz/, docs/reliability.md).

Writes OUT/<target>/seeds/ for every target (and an empty OUT/<target>/work/,
where libFuzzer keeps what it finds):
  fuzz_compile      the small models of tests/inputs/onnx (below 64 KiB)
  fuzz_artifact     those models compiled by npu-compile for the tiny target
                    (when --bin-dir has npu-compile; some have host segments)
  fuzz_host_model   the same models' bytes (a host segment is an ONNX model)
  fuzz_tensor_file  .npy files (first byte 0) and TensorProto files (first
                    byte 1) of every element type the readers take
  fuzz_target_json  target descriptions: the tiny preset's fields, and
                    variants with optional fields
Usage: make_seeds.py --out DIR [--bin-dir build/bin]
"""
import argparse
import io
import json
import os
import shutil
import subprocess
import sys

import numpy as np
from onnx import numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
INPUTS = os.path.join(HERE, "..", "inputs", "onnx")
MAX_SEED = 64 * 1024

TINY = {"name": "tiny", "native_dim": 16, "tile_engines": 2, "lanes": 4, "num_mfus": 2, "ivrf_depth": 256,
        "asvrf_depth": 256, "mulvrf_depth": 256, "mrf_tiles": 256, "dram_bytes": 67108864, "clock_mhz": 100,
        "weight_format": "msfp15", "input_format": "msfp15", "mfu_format": "fp32", "rounding": "nearest-even"}


def write(directory, name, data):
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--bin-dir")
    args = ap.parse_args()
    dirs = {}
    for target in ("fuzz_compile", "fuzz_artifact", "fuzz_host_model", "fuzz_tensor_file", "fuzz_target_json"):
        dirs[target] = os.path.join(args.out, target, "seeds")
        shutil.rmtree(dirs[target], ignore_errors=True)
        os.makedirs(dirs[target])
        os.makedirs(os.path.join(args.out, target, "work"), exist_ok=True)

    models = sorted(f for f in os.listdir(INPUTS) if f.endswith(".onnx")
                    and os.path.getsize(os.path.join(INPUTS, f)) <= MAX_SEED)
    compiler = os.path.join(args.bin_dir, "npu-compile") if args.bin_dir else None
    artifacts = 0
    for m in models:
        data = open(os.path.join(INPUTS, m), "rb").read()
        write(dirs["fuzz_compile"], m, data)
        write(dirs["fuzz_host_model"], m, data)
        if compiler and os.path.exists(compiler):
            out = os.path.join(dirs["fuzz_artifact"], m[:-5] + ".npu")
            p = subprocess.run([compiler, os.path.join(INPUTS, m), "--target", "tiny", "-o", out],
                               capture_output=True, text=True, timeout=300)
            artifacts += p.returncode == 0 and os.path.getsize(out) <= MAX_SEED
            if p.returncode == 0 and os.path.getsize(out) > MAX_SEED:
                os.remove(out)

    rng = np.random.default_rng(7)
    arrays = {"f32": rng.standard_normal((2, 3)).astype(np.float32),
              "i64": np.arange(6, dtype=np.int64).reshape(3, 2),
              "scalar": np.array(1.5, dtype=np.float32),
              "empty": np.zeros((0, 4), dtype=np.float32),
              "f64": rng.standard_normal(4),
              "i32": np.arange(5, dtype=np.int32),
              "u8": np.arange(7, dtype=np.uint8),
              "bool": np.array([True, False])}
    for name, a in arrays.items():
        buf = io.BytesIO()
        np.save(buf, a)
        write(dirs["fuzz_tensor_file"], name + ".npy", b"\x00" + buf.getvalue())
        write(dirs["fuzz_tensor_file"], name + ".pb", b"\x01" + numpy_helper.from_array(a, name).SerializeToString())

    variants = [TINY, dict(TINY, name="stream", weight_residency="stream", network_queue_depth=64),
                dict(TINY, name="lat", latencies={"multiplier": 3, "mfu_stage": 2}, dram_bandwidth_gbps=8.0),
                dict(TINY, name="ops", mfu_operations=["vv_add", "vv_mul", "v_relu"], weight_format="bfp:m=7,k=8",
                     input_format="bfp:m=7,k=8")]
    for i, v in enumerate(variants):
        write(dirs["fuzz_target_json"], f"target{i}.json", json.dumps(v, indent=1).encode())
    print(f"make_seeds: {len(models)} models, {artifacts} artifacts, {2 * len(arrays)} tensor files, "
          f"{len(variants)} targets in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
