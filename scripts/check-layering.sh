#!/usr/bin/env bash
# Checks the layering (docs/architecture.md, "Layers"):
# 1. no crate under sdk/ depends, directly or through another crate, on a module (modules/)
#    or on the app template. Data flows down; a crate a chain builds on must never pull in a
#    chain's own pieces;
# 2. modules reach each other only through traits the consumer owns: a module's dependency
#    on another module is optional (its adapter feature), and outside its adapter
#    (`*_adapter.rs`), its commands (`cli.rs`) and its tests no source file names another
#    module's crate.
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

# 2. Modules among themselves.
modules=$(packages_in 'modules/.+')
cargo metadata --format-version 1 --no-deps --locked | python3 -c '
import json, sys
modules = set(sys.argv[1].split())
meta = json.load(sys.stdin)
bad = 0
for p in meta["packages"]:
    if p["name"] not in modules:
        continue
    for d in p["dependencies"]:
        if d["name"] in modules and d["kind"] is None and not d["optional"]:
            print("layering: %s depends on %s unconditionally; make it optional, behind the adapter feature" % (p["name"], d["name"]), file=sys.stderr)
            bad = 1
sys.exit(bad)
' "$modules" || failed=1
for dir in modules/*; do
    own="conclave_$(basename "$dir")"
    for file in $(find "$dir/src" -name '*.rs' ! -name '*_adapter.rs' ! -name 'cli.rs' ! -name 'tests.rs' ! -path '*/tests/*'); do
        if grep -nE 'conclave_(bank|staking|voting|rotation|slashing|rewards|governance)::' "$file" | grep -v "$own::" | grep -vE '^\s*[0-9]+:\s*//' >/dev/null; then
            echo "layering: $file names another module's crate; go through a trait of its own (expected.rs) instead" >&2
            failed=1
        fi
    done
done

[ "$failed" = 0 ] || exit 1
echo "layering: $(wc -w <<<"$sdk") sdk crates, none depends on $(wc -w <<<"$upper") module/template crates; $(wc -w <<<"$modules") modules reach each other only through their adapters"
