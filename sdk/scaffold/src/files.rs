//! Every file of a new chain: the app template's sources and tests under the new names, the
//! rendered manifest, the workspace's lock file, style settings and scripts, and a README
//! whose two commands run the chain's local network and its tests.

use anyhow::Result;

use crate::manifest::{self, ConclaveSource};
use crate::names::ChainNames;

/// The template's source and test files, embedded when this tool is built (a test checks
/// that the list is every file of `app-template/src` and `app-template/tests`).
pub(crate) const TEMPLATE_SOURCES: &[(&str, &str)] = &[
    ("src/lib.rs", include_str!("../../../app-template/src/lib.rs")),
    ("src/main.rs", include_str!("../../../app-template/src/main.rs")),
    ("tests/chain.rs", include_str!("../../../app-template/tests/chain.rs")),
    ("tests/cli.rs", include_str!("../../../app-template/tests/cli.rs")),
];

const TEMPLATE_MANIFEST: &str = include_str!("../../../app-template/Cargo.toml");
const WORKSPACE_MANIFEST: &str = include_str!("../../../Cargo.toml");
const WORKSPACE_LOCK: &str = include_str!("../../../Cargo.lock");
const RUSTFMT: &str = include_str!("../../../rustfmt.toml");
const CLIPPY: &str = include_str!("../../../clippy.toml");
const INSTALL_COMETBFT: &str = include_str!("../../../scripts/install-cometbft.sh");

/// A file to write: its path relative to the new chain's folder, its text, and whether it is
/// executable.
pub(crate) struct NewFile {
    pub(crate) path: String,
    pub(crate) text: String,
    pub(crate) executable: bool,
}

fn file(path: &str, text: String) -> NewFile {
    NewFile { path: path.to_string(), text, executable: false }
}

fn script(path: &str, text: String) -> NewFile {
    NewFile { path: path.to_string(), text, executable: true }
}

/// The new chain's files.
pub(crate) fn chain_files(names: &ChainNames, source: &ConclaveSource) -> Result<Vec<NewFile>> {
    // Names first, paths after: a checkout path may spell "appchain" too.
    let template = names.apply("app-template/Cargo.toml", TEMPLATE_MANIFEST)?;
    let mut files = vec![file("Cargo.toml", manifest::render(&template, WORKSPACE_MANIFEST, names, source)?)];
    for (path, text) in TEMPLATE_SOURCES {
        files.push(file(path, names.apply(&format!("app-template/{path}"), text)?));
    }
    files.push(file("Cargo.lock", WORKSPACE_LOCK.to_string()));
    files.push(file("rustfmt.toml", RUSTFMT.to_string()));
    files.push(file("clippy.toml", CLIPPY.to_string()));
    files.push(file(".gitignore", "/target\n*.redb\n/localnet\n".to_string()));
    files.push(script("scripts/install-cometbft.sh", INSTALL_COMETBFT.to_string()));
    files.push(script("scripts/localnet.sh", localnet_script(names)));
    files.push(script("scripts/test.sh", TEST_SCRIPT.to_string()));
    files.push(file("README.md", readme(names, source)));
    Ok(files)
}

fn localnet_script(names: &ChainNames) -> String {
    let bin = names.binary();
    format!(
        r#"#!/usr/bin/env bash
# The main job: installs CometBFT v0.38.25 if missing, builds {bin}, and runs a local
# 4-validator network in ./localnet (Ctrl-C stops it; running again resumes the same chain).
# Extra arguments go to `{bin} localnet` (e.g. --validators 1, --overwrite).
set -euo pipefail
cd "$(dirname "$0")/.."

cometbft="$(scripts/install-cometbft.sh | tail -n 1)"
export PATH="$(dirname "$cometbft"):$PATH"

cargo build --release --bin {bin}
# The binary is where cargo put it: $CARGO_TARGET_DIR when set, else ./target.
exec "${{CARGO_TARGET_DIR:-target}}/release/{bin}" localnet --validators 4 --dir ./localnet "$@"
"#
    )
}

const TEST_SCRIPT: &str = r#"#!/usr/bin/env bash
# Runs every test: installs CometBFT v0.38.25 if missing (the command-line tests run
# `cometbft init`), then `cargo test`. Extra arguments go to `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

cometbft="$(scripts/install-cometbft.sh | tail -n 1)"
export PATH="$(dirname "$cometbft"):$PATH"

cargo test "$@"
"#;

fn readme(names: &ChainNames, source: &ConclaveSource) -> String {
    let (name, bin, home_env, denom) = (&names.name, names.binary(), names.home_env(), &names.denom);
    let (origin, docs, update) = match source {
        ConclaveSource::Path(root) => (
            format!("the Conclave checkout at `{}`", root.display()),
            format!("{}/docs", root.display()),
            format!(
                "This chain depends on the Conclave crates by path. To take Conclave's fixes, update that \
                 checkout (`git -C {} pull`) and rebuild; to pin a release instead, replace each \
                 `path = ...` in `Cargo.toml` by `git = \"<Conclave's repository>\", rev = \"<tag>\"`.",
                root.display()
            ),
        ),
        ConclaveSource::Git { url, rev } => (
            format!("Conclave ({url} at `{rev}`)"),
            format!("{url} (docs/)"),
            format!(
                "This chain depends on the Conclave crates from git at `{rev}`. To take Conclave's fixes, \
                 change `rev` in `Cargo.toml` to a newer tag and run `cargo update -p conclave-core`."
            ),
        ),
    };
    format!(
        r#"# {name}

A delegated-proof-of-stake application chain that runs under CometBFT 0.38, built from
{origin}: token holders vote their stake for validator candidates, the top-voted
candidates form the active set, which rotates at epoch boundaries.

## Quickstart

On a machine with Rust (stable, 1.90 or newer) and Go:

```sh
scripts/localnet.sh   # installs CometBFT v0.38.25 if missing, builds {bin}, runs a local 4-validator network
scripts/test.sh       # installs CometBFT v0.38.25 if missing, runs every test (cargo test)
```

While the local network runs, in another terminal:

```sh
target/release/{bin} tx bank send bob 1000{denom} --from alice --home localnet --node http://127.0.0.1:26657
target/release/{bin} query bank balance bob --home localnet --node http://127.0.0.1:26657
```

`{bin} --help` lists every command; `{bin} init` and `{bin} start --with-cometbft` run a
single node (home: `--home`, `${home_env}`, or `~/.{name}`).

## What is where

```
src/lib.rs       the chain: its modules, the message enum with pinned wire tags, the genesis,
                 the block hooks in order, and the denomination ({denom})
src/main.rs      the {bin} binary: the chain's names and its modules' commands
tests/chain.rs   the state machine in process (start here when you add a module)
tests/cli.rs     the command line (runs `cometbft init`)
scripts/         install-cometbft.sh, localnet.sh, test.sh
```

To add a module, write a CLI command or understand the block lifecycle, read Conclave's
`new-chain.md` and `writing-a-module.md` in {docs}.

## Conclave updates

{update}
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_source_is_embedded() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../app-template");
        let mut on_disk = Vec::new();
        for dir in ["src", "tests"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let name = entry.unwrap().file_name().into_string().unwrap();
                on_disk.push(format!("{dir}/{name}"));
            }
        }
        on_disk.sort();
        let mut embedded: Vec<String> = TEMPLATE_SOURCES.iter().map(|(p, _)| p.to_string()).collect();
        embedded.sort();
        assert_eq!(embedded, on_disk, "add new app-template files to TEMPLATE_SOURCES");
    }

    #[test]
    fn the_template_converts_under_new_names() {
        let names = ChainNames::new("zeta", "uzeta").unwrap();
        let files = chain_files(&names, &ConclaveSource::Path("/x/conclave".into())).unwrap();
        let lib = files.iter().find(|f| f.path == "src/lib.rs").unwrap();
        assert!(lib.text.contains("pub const DENOM: &str = \"uzeta\";"));
        let main = files.iter().find(|f| f.path == "src/main.rs").unwrap();
        assert!(main.text.contains("binary: \"zetad\"") && main.text.contains("home_env: \"ZETA_HOME\""));
        assert!(main.text.contains("use zeta::"));
        let readme = files.iter().find(|f| f.path == "README.md").unwrap();
        assert!(readme.text.contains("scripts/localnet.sh") && readme.text.contains("scripts/test.sh"));
    }
}
