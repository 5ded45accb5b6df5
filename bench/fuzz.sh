#!/usr/bin/env bash
# fuzz.sh — a fuzzing campaign: builds the libFuzzer targets (in build-asan/,
# the build of scripts/test.sh --sanitize=address,undefined: -DSOFTNPU_FUZZ=ON,
# ASan + UBSan + coverage), makes the seed corpora, runs
# every target for SECONDS (default 600) on all cores, and prints one line per
# target: executions, executions per second, coverage (libFuzzer's cov: edges),
# corpus size and crashes. Crash inputs stay in tests/fuzz/corpus/
# <target>/ as crash-* / timeout-* / oom-* files (under the build folder).
# docs/reliability.md records campaigns.
#
# SOFTNPU_FUZZ_SANITIZE=undefined builds in build-fuzz-ubsan/ with UBSan
# alone: a whole compile runs 2.3 times faster there than under ASan, which
# is what fuzz_compile's long campaigns use (docs/reliability.md).
#
#   bench/fuzz.sh [SECONDS] [TARGET ...]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_artifact fuzz_tensor_file fuzz_target_json fuzz_host_model fuzz_compile)

bash "$root/scripts/setup.sh" --sanitizers
sanitize=${SOFTNPU_FUZZ_SANITIZE:-address,undefined}
case "$sanitize" in
  address,undefined) default_dir=$root/build-asan ;;
  undefined) default_dir=$root/build-fuzz-ubsan ;;
  *) echo "fuzz.sh: error: SOFTNPU_FUZZ_SANITIZE takes address,undefined or undefined (got '$sanitize')" >&2; exit 2 ;;
esac
export SOFTNPU_BUILD_DIR=${SOFTNPU_BUILD_DIR:-$default_dir}
export SOFTNPU_CMAKE_ARGS="-DSOFTNPU_SANITIZE=$sanitize -DSOFTNPU_FUZZ=ON"
bash "$root/scripts/build.sh" "${targets[@]}" npu-compile
corpus=$SOFTNPU_BUILD_DIR/tests/fuzz/corpus
# Debian's uninstrumented libMLIR poisons memory (docs/reliability.md).
export ASAN_OPTIONS=allow_user_poisoning=0:detect_leaks=0
/usr/bin/python3 "$root/tests/fuzz/make_seeds.py" --out "$corpus" --bin-dir "$SOFTNPU_BUILD_DIR/bin"
jobs=$(nproc)
echo "fuzz.sh: $(date -u +%Y-%m-%dT%H:%MZ), ${seconds} s per target, $jobs workers each"
for t in "${targets[@]}"; do
  dir=$corpus/$t
  log=$dir/campaign.log
  ( cd "$dir" && "$SOFTNPU_BUILD_DIR/bin/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -max_len=65536 -print_final_stats=1 -fork="$jobs" -ignore_crashes=1 work seeds ) >"$log" 2>&1 || true
  # Fork mode's last status line: "#EXECS: cov: EDGES ft: F corp: N exec/s: R oom/timeout/crash: O/T/C ..."
  last=$(grep -E '^#[0-9]+: cov:' "$log" | tail -1 || true)
  execs=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$last")
  cov=$(sed -E 's/.* cov: ([0-9]+).*/\1/' <<<"$last")
  speed=$(awk -v e="${execs:-0}" -v s="$seconds" 'BEGIN {printf "%.0f", e / s}')
  crashes=$(sed -E 's|.*oom/timeout/crash: ([0-9/]+).*|\1|' <<<"$last")
  echo "$t: ${execs:-0} execs, ${speed} execs/s, coverage ${cov:-?} edges, corpus $(ls "$dir/work" | wc -l)," \
       "oom/timeout/crash ${crashes:-?} (inputs in $dir)"
done
