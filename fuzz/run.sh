#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/build.sh) and runs each for SECONDS
# (default 60), starting from the committed seeds in testdata/fuzz/<target>/
# plus whatever earlier runs found (build-fuzz/corpus/<target>/); then
# replays the ignore-file corpus through Docker's own matcher
# (fuzz/differential.py). Exits 1 when a target crashes, leaks, times out
# or runs out of memory (printing the reproducer and how to replay it), or
# when ctxpack and Docker disagree on an input.
#   fuzz/run.sh 60
set -euo pipefail
seconds="${1:-60}"
[[ "$seconds" =~ ^[0-9]+$ ]] || { echo "usage: fuzz/run.sh [SECONDS]" >&2; exit 2; }
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${FUZZ_BUILD_DIR:-$root/build-fuzz}"
export FUZZ_BUILD_DIR="$build"
"$root/fuzz/build.sh"

failed=()
while read -r name; do
  [[ -n "$name" ]] || continue
  corpus="$build/corpus/$name"
  artifacts="$build/artifacts/$name/"
  log="$build/$name.log"
  mkdir -p "$corpus" "$artifacts"
  options=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=8192
           -print_final_stats=1 -artifact_prefix="$artifacts")
  [[ -f "$root/fuzz/$name.dict" ]] && options+=(-dict="$root/fuzz/$name.dict")
  echo "fuzz/run.sh: $name: fuzzing for ${seconds}s"
  # New inputs go to the first directory; the committed seeds stay as they are.
  if "$build/fuzz_$name" "${options[@]}" "$corpus" "$root/testdata/fuzz/$name" >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' || true)
    echo "fuzz/run.sh: $name: OK, ${runs:-?} inputs, corpus $(ls "$corpus" | wc -l) files"
  else
    failed+=("$name")
    echo "fuzz/run.sh: $name: FAILED; the end of $log:"
    tail -n 40 "$log" | sed 's/^/    /'
    reproducer=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    if [[ -n "$reproducer" && -f "$reproducer" ]]; then
      echo "fuzz/run.sh: $name: reproducer $reproducer ($(stat -c %s "$reproducer") bytes):"
      od -A d -c "$reproducer" | head -n 32 | sed 's/^/    /'
      echo "fuzz/run.sh: replay with: $build/fuzz_$name $reproducer"
    fi
  fi
done < "$build/targets.txt"

# The corpus also goes through Docker's own matcher: the target's in-process
# reference only covers literal patterns.
echo "fuzz/run.sh: replaying the ignore_matcher corpus through Docker's matcher"
python3 "$root/fuzz/differential.py" "$build" "$root/testdata/fuzz/ignore_matcher" "$build/corpus/ignore_matcher" ||
  failed+=("ignore_matcher-differential")

if ((${#failed[@]})); then
  echo "fuzz/run.sh: FAILED: ${failed[*]}"
  exit 1
fi
echo "fuzz/run.sh: all targets ran ${seconds}s without a failure"
