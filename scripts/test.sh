#!/usr/bin/env bash
# test.sh — the quick start's second command: installs what is missing, builds,
# and runs the whole test suite (ctest: lit + GoogleTest + end-to-end).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SOFTNPU_BUILD_DIR:-$root/build}
bash "$root/scripts/setup.sh"
bash "$root/scripts/build.sh"
cd "$build"
exec ctest --output-on-failure -j "${SOFTNPU_JOBS:-$(nproc)}" "$@"
