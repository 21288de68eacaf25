#!/usr/bin/env bash
# Installs CometBFT's ABCI test client `abci-cli` from CometBFT v0.38.25 with `go install`
# (through the Go module proxy) unless an abci-cli of the 0.38 line is already on PATH or in
# $(go env GOPATH)/bin. `abci-cli version` prints the ABCI version it speaks, 2.0.x for 0.38.
# Prints the path of the binary on its last line. Used by scripts/test.sh for
# tests/tests/abci_cli_conformance.rs.
set -euo pipefail

VERSION="v0.38.25"
want_prefix="2.0."

have_version() {
    [ -x "$1" ] && case "$("$1" version 2>/dev/null)" in "$want_prefix"*) true ;; *) false ;; esac
}

if command -v abci-cli >/dev/null 2>&1 && have_version "$(command -v abci-cli)"; then
    command -v abci-cli
    exit 0
fi

if ! command -v go >/dev/null 2>&1; then
    echo "error: Go is needed to install abci-cli from CometBFT $VERSION (https://go.dev/doc/install), or put an abci-cli of CometBFT 0.38 on PATH" >&2
    exit 1
fi

gobin="$(go env GOBIN)"
[ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
if have_version "$gobin/abci-cli"; then
    echo "$gobin/abci-cli"
    exit 0
fi

echo "installing abci-cli from CometBFT $VERSION with go install..." >&2
go install "github.com/cometbft/cometbft/abci/cmd/abci-cli@$VERSION"
if ! have_version "$gobin/abci-cli"; then
    echo "error: go install finished but $gobin/abci-cli does not report ABCI ${want_prefix}x" >&2
    exit 1
fi
echo "$gobin/abci-cli"
