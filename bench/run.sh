#!/usr/bin/env bash
# The ctxpack benchmark suite, start to finish, writing BENCHMARKS.md.
#
#   bench/run.sh [--quick] [--ctxpack PATH] [--work DIR] [--out FILE] [bench.py options]
#
#   --quick         the 100k-entry shape and why --stdin only (skips the 1M shape)
#   --ctxpack PATH  benchmark this binary instead of building one
#   --work DIR      generated contexts, baselines and build (default /tmp/ctxpack-bench)
#   --out FILE      report to write (default BENCHMARKS.md at the repository root)
#   --runs N, --runs-1m N, --compress-runs N, --budget SECONDS: see bench/bench.py --help
#
# It installs the Debian packages it needs, builds ctxpack (RelWithDebInfo, in
# WORK/build, not in the shared build tree) and Docker's baselines, generates
# the contexts when they are missing, and runs bench/bench.py. Not part of the
# test suite: it takes minutes and wants a quiet machine.
set -euo pipefail
export PYTHONDONTWRITEBYTECODE=1

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$bench_dir")
work=/tmp/ctxpack-bench
out=$repo/BENCHMARKS.md
ctxpack=
quick=
passthrough=()
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=--quick ;;
    --ctxpack) ctxpack=$(realpath "$2"); shift ;;
    --work) work=$2; shift ;;
    --out) out=$(realpath -m "$2"); shift ;;
    --runs|--runs-1m|--compress-runs|--budget) passthrough+=("$1" "$2"); shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$work"
work=$(realpath "$work")

# Debian packages, by what the suite runs.
need=()
have() { command -v "$1" >/dev/null 2>&1; }
have go || need+=(golang-go)
[ -d /usr/share/gocode/src/github.com/docker/docker/pkg/archive ] || need+=(golang-github-docker-docker-dev)
[ -d /usr/share/gocode/src/github.com/moby/patternmatcher ] || need+=(golang-github-moby-patternmatcher-dev)
have bsdtar || need+=(libarchive-tools)
[ -x /usr/bin/time ] || need+=(time)
have zstd || need+=(zstd)
have pigz || need+=(pigz)  # the parallel gzip baseline
[ -e /usr/include/benchmark/benchmark.h ] || need+=(libbenchmark-dev)
have python3 || need+=(python3)
if [ -z "$ctxpack" ]; then
  have cmake || need+=(cmake)
  have ninja || need+=(ninja-build)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "run.sh: installing ${need[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then
    echo "run.sh: missing packages ${need[*]}; install them as root" >&2
    exit 2
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >&2
fi

# Docker's code, from Debian's moby 20.10 and patternmatcher sources (GOPATH mode).
mkdir -p "$work/bin"
for prog in dockertar dockermatch; do
  GO111MODULE=off GOFLAGS= GOPATH="/usr/share/gocode:$bench_dir/go" \
    GOCACHE="${GOCACHE:-$work/go-cache}" go build -o "$work/bin/$prog" "ctxbench/$prog"
done

if [ -z "$ctxpack" ]; then
  ctxpack=$work/build/ctxpack
  echo "run.sh: building ctxpack in $work/build" >&2
  if ! { cmake -S "$repo" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF \
           && cmake --build "$work/build" --target ctxpack matcher_bench -j2; } >"$work/build.log" 2>&1; then
    # The report says which ctxpack commands could not run; the baselines still can.
    echo "run.sh: building ctxpack failed (see $work/build.log); its rows will say so" >&2
    rm -f "$ctxpack"
  fi
fi

shapes=(monorepo paths)
[ -n "$quick" ] || shapes+=(wide)
python3 "$bench_dir/gen_context.py" --out "$work/contexts" "${shapes[@]}"

micro=$(dirname "$ctxpack")/bench/micro/matcher_bench
exec python3 "$bench_dir/bench.py" --work "$work" --bin "$work/bin" --ctxpack "$ctxpack" --micro "$micro" --out "$out" \
  $quick ${passthrough[@]+"${passthrough[@]}"}
