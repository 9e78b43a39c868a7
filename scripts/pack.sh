#!/usr/bin/env bash
# Builds goroscope's npm packages into dist-pkg/: goroscope-VERSION.tgz (JS, types, man page,
# optionalDependencies on the platform packages) and one goroscope-PLATFORM-VERSION.tgz per
# napi.targets entry (the release .node), with napi-rs's own release steps.
#
#   scripts/pack.sh              release build (npm run build), man page, both tarballs
#   scripts/pack.sh --no-build   pack what is built already (the install test, after pretest)
#
# napi-rs's steps write into the package they prepare (`prepublish` adds optionalDependencies to
# package.json, `artifacts` copies the .node into npm/<platform>/), so they run on a staged copy
# of exactly what `npm pack` would publish from this checkout, which stays as committed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=1
for arg in "$@"; do
  case $arg in
    --no-build) build=0 ;;
    *) echo "usage: scripts/pack.sh [--no-build]" >&2; exit 2 ;;
  esac
done
[ $build = 0 ] || { rm -rf dist; npm run build; }   # so no file of an earlier build ships
for f in index.js dist/src/index.js bin/goroscope.js; do
  [ -f "$f" ] || { echo "pack: $f is missing; run npm run build first" >&2; exit 1; }
done
# the man page's date is the commit's, so two packs of one commit are the same bytes
SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)} \
  node --import=tsx scripts/gen-man.ts dist/man/goroscope.1

stage=$(mktemp -d "${TMPDIR:-/tmp}/goroscope-pack.XXXXXX")
trap 'rm -rf "$stage"' EXIT
napi() { "$root/node_modules/.bin/napi" "$@" --cwd "$stage/goroscope"; }

npm pack --silent --pack-destination "$stage" >/dev/null
mkdir "$stage/goroscope"
tar -xzf "$stage"/goroscope-*.tgz -C "$stage/goroscope" --strip-components=1
napi create-npm-dirs >/dev/null                  # npm/<platform>/package.json from napi.targets
napi artifacts --output-dir "$root" >/dev/null   # the built .node into its platform package
# optionalDependencies at the root package's version; publishes nothing
napi prepublish --tag-style npm --skip-optional-publish --no-gh-release

# a fresh dist-pkg/, filled in a scratch dir and moved in whole
out=$stage/out
mkdir "$out"
npm pack --silent --pack-destination "$out" "$stage/goroscope" "$stage/goroscope"/npm/* >/dev/null
rm -rf dist-pkg.old
[ ! -e dist-pkg ] || mv dist-pkg dist-pkg.old
mv "$out" dist-pkg
rm -rf dist-pkg.old
ls -l dist-pkg/*.tgz
