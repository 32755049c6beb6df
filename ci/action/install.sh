#!/usr/bin/env bash
# The action's install step: a ctxpack already on PATH is used; otherwise
# it is built from the action's own checkout ($CTXPACK_SOURCE) with
# Debian/Ubuntu packages and installed into ~/.local, which goes on PATH.
set -euo pipefail
if command -v ctxpack >/dev/null; then
  echo "ctxpack: using $(command -v ctxpack) ($(ctxpack --version))"
  exit 0
fi
sudo=""
[[ $(id -u) == 0 ]] || sudo=sudo
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends g++ cmake ninja-build pkg-config libarchive-dev \
  libboost-filesystem-dev libcli11-dev nlohmann-json3-dev scdoc >/dev/null
build=$(mktemp -d)
cmake -S "$CTXPACK_SOURCE" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
  -DCTXPACK_MICRO_BENCHMARKS=OFF >/dev/null
cmake --build "$build" --target ctxpack ctxpack_man
cmake --install "$build" --prefix "$HOME/.local" >/dev/null
echo "$HOME/.local/bin" >> "${GITHUB_PATH:-/dev/null}"
"$HOME/.local/bin/ctxpack" --version
