#!/usr/bin/env bash
# setup.sh — installs the Debian 12 packages softnpu needs, and only those a machine lacks.
# Safe to run repeatedly: when everything is present it does nothing and prints nothing but a line.
set -euo pipefail

PACKAGES=(
  # build toolchain
  cmake ninja-build clang-22 lld-22 ccache
  # C++ formatting (scripts/format.sh, .clang-format)
  clang-format-22
  # LLVM/MLIR 22 (libmlir-22-dev does not pull the tools MLIR's CMake config checks for)
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools
  # LLVM's static LLVMSupport links zstd (the tools link LLVM statically: docs/building.md)
  libzstd-dev
  # ONNX, protobuf, CLI, tests
  libonnx-dev libprotobuf-dev protobuf-compiler libcli11-dev libgtest-dev nlohmann-json3-dev
  # host kernels for the heavy ops of host segments (docs/partitioning.md)
  libdnnl-dev
  # artifact checksums (zlib's CRC-32)
  zlib1g-dev
  # data: ONNX backend tests and Fashion-MNIST
  libonnx-testdata dataset-fashion-mnist
  # scripts that generate test models and train the bundled MLP
  python3-onnx python3-numpy python3-torch
  # CNN architectures exported with random weights (models/torchvision/export_models.py)
  python3-torchvision
  # the Python package (python/, docs/python.md) and its tests
  pybind11-dev python3-dev python3-pytest
)

# Sanitizer and fuzz builds (scripts/test.sh --sanitize=..., bench/fuzz.sh) need
# clang's runtimes: `setup.sh --sanitizers` adds them.
if [ "${1:-}" = "--sanitizers" ]; then
  PACKAGES+=(libclang-rt-22-dev)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
