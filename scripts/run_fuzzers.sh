#!/usr/bin/env bash
# Runs every libFuzzer target built in BUILD_DIR for SECONDS each, starting
# from the committed seeds in fuzz/corpus/<target>/ (read only) plus a working
# corpus under BUILD_DIR/fuzz-corpus/ that grows between runs. Prints one line
# per target (executions, coverage, corpus size) and fails if any target found
# a crash, a leak, a timeout or an uncaught exception; the reproducer is left
# in BUILD_DIR/fuzz-artifacts/ (turn it into a regression test).
set -uo pipefail
build=${1:?usage: run_fuzzers.sh BUILD_DIR SECONDS}
seconds=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$build/fuzz-artifacts"
status=0
summary=()
for exe in "$build"/fuzz/fuzz_*; do
  [ -x "$exe" ] || continue
  name=$(basename "$exe")
  target=${name#fuzz_}
  work="$build/fuzz-corpus/$target"
  log="$build/fuzz-$target.log"
  mkdir -p "$work"
  echo "fuzz: $target for ${seconds}s"
  "$exe" "$work" "$root/fuzz/corpus/$target" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="$build/fuzz-artifacts/$target-" >"$log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
  corp=$(grep -o 'corp: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
  if [ $rc -ne 0 ]; then
    status=1
    echo "fuzz: $target FAILED (exit $rc); the log: $log"
    grep -E 'ERROR|SUMMARY|uncaught|deadly|Test unit written' "$log" | head -20
  fi
  summary+=("$(printf '%-12s %12s execs  cov %6s  corpus %5s  %s' "$target" "${runs:-?}" \
    "${cov:-?}" "${corp:-?}" "$([ $rc -eq 0 ] && echo ok || echo FAILED)")")
done
[ ${#summary[@]} -gt 0 ] || { echo "fuzz: no targets in $build/fuzz"; exit 1; }
printf '%s\n' "${summary[@]}"
exit $status
