#!/bin/sh
# bench/count.sh PROFILE [PPROF FLAGS...] - instructions executed by the core for one report
# (valgrind --tool=callgrind on the `report_time` example: read, parse, report twice — once
# from a one-shot Session, once from a kept one). Counts, unlike wall times, do not move with the
# load of a shared machine, so before/after comparisons of a change stay meaningful.
# Builds the example in release mode without LTO (faster to build; relative counts are what
# matter) into ~/.cache/goroscope/bench-count-target.
# e.g. node bench/gen-profile.mjs --samples 20000 && bench/count.sh bench/out/profile-20000.pb.gz -top
set -eu
[ $# -ge 1 ] || { echo "usage: bench/count.sh PROFILE [PPROF FLAGS...]" >&2; exit 2; }
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/goroscope/bench-count-target}"
CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_STRIP=none \
  CARGO_PROFILE_RELEASE_DEBUG=line-tables-only \
  cargo build --release --locked -q -p goroscope-core --example report_time
out="${TMPDIR:-/tmp}/goroscope-count.$$"
valgrind --tool=callgrind --callgrind-out-file="$out" "$CARGO_TARGET_DIR/release/examples/report_time" "$@" 2>&1 |
  sed -n 's/.*Collected : \([0-9]*\)/instructions: \1/p'
echo "callgrind output: $out (callgrind_annotate --inclusive=yes $out | head -40)"
