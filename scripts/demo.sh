#!/usr/bin/env bash
# demo.sh — the quick start's first command: installs what is missing, builds,
# compiles the bundled Fashion-MNIST MLP for the default target, runs it on the
# simulated NPU over the 10,000 test images and prints NPU vs fp32 top-1 and
# one image's output vector beside the fp32 reference.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SOFTNPU_BUILD_DIR:-$root/build}
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh"
exec /usr/bin/python3 "$root/models/fashion_mnist/evaluate.py" --bin-dir "$build/bin" \
  --work-dir "$build/demo" "$@"
