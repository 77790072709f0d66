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
status=0
for bin in "$build"/*_fuzz; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin" _fuzz)
  mkdir -p "$work/$name"
  [ -d "$root/t/fuzz/corpus/$name" ] && cp -r "$root/t/fuzz/corpus/$name/." "$work/$name/"
  echo "fuzz: $name for ${seconds}s"
  if ! (cd "$work" && "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
          -print_final_stats=0 "$work/$name" >"$work/$name.log" 2>&1); then
    echo "fuzz: $name FAILED"; tail -n 40 "$work/$name.log"; status=1
  else
    grep -E "^#[0-9]+ *DONE|Done [0-9]+ runs" "$work/$name.log" | tail -n 1 || true
  fi
done
exit $status
