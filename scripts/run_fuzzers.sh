#!/usr/bin/env bash
# Runs every libFuzzer target built in BUILD_DIR for SECONDS each, starting
# from the committed seeds in fuzz/corpus/<target>/ (read only) plus a working
# corpus under BUILD_DIR/fuzz-corpus/ that grows between runs. Prints one line
# per target (executions, coverage, corpus size) and fails if any target found
# a crash, a leak, a timeout or an uncaught exception; the reproducer is left
# in BUILD_DIR/fuzz-artifacts/ (turn it into a regression test).
#
# Targets run JOBS at a time (default: the number of CPUs): each fuzzer is one
# process on one core, so on CI's 2 cores two run side by side and every target
# still gets its full SECONDS.
set -uo pipefail
build=${1:?usage: run_fuzzers.sh BUILD_DIR SECONDS [JOBS]}
seconds=${2:-60}
jobs=${3:-$(nproc)}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$build/fuzz-artifacts"

# Runs one target; its summary line goes to $build/fuzz-<target>.summary and its
# exit status is the fuzzer's.
run_target() {
  local exe=$1 target=$2
  local work="$build/fuzz-corpus/$target" log="$build/fuzz-$target.log"
  mkdir -p "$work"
  "$exe" "$work" "$root/fuzz/corpus/$target" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$build/fuzz-artifacts/$target-" >"$log" 2>&1
  local rc=$?
  local runs cov corp
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
  corp=$(grep -o 'corp: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
  printf '%-12s %12s execs  cov %6s  corpus %5s  %s\n' "$target" "${runs:-?}" "${cov:-?}" \
    "${corp:-?}" "$([ $rc -eq 0 ] && echo ok || echo FAILED)" >"$build/fuzz-$target.summary"
  return $rc
}

targets=()
for exe in "$build"/fuzz/fuzz_*; do
  [ -x "$exe" ] || continue
  name=$(basename "$exe")
  target=${name#fuzz_}
  targets+=("$target")
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
  rm -f "$build/fuzz-$target.summary"
  echo "fuzz: $target for ${seconds}s"
  run_target "$exe" "$target" &
done
wait
[ ${#targets[@]} -gt 0 ] || { echo "fuzz: no targets in $build/fuzz"; exit 1; }

# Each summary says ok or FAILED; a missing one means the runner itself died.
status=0
for target in "${targets[@]}"; do
  summary="$build/fuzz-$target.summary"
  if ! grep -q ' ok$' "$summary" 2>/dev/null; then
    status=1
    log="$build/fuzz-$target.log"
    echo "fuzz: $target FAILED; the log: $log"
    grep -E 'ERROR|SUMMARY|uncaught|deadly|Test unit written' "$log" | head -20
  fi
done
for target in "${targets[@]}"; do cat "$build/fuzz-$target.summary" 2>/dev/null; done
exit $status
