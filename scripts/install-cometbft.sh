#!/usr/bin/env bash
# Installs CometBFT v0.38.25 with `go install` unless that exact version is already on
# PATH or in $(go env GOPATH)/bin. Prints the path of the binary on its last line.
set -euo pipefail

VERSION="v0.38.25"
want="${VERSION#v}"

have_version() {
    [ -x "$1" ] && [ "$("$1" version 2>/dev/null)" = "$want" ]
}

if command -v cometbft >/dev/null 2>&1 && have_version "$(command -v cometbft)"; then
    command -v cometbft
    exit 0
fi

if ! command -v go >/dev/null 2>&1; then
    echo "error: Go is needed to install CometBFT $VERSION (https://go.dev/doc/install), or put cometbft $want on PATH" >&2
    exit 1
fi

gobin="$(go env GOBIN)"
[ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
if have_version "$gobin/cometbft"; then
    echo "$gobin/cometbft"
    exit 0
fi

echo "installing CometBFT $VERSION with go install (a few minutes the first time)..." >&2
go install "github.com/cometbft/cometbft/cmd/cometbft@$VERSION"
if ! have_version "$gobin/cometbft"; then
    echo "error: go install finished but $gobin/cometbft is not version $want" >&2
    exit 1
fi
echo "$gobin/cometbft"
