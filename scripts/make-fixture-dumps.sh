#!/usr/bin/env bash
# make-fixture-dumps.sh - capture the Go 1.26.8 and Go 1.27.3 fixture dumps and profiles
# (issue 10: labels, runtime-proven leaks, lock-order deadlock, [recovered, repanicked]).
#
# Usage (from anywhere): scripts/make-fixture-dumps.sh [--only go126|go127]
#
# Runs fixtures/goprog/capture.sh for both runtimes, the captures of one runtime in parallel
# (about 2 minutes in all: each process waits 80s so that headers carry ", 1 minutes"). Go 1.27.3
# is fetched from the module proxy once per machine (GOTOOLCHAIN=go1.27.3, ~76 MB); Go 1.26.8 is the
# local go. Writes, for R in go126 / go127 (go126 files are built with
# GOEXPERIMENT=goroutineleakprofile and run with GODEBUG=tracebacklabels=1; their names say "labels"
# to tell them from the older unlabelled go126 captures):
#   fixtures/dumps/R-{labels-,}debug2.txt        goroutine?debug=2, before any leak detection
#   fixtures/dumps/R-{labels-,}debug1.txt        goroutine?debug=1 (# labels: lines)
#   fixtures/dumps/R-goroutineleak-debug2.txt    goroutineleak?debug=2 (every goroutine, "(leaked)" marks)
#   fixtures/dumps/R-goroutineleak-debug1.txt    goroutineleak?debug=1 (only the leaked ones)
#   fixtures/dumps/R-{labels-,}sigquit-system.txt GOTRACEBACK=system SIGQUIT dump after leak detection
#   fixtures/dumps/R-repanic.txt                 GOTRACEBACK=all "panic: ... [recovered, repanicked]"
#   fixtures/dumps/go127-panic.txt               GOTRACEBACK=all plain panic (go126 has one already)
#   fixtures/dumps/go127-nolabels-debug2.txt     goroutine?debug=2 with GODEBUG=tracebacklabels=0
#   fixtures/dumps/R-synctest.txt                runtime.Stack(all) inside a testing/synctest bubble
#                                                ("(durable)", ", synctest bubble N"; fixtures/goprog/synctestdump)
#   fixtures/profiles/R-{labels-,}goroutine.pb.gz, R-goroutineleak.pb.gz  (+ .raw: go tool pprof -raw)
#   X.facts.json next to every dump: the program's /fixture/facts plus a "capture" object saying what
#   this file is and what it must show (see fixtures/README.md).
# Each file set is checked before it is kept: the goroutineleak debug=1 total and the "(leaked)"
# headers must match what the program says it leaked.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
only=
[[ ${1:-} == --only ]] && only=$2
C=fixtures/goprog/capture.sh D=fixtures/dumps P=fixtures/profiles
GOTOOLCHAIN=go1.27.3 go version >/dev/null   # fetch Go 1.27.3 once, before the parallel builds
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# capture RUNTIME NAME ARGS...: run capture.sh into $out/NAME.* (facts always)
capture() {
  local name=$1; shift
  "$C" --many 50 --facts "$out/$name.facts" "$@" >"$out/$name.log" 2>&1 || { cat "$out/$name.log" >&2; return 1; }
}

runtime_set() {
  local r=$1 pre=$2; shift 2
  local opts=("$@")
  local pids=()
  capture "$r-main" "${opts[@]}" --wait-minutes 1 \
    --debug2 "$out/$r-debug2.txt" --debug1 "$out/$r-debug1.txt" --goroutine-proto "$out/$r-goroutine.pb.gz" \
    --leak-debug2 "$out/$r-goroutineleak-debug2.txt" --leak-debug1 "$out/$r-goroutineleak-debug1.txt" \
    --leak-proto "$out/$r-goroutineleak.pb.gz" & pids+=($!)
  capture "$r-sigquit" "${opts[@]}" --wait-minutes 1 --leak-debug1 "$out/$r-sigquit-leak.txt" \
    --sigquit system --stderr "$out/$r-sigquit-system.txt" & pids+=($!)
  capture "$r-repanic" "${opts[@]}" --repanic all --stderr "$out/$r-repanic.txt" & pids+=($!)
  if [[ $r == go127 ]]; then
    capture "$r-panic" "${opts[@]}" --panic all --stderr "$out/$r-panic.txt" & pids+=($!)
    # labels switched off: a Go 1.27 dump for the analyses that do not read labels
    capture "$r-nolabels" "${opts[@]}" --godebug tracebacklabels=0 --wait-minutes 1 --debug2 "$out/$r-nolabels-debug2.txt" & pids+=($!)
  fi
  local p; for p in "${pids[@]}"; do wait "$p"; done

  # checks: the runtime leaked exactly what the program says
  node "$root/scripts/fixture-facts.mjs" check "$out/$r-main.facts" "$out/$r-goroutineleak-debug2.txt" "$out/$r-goroutineleak-debug1.txt"
  node "$root/scripts/fixture-facts.mjs" check "$out/$r-sigquit.facts" "$out/$r-sigquit-system.txt" "$out/$r-sigquit-leak.txt"

  # keep: dumps + annotated facts, profiles + raw oracles
  local f
  keep() { # keep SRC-NAME DEST-NAME FACTS KIND LEAKED-MARKED
    cp "$out/$1" "$D/$2"
    node "$root/scripts/fixture-facts.mjs" annotate "$out/$3.facts" "$2" "$4" "$5" >"$D/${2%.txt}.facts.json"
  }
  keep "$r-debug2.txt" "$r-${pre}debug2.txt" "$r-main" goroutine-debug2 false
  keep "$r-debug1.txt" "$r-${pre}debug1.txt" "$r-main" goroutine-debug1 false
  keep "$r-goroutineleak-debug2.txt" "$r-goroutineleak-debug2.txt" "$r-main" goroutineleak-debug2 true
  keep "$r-goroutineleak-debug1.txt" "$r-goroutineleak-debug1.txt" "$r-main" goroutineleak-debug1 true
  keep "$r-sigquit-system.txt" "$r-${pre}sigquit-system.txt" "$r-sigquit" sigquit-system true
  keep "$r-repanic.txt" "$r-repanic.txt" "$r-repanic" repanic false
  if [[ $r == go127 ]]; then
    keep "$r-panic.txt" "$r-panic.txt" "$r-panic" panic false
    keep "$r-nolabels-debug2.txt" "$r-nolabels-debug2.txt" "$r-nolabels" goroutine-debug2 false
  fi
  for f in "$r-goroutine.pb.gz:$r-${pre}goroutine.pb.gz" "$r-goroutineleak.pb.gz:$r-goroutineleak.pb.gz"; do
    cp "$out/${f%%:*}" "$P/${f#*:}"
    TZ=UTC go tool pprof -raw "$P/${f#*:}" >"$P/${f#*:}.raw"
  done
}

# synctest_dump RUNTIME: the bubble dump (a go test binary, -tags fixture) and its facts
synctest_dump() {
  local r=$1 env=(GOTOOLCHAIN=local GODEBUG=tracebacklabels=1) mod=()
  [[ $r == go127 ]] && env=(GOTOOLCHAIN=go1.27.3) mod=(-modfile=go127.mod)
  (cd fixtures/goprog && env "${env[@]}" go test ${mod[@]+"${mod[@]}"} -count=1 -tags fixture -run TestBubbleDump ./synctestdump \
    -args -dump "$root/$D/$r-synctest.txt" -facts "$root/$D/$r-synctest.facts.json" >/dev/null)
}

[[ $only == go126 ]] || { runtime_set go127 "" --go 1.27; synctest_dump go127; }
[[ $only == go127 ]] || { runtime_set go126 labels- --go 1.26 --goexperiment goroutineleakprofile --godebug tracebacklabels=1; synctest_dump go126; }
echo "make-fixture-dumps: done" >&2
