#!/usr/bin/env bash
# The action's install step: a ctxpack already on PATH is used; otherwise
# it is built from the action's own checkout ($CTXPACK_SOURCE) with
# Debian/Ubuntu packages and installed into ~/.local, which goes on PATH.
set -euo pipefail
if command -v ctxpack >/dev/null; then
  echo "ctxpack: using $(command -v ctxpack) ($(ctxpack --version))"
  exit 0
fi
packages=(g++ cmake ninja-build pkg-config libarchive-dev libdeflate-dev libboost-filesystem-dev libcli11-dev
  nlohmann-json3-dev scdoc)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A runner (or container) that has them all needs neither root nor the network.
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) == 0 ]] || sudo=sudo
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
cmake -S "$CTXPACK_SOURCE" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
  -DCTXPACK_MICRO_BENCHMARKS=OFF >/dev/null
cmake --build "$build" --target ctxpack ctxpack_man >/dev/null
cmake --install "$build" --prefix "$HOME/.local" >/dev/null
echo "$HOME/.local/bin" >> "${GITHUB_PATH:-/dev/null}"
"$HOME/.local/bin/ctxpack" --version
