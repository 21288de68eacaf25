#!/usr/bin/env bash
# Scaffolds a new chain: `scripts/new-chain.sh NAME DIR [--denom DENOM]`. Writes DIR, a crate of
# its own (binary NAMEd, home $NAME_HOME, default denomination u<NAME>) that depends on this
# checkout's Conclave crates and builds with no edit. `--help` lists every option
# (--conclave-git/--conclave-rev to depend on a git repository instead). docs/new-chain.md is
# the guide.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
exec cargo run --quiet --locked --manifest-path "$root/Cargo.toml" -p conclave-scaffold -- "$@"
