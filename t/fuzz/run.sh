#!/bin/sh
# Runs every libFuzzer target built by `make fuzz-build` for a bounded time,
# each on a scratch copy of its seed corpus (t/fuzz/corpus/<name>/), so the
# committed seeds are never modified. Usage: t/fuzz/run.sh BUILD_DIR SECONDS
set -eu
build=$(cd "${1:-build-fuzz}" && pwd)
seconds=${2:-30}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}

# One target on a scratch copy of its corpus; its log is printed when it is over.
run_one() {
  bin=$1
  name=$(basename "$bin" _fuzz)
  mkdir -p "$work/$name"
  [ -d "$root/t/fuzz/corpus/$name" ] && cp -r "$root/t/fuzz/corpus/$name/." "$work/$name/"
  if ! (cd "$work" && "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
          -print_final_stats=0 "$work/$name" >"$work/$name.log" 2>&1); then
    echo "fuzz: $name for ${seconds}s FAILED"; tail -n 40 "$work/$name.log"; return 1
  fi
  echo "fuzz: $name for ${seconds}s: $(grep -E "^#[0-9]+ *DONE|Done [0-9]+ runs" "$work/$name.log" | tail -n 1)"
}

# The targets in rounds of one per core: each runs for the same time.
status=0
set -- "$build"/*_fuzz
while [ $# -gt 0 ]; do
  pids=""
  n=0
  while [ $# -gt 0 ] && [ $n -lt "$jobs" ]; do
    if [ -x "$1" ]; then
      run_one "$1" >"$work/$(basename "$1").out" 2>&1 &
      pids="$pids $!:$(basename "$1")"
      n=$((n + 1))
    fi
    shift
  done
  for p in $pids; do
    wait "${p%%:*}" || status=1
    cat "$work/${p#*:}.out"
  done
done
exit $status
