#!/usr/bin/env bash
# test.sh — the quick start's second command: installs what is missing, builds,
# and runs the whole test suite (ctest: lit + GoogleTest + end-to-end).
#
#   scripts/test.sh                               the whole suite (CI runs this)
#   scripts/test.sh --sanitize=address,undefined  the whole suite under ASan + UBSan, built in build-asan/
#                                                 (with the fuzz targets, whose 30 s smoke runs join the suite)
#   scripts/test.sh --sanitize=thread             the concurrency tests under TSan, built in build-tsan/
#
# Other arguments go to ctest. docs/reliability.md says what each lane checks.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sanitize=""
args=()
for a in "$@"; do
  case "$a" in
    --sanitize=*) sanitize=${a#--sanitize=} ;;
    *) args+=("$a") ;;
  esac
done

if [ -z "$sanitize" ]; then
  build=${SOFTNPU_BUILD_DIR:-$root/build}
  bash "$root/scripts/setup.sh"
  bash "$root/scripts/build.sh"
  cd "$build"
  exec ctest --output-on-failure -j "${SOFTNPU_JOBS:-$(nproc)}" "${args[@]}"
fi

bash "$root/scripts/setup.sh" --sanitizers
case "$sanitize" in
  address,undefined|undefined,address|address|undefined) lane=asan ;;
  thread) lane=tsan ;;
  *) echo "test.sh: error: --sanitize takes address,undefined or thread (got '$sanitize')" >&2; exit 2 ;;
esac
export SOFTNPU_BUILD_DIR=${SOFTNPU_BUILD_DIR:-$root/build-$lane}
export SOFTNPU_CMAKE_ARGS="-DSOFTNPU_SANITIZE=$sanitize"
# The ASan lane is also the fuzz build (fuzzing runs under ASan + UBSan):
# one instrumented build serves both, and bench/fuzz.sh reuses it.
[ "$lane" = asan ] && SOFTNPU_CMAKE_ARGS="$SOFTNPU_CMAKE_ARGS -DSOFTNPU_FUZZ=ON"
# Debian's libMLIR poisons memory in its allocator without being instrumented:
# ASan would report that as use-after-poison in our (instrumented) code.
export ASAN_OPTIONS=${ASAN_OPTIONS:-allow_user_poisoning=0:detect_leaks=1:abort_on_error=0}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/sanitizers/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}
cd "$root"
if [ "$lane" = tsan ]; then
  # The runtime only: the concurrency tests do not need the compiler.
  SOFTNPU_CMAKE_ARGS="$SOFTNPU_CMAKE_ARGS -DSOFTNPU_BUILD_COMPILER=OFF" bash scripts/build.sh softnpu_api_tests
  cd "$SOFTNPU_BUILD_DIR"
  exec ctest --output-on-failure -L concurrency "${args[@]}"
fi
bash scripts/build.sh
cd "$SOFTNPU_BUILD_DIR"
exec ctest --output-on-failure -j "${SOFTNPU_JOBS:-$(nproc)}" "${args[@]}"
