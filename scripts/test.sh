#!/usr/bin/env bash
# Runs every test: installs CometBFT v0.38.25 if missing (the whole-chain tests start real
# cometbft processes), checks the crate layering (scripts/check-layering.sh), then
# `cargo test --workspace`.
set -euo pipefail
cd "$(dirname "$0")/.."

cometbft="$(scripts/install-cometbft.sh | tail -n 1)"
export PATH="$(dirname "$cometbft"):$PATH"

scripts/check-layering.sh
cargo test --workspace --locked "$@"
