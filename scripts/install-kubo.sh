#!/usr/bin/env bash
# Build kubo (ipfs) v0.43.1 from the Go module proxy into $HOME/.cache/goroscope/bin/ipfs, once;
# the collect/report tests run it as a real daemon. Cached between runs.
#
# `go install github.com/ipfs/kubo/cmd/ipfs@v0.43.1` is refused: kubo's go.mod has a `replace`
# of go-libp2p by a fork (github.com/lidel/go-libp2p), and the proxy does not serve that fork.
# The fork only existed to pair go-libp2p with quic-go v0.62 / webtransport-go v0.13, which
# go-libp2p v0.50.0 itself requires; so we build kubo's own module source with the replace
# dropped and go-libp2p v0.50.0 required instead.
set -euo pipefail
KUBO_VERSION=v0.43.1
GOBIN_DIR="${GOROSCOPE_BIN:-$HOME/.cache/goroscope/bin}"
if "$GOBIN_DIR/ipfs" version 2>/dev/null | grep -q "${KUBO_VERSION#v}"; then exit 0; fi
mkdir -p "$GOBIN_DIR"
dir=$(go mod download -json "github.com/ipfs/kubo@$KUBO_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$dir" ] || { echo "install-kubo: could not download kubo $KUBO_VERSION" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$dir/." "$work/src"
chmod -R u+w "$work/src"
cd "$work/src"
sed -i '/^replace github.com\/libp2p\/go-libp2p =>/d' go.mod
go mod edit -require=github.com/libp2p/go-libp2p@v0.50.0
echo "install-kubo: building kubo $KUBO_VERSION (a few minutes the first time)" >&2
go build -mod=mod -trimpath -o "$GOBIN_DIR/ipfs.tmp" ./cmd/ipfs
mv "$GOBIN_DIR/ipfs.tmp" "$GOBIN_DIR/ipfs"
"$GOBIN_DIR/ipfs" version
