#!/usr/bin/env bash
# A short libFuzzer run of every fuzz target (fuzz/), from the committed regression inputs
# (crates/goroscope-core/tests/fuzz-regressions/<target>) plus the seeds of fuzz/seed.sh.
# Part of `npm test`. Long runs: see RELIABILITY.md.
#
# Env: FUZZ_SMOKE_SECONDS (per target, default 8), FUZZ_SMOKE_SKIP=1 (skip entirely),
#      CARGO_TARGET_DIR (default ~/.cache/goroscope/fuzz-target, kept warm between runs).
set -euo pipefail
if [ "${FUZZ_SMOKE_SKIP:-}" = 1 ]; then echo "fuzz-smoke: skipped (FUZZ_SMOKE_SKIP=1)"; exit 0; fi
root="$(cd "$(dirname "$0")/.." && pwd)"
secs="${FUZZ_SMOKE_SECONDS:-8}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/goroscope/fuzz-target}"
# cargo-fuzz drives nightly-only flags (-Zsanitizer, -Cpasses=sancov…); stable rustc accepts them
# with RUSTC_BOOTSTRAP=1.
export RUSTC_BOOTSTRAP=1
if ! command -v cargo-fuzz >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/cargo-fuzz" ]; then
  echo "fuzz-smoke: installing cargo-fuzz (once, into ~/.cargo/bin)"
  cargo install cargo-fuzz --locked
fi
export PATH="$HOME/.cargo/bin:$PATH"
cd "$root/fuzz"
targets=$(cargo fuzz list)
# -s none: the core has no unsafe code but its mmap, so ASan adds cost and little else;
# -a: debug assertions (integer overflow checks), as in `cargo test`.
flags=(-s none -a --target-dir "$CARGO_TARGET_DIR")
start=$(date +%s)
cargo fuzz build "${flags[@]}" 2>&1 | grep -Ev '^\s+(Compiling|Finished|Running)' || true
"$root/fuzz/seed.sh" $targets >/dev/null
fail=0
for t in $targets; do
  scratch="$(mktemp -d)"
  regress="$root/crates/goroscope-core/tests/fuzz-regressions/$t"
  mkdir -p "$regress"
  # new inputs go to the scratch dir; seeds and regressions are only read
  if ! out=$(cargo fuzz run "${flags[@]}" "$t" "$scratch" "$root/fuzz/corpus/$t" "$regress" -- \
      -max_total_time="$secs" -max_len=65536 -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$scratch/" 2>&1); then
    echo "$out" | tail -40
    echo "fuzz-smoke: $t FAILED; crash input kept in $scratch" >&2
    fail=1
    continue
  fi
  execs=$(echo "$out" | sed -n 's/^stat::number_of_executed_units: *//p')
  cov=$(echo "$out" | grep -o 'cov: [0-9]*' | tail -1)
  echo "fuzz-smoke: $t ok (${execs:-?} execs, $cov, ${secs}s)"
  rm -rf "$scratch"
done
echo "fuzz-smoke: done in $(( $(date +%s) - start ))s"
exit $fail
