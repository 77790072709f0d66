#!/bin/sh
# The long fuzz campaign (`make fuzz-long`): every libFuzzer target built by
# `make fuzz-build` for SECONDS (10 minutes by default) under ASan+UBSan,
# starting from its kept corpus (t/fuzz/corpus/<name>/). What a run finds
# that adds coverage is merged back into the kept corpus (libFuzzer's
# -merge=1: only inputs with new features), so the next run starts further.
# Prints one Markdown table row per target: executions, their rate, edge
# coverage, features, corpus size; a crash fails the run and keeps the
# reproducer in the work directory named in the output.
# Usage: t/fuzz/run_long.sh BUILD_DIR SECONDS
set -eu
build=$(cd "${1:-build-fuzz}" && pwd)
seconds=${2:-600}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
status=0
echo "| target | seconds | executions | exec/s | coverage (edges) | features | kept corpus |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for bin in "$build"/*_fuzz; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin" _fuzz)
  kept="$root/t/fuzz/corpus/$name"
  mkdir -p "$work/$name" "$kept"
  cp -r "$kept/." "$work/$name/"
  log="$work/$name.log"
  if ! (cd "$work" && "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
          -print_final_stats=1 "$work/$name" >"$log" 2>&1); then
    echo "| $name | FAILED: see $log and the crash-* file in $work | | | | | |"
    status=1
    continue
  fi
  (cd "$work" && "$bin" -merge=1 "$kept" "$work/$name" >"$work/$name.merge.log" 2>&1) || true
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  cov=$(grep -E "^#[0-9]+" "$log" | tail -n 1 | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
  ft=$(grep -E "^#[0-9]+" "$log" | tail -n 1 | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
  units=$(ls "$kept" | wc -l)
  echo "| $name | $seconds | $execs | $rate | $cov | $ft | $units |"
done
[ $status -eq 0 ] && rm -rf "$work"
exit $status
