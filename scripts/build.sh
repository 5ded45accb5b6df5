#!/usr/bin/env bash
# build.sh — configures (once) and builds softnpu in build/ (or $SOFTNPU_BUILD_DIR).
# Extra configure arguments: $SOFTNPU_CMAKE_ARGS (scripts/test.sh --sanitize sets them).
# Uses clang-22 + lld-22 (faster than g++/ld on these machines) and ccache when present.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${SOFTNPU_BUILD_DIR:-$root/build}
jobs=${SOFTNPU_JOBS:-$(nproc)}

if [ ! -f "$build/build.ninja" ]; then
  launcher=()
  if command -v ccache >/dev/null 2>&1; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache); fi
  cmake -G Ninja -S "$root" -B "$build" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DLLVM_USE_LINKER=lld \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    "${launcher[@]}" ${SOFTNPU_CMAKE_ARGS:-}
fi
# Arguments: build targets (default: all).
cmake --build "$build" -j "$jobs" ${1:+--target "$@"}
