#!/usr/bin/python3
"""install_check.py BUILD_DIR SITE_DIR - `cmake --install` into a temporary prefix, then, in a
fresh interpreter that sees only that prefix, import softnpu, compile the bundled MLP and run it.

SITE_DIR is where the package goes below the prefix (SOFTNPU_PYTHON_INSTALL_DIR)."""
import os
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SCRIPT = """
import numpy as np, softnpu, sys
assert softnpu.__file__.startswith(sys.argv[1]), softnpu.__file__
s = softnpu.InferenceSession(softnpu.compile(sys.argv[2], target="tiny"))
(y,) = s.run(None, {"image": np.zeros((1, 1, 28, 28), np.float32)})
assert y.shape == (1, 10), y.shape
print("installed softnpu", softnpu.__version__, "from", softnpu.__file__)
"""


def main():
    build, site = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory() as prefix:
        subprocess.run(["cmake", "--install", build, "--prefix", prefix], check=True, stdout=subprocess.DEVNULL)
        package = os.path.join(prefix, site)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env["PYTHONPATH"] = package
        subprocess.run([sys.executable, "-c", SCRIPT, package, os.path.join(REPO, "models", "fashion_mnist", "mlp.onnx")],
                       check=True, env=env, cwd=prefix)


if __name__ == "__main__":
    main()
