#!/bin/sh
# Server-side time of each web UI view on google/pprof's large.cpu (README "pprof -http"): the
# `Server-Timing` of each answer, cold (a refine not asked before: the core computes it) and warm
# (asked again: the session's cache), and the size of each answer. Usage: bench/webui-views.sh [PROFILE]
set -eu
cd "$(dirname "$0")/.."
P=${1:-../shared/corpus/google-pprof/internal/proftest/testdata/large.cpu}
ERR=$(mktemp)
node bin/goroscope.js pprof -http=127.0.0.1:0 -no_browser "$P" 2>"$ERR" &
PID=$!
trap 'kill $PID 2>/dev/null; rm -f "$ERR"' EXIT INT TERM HUP PIPE
while ! grep -q 'Serving web UI' "$ERR"; do sleep 0.2; done
URL=$(sed -n 's/.*Serving web UI on \(http:[^ ]*\)ui\/$/\1/p' "$ERR")
for round in cold warm; do
  for v in flame top peek graph graph.svg; do
    for f in "" main time.now 'runtime\.'; do
      q="f=$f"
      [ "$v" = peek ] && [ -z "$f" ] && q="f=main.next"
      out=$(curl -s -o /dev/null -D - -w 'size=%{size_download}\n' "${URL}api/$v?$q")
      t=$(echo "$out" | sed -n 's/^Server-Timing: app;dur=\([0-9.]*\).*/\1/p')
      b=$(echo "$out" | sed -n 's/^size=//p')
      echo "$round $v $q ${t}ms ${b}B"
    done
  done
done
