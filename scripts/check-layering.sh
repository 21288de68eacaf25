#!/usr/bin/env bash
# Checks the layering (docs/architecture.md, "Layers"): no crate under sdk/ depends, directly
# or through another crate, on a module (modules/) or on the app template. Data flows down;
# a crate a chain builds on must never pull in a chain's own pieces.
set -euo pipefail
cd "$(dirname "$0")/.."

# The workspace's package names whose folder matches the regular expression $1.
packages_in() {
    cargo metadata --format-version 1 --no-deps --locked | python3 -c '
import json, os, re, sys
meta = json.load(sys.stdin)
for p in meta["packages"]:
    rel = os.path.relpath(os.path.dirname(p["manifest_path"]), meta["workspace_root"])
    if re.fullmatch(sys.argv[1], rel):
        print(p["name"])
' "$1"
}

upper=$(packages_in 'modules/.+|app-template')
sdk=$(packages_in 'sdk/.+')

failed=0
for crate in $sdk; do
    # Every edge kind: normal, build and dev dependencies, on every target.
    deps=$(cargo tree --locked -p "$crate" -e normal,build,dev --prefix none --format '{p}' --target all \
        | awk '{print $1}' | sort -u)
    for bad in $upper; do
        if grep -qx "$bad" <<<"$deps"; then
            echo "layering: $crate (sdk/) depends on $bad; sdk crates must not depend on modules/ or app-template/" >&2
            failed=1
        fi
    done
done
[ "$failed" = 0 ] || exit 1
echo "layering: $(wc -w <<<"$sdk") sdk crates, none depends on $(wc -w <<<"$upper") module/template crates"
