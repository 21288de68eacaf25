#!/usr/bin/env bash
# Compatibility run against other CometBFT releases that keep ABCI 2.0 (issue 14): installs
# each VERSION (default: v0.38.26 v0.40.0) with `go install` into
# $HOME/.cache/conclave/cometbft/<version>/ (the pinned v0.38.25 in ~/go/bin is left alone),
# then runs the live tests below with that binary (CONCLAVE_COMETBFT, which every live test
# and `appchaind` honour first). Prints one line per version; exits non-zero if any failed.
#   scripts/cometbft-compat.sh [VERSION...]
# Not part of CI (CI runs v0.38.25 only); docs/running.md, "CometBFT versions", has the last
# run. The live tests: a single node with transfers and queries, four validators under load
# with one stopped and restarted, and the fault-injection soak's CI tier.
set -euo pipefail
cd "$(dirname "$0")/.."

versions=("$@")
[ "${#versions[@]}" -gt 0 ] || versions=(v0.38.26 v0.40.0)
tests=(under_cometbft_single_node under_cometbft_four_validators under_cometbft_faults_under_load_change_nothing_committed)

status=0
summary=()
for version in "${versions[@]}"; do
    dir="$HOME/.cache/conclave/cometbft/$version"
    binary="$dir/cometbft"
    if [ ! -x "$binary" ]; then
        echo "installing CometBFT $version into $dir (go install; a few minutes)..." >&2
        GOBIN="$dir" go install "github.com/cometbft/cometbft/cmd/cometbft@$version"
    fi
    printed="$("$binary" version)"
    echo "== CometBFT $version ($binary reports $printed)" >&2
    args=()
    for t in "${tests[@]}"; do args+=(--test "$t"); done
    if CONCLAVE_COMETBFT="$binary" cargo test -p conclave-tests --locked --no-fail-fast "${args[@]}" >&2; then
        summary+=("$version: ${#tests[@]} live test files pass")
    else
        summary+=("$version: FAILED (see the output above)")
        status=1
    fi
done
printf '%s\n' "${summary[@]}"
exit "$status"
