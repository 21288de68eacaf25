#!/usr/bin/env bash
# Runs every test: installs CometBFT v0.38.25 and its abci-cli if missing (the whole-chain
# tests start real cometbft processes; the ABCI conformance test drives the server with
# abci-cli), checks the crate layering (scripts/check-layering.sh), then
# `cargo test --workspace` (which also replays the committed fuzz corpora: no fuzzer needed).
set -euo pipefail
cd "$(dirname "$0")/.."

cometbft="$(scripts/install-cometbft.sh | tail -n 1)"
abci_cli="$(scripts/install-abci-cli.sh | tail -n 1)"
export PATH="$(dirname "$cometbft"):$(dirname "$abci_cli"):$PATH"

scripts/check-layering.sh
cargo test --workspace --locked "$@"
