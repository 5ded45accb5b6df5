#!/usr/bin/python3
"""gemm_ref.py - input and numpy reference for gemm_bias_relu.onnx (lit tests).

    gemm_ref.py MODEL.onnx X.npy REF.npy     writes a seeded x[1,20] and
                                             y = relu(x @ W^T + C) from the
                                             model's own initializers
    gemm_ref.py --check GOT.npy REF.npy      exits 1 unless GOT matches REF
                                             (shape and values, rtol 1e-4)
"""
import sys

import numpy as np


def main():
    if sys.argv[1] == "--check":
        got, ref = np.load(sys.argv[2]), np.load(sys.argv[3])
        ok = got.dtype == np.float32 and got.shape == ref.shape and np.allclose(got, ref, rtol=1e-4, atol=1e-5)
        print("match" if ok else f"MISMATCH: {got.dtype} {got.shape} vs {ref.shape}")
        return 0 if ok else 1
    import onnx
    from onnx import numpy_helper
    model = onnx.load(sys.argv[1])
    init = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    x = np.random.default_rng(7).uniform(-1.0, 1.0, size=(1, 20)).astype(np.float32)
    y = np.maximum(x.astype(np.float64) @ init["W"].T.astype(np.float64) + init["C"], 0.0)
    np.save(sys.argv[2], x)
    np.save(sys.argv[3], y.astype(np.float32))
    return 0


if __name__ == "__main__":
    sys.exit(main())
