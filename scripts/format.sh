#!/usr/bin/env bash
# format.sh — formats softnpu's C++ (.cpp, .h) with clang-format-22 and .clang-format.
#   bash scripts/format.sh            rewrite every tracked file in place
#   bash scripts/format.sh --check    change nothing; list the files that differ, exit 1 if any
#   bash scripts/format.sh [--check] FILE...   only these files
# ctest runs --check (style.format). clang-format-22 comes from scripts/setup.sh.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
format=${CLANG_FORMAT:-clang-format-22}
if ! command -v "$format" >/dev/null 2>&1; then
  echo "format: error: $format not found (run scripts/setup.sh)" >&2
  exit 2
fi
check=0
if [ "${1:-}" = "--check" ]; then check=1; shift; fi
if [ $# -gt 0 ]; then files=("$@"); else mapfile -t files < <(git ls-files '*.cpp' '*.h'); fi
if [ $check -eq 0 ]; then
  "$format" -i --style=file "${files[@]}"
  exit 0
fi
# One clang-format for all files; its diagnostics start with the file name.
out=$("$format" --style=file --dry-run -Werror "${files[@]}" 2>&1) && exit 0
grep -oE '^[^:]+\.(cpp|h):[0-9]+:[0-9]+: error' <<<"$out" | cut -d: -f1 | sort -u | grep . || echo "$out"
exit 1
