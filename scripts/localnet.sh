#!/usr/bin/env bash
# The main job: installs CometBFT v0.38.25 if missing, builds appchaind, and runs a local
# 4-validator network in ./localnet (Ctrl-C stops it; running again resumes the same chain).
# Extra arguments go to `appchaind localnet` (e.g. --validators 1, --overwrite).
set -euo pipefail
cd "$(dirname "$0")/.."

cometbft="$(scripts/install-cometbft.sh | tail -n 1)"
export PATH="$(dirname "$cometbft"):$PATH"

cargo build --release --locked -p appchain --bin appchaind
# The binary is where cargo put it: $CARGO_TARGET_DIR when set, else ./target.
exec "${CARGO_TARGET_DIR:-target}/release/appchaind" localnet --validators 4 --dir ./localnet "$@"
