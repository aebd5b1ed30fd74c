#!/usr/bin/env bash
# Runs one libFuzzer target: first every committed regression input once,
# then SECONDS of fuzzing from the seed corpus (fuzz/corpus/TARGET, read only;
# new inputs go to DIR/corpus/TARGET). A crash leaves its input in
# DIR/artifacts/ and fails. Prints the final statistics line.
#   fuzz/run.sh DIR TARGET SECONDS
set -euo pipefail
dir=${1:?build directory} target=${2:?target} secs=${3:?seconds}
src=$(cd "$(dirname "$0")" && pwd)
bin="$dir/fuzz/fuzz_$target"
work="$dir/corpus/$target"
mkdir -p "$work" "$dir/artifacts"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
shopt -s nullglob
regressions=("$src/regressions/$target"/*)
if [ ${#regressions[@]} -gt 0 ]; then
  "$bin" "${regressions[@]}" >"$dir/artifacts/$target-regressions.log" 2>&1 ||
    { cat "$dir/artifacts/$target-regressions.log"; exit 1; }
  echo "$target: ${#regressions[@]} regression inputs pass"
fi
log="$dir/artifacts/$target.log"
status=0
"$bin" -max_total_time="$secs" -timeout=25 -rss_limit_mb=4096 -max_len=65536 \
  -print_final_stats=1 -artifact_prefix="$dir/artifacts/$target-" \
  "$work" "$src/corpus/$target" >"$log" 2>&1 || status=$?
if [ $status -ne 0 ]; then
  tail -n 80 "$log"
  exit $status
fi
# The last status line (coverage, features, corpus) and the statistics.
last=$(grep -E '^#[0-9]+[[:space:]]' "$log" | tail -1 || true)
runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' || true)
rate=$(grep -E '^stat::average_exec_per_sec' "$log" | awk '{print $2}' || true)
echo "$target: ${secs}s runs=${runs} exec/s=${rate} last: ${last}"
