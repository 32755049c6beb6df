#!/usr/bin/env bash
# Builds the libFuzzer targets with clang into build-fuzz/ (or $FUZZ_BUILD_DIR).
# Needs Debian's clang and libclang-rt-14-dev besides the project's own
# build dependencies.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${FUZZ_BUILD_DIR:-$root/build-fuzz}"
for tool in clang++ cmake ninja; do
  command -v "$tool" >/dev/null || { echo "fuzz/build.sh: $tool not found (apt-get install clang libclang-rt-14-dev cmake ninja-build)" >&2; exit 2; }
done
cmake -S "$root/fuzz" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ >/dev/null
cmake --build "$build" -j"${FUZZ_JOBS:-2}"
