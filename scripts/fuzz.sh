#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60), one after another, with libFuzzer
# through cargo-fuzz on the stable toolchain (`-s none`: no sanitizer; ASan needs nightly).
# New corpus entries are written to a scratch directory, so the committed seeds stay small;
# a crash is saved under fuzz/artifacts/<target>/ and fails the script.
#   scripts/fuzz.sh [SECONDS]            every target
#   FUZZ_TARGETS="check_tx store_model" scripts/fuzz.sh 600
# Prints one line per target: executions, and whether it found anything. Installs cargo-fuzz
# from crates.io if it is missing. Runs at nice 10.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
targets="${FUZZ_TARGETS:-tx_envelope check_tx module_messages abci_frame genesis_json proof_verify store_model}"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "installing cargo-fuzz (cargo install cargo-fuzz --locked)..." >&2
    cargo install cargo-fuzz --locked
fi

# The fuzz crate is its own workspace; fuzz/Cargo.lock is the workspace's lock plus
# libfuzzer-sys, so the targets are built with the versions the tests use.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}/fuzz"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/conclave-fuzz.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

cd fuzz
nice -n 10 cargo fuzz build -s none >&2
status=0
for target in $targets; do
    mkdir -p "$scratch/$target"
    log="$scratch/$target.log"
    # -rss_limit_mb: fail on an input that needs over 2 GiB; -timeout: on one over 1 s.
    if nice -n 10 cargo fuzz run -s none "$target" "$scratch/$target" "corpus/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=1 -print_final_stats=1 >"$log" 2>&1; then
        outcome="no finding"
    else
        outcome="FINDING (see fuzz/artifacts/$target/ and the log below)"
        tail -n 40 "$log" >&2
        status=1
    fi
    runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')"
    corpus="$(ls "$scratch/$target" | wc -l)"
    echo "$target: $runs executions in ${seconds}s, $corpus new corpus entries, $outcome"
done
exit "$status"
