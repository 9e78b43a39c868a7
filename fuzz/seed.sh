#!/usr/bin/env bash
# Fill fuzz/corpus/<target>/ with seeds at run time: the committed regression inputs, our
# fixtures, and (when present) ../shared/corpus. fuzz/corpus is gitignored: never commit it.
# Usage: fuzz/seed.sh [target...]   (default: every target)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
shared="$(dirname "$root")/shared/corpus"
regress="$root/crates/goroscope-core/tests/fuzz-regressions"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(stacks_parse pprof_parse pprof_legacy_text pprof_roundtrip report_run symbolize_elf)

# copy FILE... into DIR under content-derived names (duplicates collapse), skipping big files
put() {
  local dir="$1"; shift
  mkdir -p "$dir"
  local f
  for f in "$@"; do
    [ -f "$f" ] || continue
    [ "$(stat -c %s "$f")" -le $((1 << 20)) ] || continue
    cp -f "$f" "$dir/seed-$(sha1sum "$f" | cut -c1-16)"
  done
}
files() { [ -d "$1" ] && find "$1" -type f ! -name '*.md' ! -name '*.json' ! -name '*.tsv' ! -name '*.go' -print0 | xargs -0 -r printf '%s\n' || true; }

for t in "${targets[@]}"; do
  dir="$here/corpus/$t"
  mapfile -t reg < <(files "$regress/$t")
  case "$t" in
    stacks_parse)
      mapfile -t s < <(files "$root/fixtures/dumps"; files "$shared/goroutine-dumps"; find "$root/fixtures/profiles" -name '*debug*.txt') ;;
    pprof_parse|report_run)
      mapfile -t s < <(files "$root/fixtures/profiles"; files "$shared/google-pprof/profile/testdata"; files "$shared/google-pprof/fuzz"; files "$shared/google-pprof/internal/driver/testdata"; files "$shared/google-pprof/generated/driver-inputs") ;;
    pprof_legacy_text)
      mapfile -t s < <(find "$root/fixtures/profiles" -name '*.txt'; files "$shared/google-pprof/profile/testdata" | grep -v '\.pb' ; files "$shared/google-pprof/internal/driver/testdata" | grep -v '\.pb') ;;
    pprof_roundtrip)
      # profile.proto seeds must be uncompressed for decode()
      mkdir -p "$dir"
      while IFS= read -r f; do
        if gzip -t "$f" 2>/dev/null; then
          gzip -dc "$f" > "$dir/seed-$(sha1sum "$f" | cut -c1-16)" 2>/dev/null || true
        else
          cp -f "$f" "$dir/seed-$(sha1sum "$f" | cut -c1-16)"
        fi
      done < <(files "$root/fixtures/profiles"; files "$shared/google-pprof/profile/testdata"; files "$shared/google-pprof/fuzz")
      find "$dir" -size +1M -delete
      s=() ;;
    symbolize_elf)
      s=(/bin/true /usr/lib/x86_64-linux-gnu/libdl.so.2)
      mapfile -t -O ${#s[@]} s < <(files "$root/fixtures/symbolize" | grep -v '\.mod$' || true) ;;
    *) echo "seed.sh: unknown target $t" >&2; exit 2 ;;
  esac
  put "$dir" "${reg[@]}" "${s[@]}"
  echo "$t: $(find "$dir" -type f | wc -l) seeds"
done
