//! The `cometbft` binary and its files: finding it (through `conclave-cometbft`), running its
//! `init`/`testnet` commands, and editing `config.toml` (with `toml_edit`, so CometBFT's comments stay). The genesis is
//! `genesis.rs`'s.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{anyhow, bail, Context, Result};
use toml_edit::DocumentMut;

/// Finds `cometbft` in the toolkit's order (`conclave_cometbft::binaries`: `explicit`, which
/// is --cometbft or $COMETBFT, then $CONCLAVE_COMETBFT, PATH, $GOPATH/bin, ~/go/bin) and checks
/// that it is a 0.38 release. The errors are worded for this CLI's flags (docs/cli.md).
pub(crate) fn locate(explicit: Option<&Path>) -> Result<PathBuf> {
    use conclave_cometbft::binaries::INSTALL_COMETBFT as INSTALL;
    use conclave_cometbft::BinaryError;
    match conclave_cometbft::locate_cometbft(explicit) {
        Ok(binary) => {
            tracing::debug!(path = %binary.path.display(), version = %binary.version, "found cometbft");
            Ok(binary.path)
        }
        Err(BinaryError::NotFound { .. }) => match explicit {
            Some(path) => {
                bail!("--cometbft {}: no such file; install CometBFT with `{INSTALL}` or fix the path", path.display())
            }
            None => {
                bail!("cometbft not found on PATH or in ~/go/bin; install it with `{INSTALL}` or pass --cometbft PATH")
            }
        },
        Err(BinaryError::CannotRun { path, source, .. }) => {
            Err(anyhow!(source).context(format!("cannot run {}; reinstall it with `{INSTALL}`", path.display())))
        }
        Err(BinaryError::WrongVersion { path, version, .. }) => {
            // The toolkit says "(exited with an error)" when `version` failed; this CLI always
            // printed what it got on stdout, which is then empty.
            let version = if version.starts_with('(') { String::new() } else { version };
            bail!(
                "{} reports version {version:?} but this chain needs CometBFT 0.38 (ABCI 2.0); install it with `{INSTALL}`",
                path.display()
            )
        }
    }
}

/// Runs `cometbft ARGS`, returning stdout; a failure's error carries its last stderr line.
pub(crate) fn run(cometbft: &Path, args: &[&str]) -> Result<String> {
    let output =
        Command::new(cometbft).args(args).output().with_context(|| format!("cannot run {}", cometbft.display()))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no output");
        bail!("`cometbft {}` failed ({}): {last}", args.join(" "), output.status);
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// `cometbft init --home HOME`.
pub(crate) fn init(cometbft: &Path, home: &Path) -> Result<()> {
    let home = path_str(home)?;
    run(cometbft, &["init", "--home", home]).map(|_| ())
}

/// `cometbft show-node-id --home HOME`.
pub(crate) fn node_id(cometbft: &Path, home: &Path) -> Result<String> {
    let home = path_str(home)?;
    let id = run(cometbft, &["show-node-id", "--home", home])?.trim().to_string();
    if id.len() != 40 {
        bail!("`cometbft show-node-id --home {home}` printed {id:?}, not a node id");
    }
    Ok(id)
}

pub(crate) fn path_str(path: &Path) -> Result<&str> {
    path.to_str().ok_or_else(|| anyhow!("{} is not valid UTF-8; use a plain path", path.display()))
}

/// CometBFT's `config.toml`, edited in place with its comments kept.
pub(crate) struct ConfigToml {
    path: PathBuf,
    doc: DocumentMut,
}

impl ConfigToml {
    /// Reads the file.
    pub(crate) fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        let doc = text.parse::<DocumentMut>().with_context(|| format!("{} is not valid TOML", path.display()))?;
        Ok(Self { path: path.to_path_buf(), doc })
    }

    /// Sets `table.key` (or a top-level `key` when `table` is empty). The key must already
    /// exist: a missing one means the file is not CometBFT 0.38's.
    pub(crate) fn set(&mut self, table: &str, key: &str, value: impl Into<toml_edit::Value>) -> Result<&mut Self> {
        let name = if table.is_empty() { key.to_string() } else { format!("{table}.{key}") };
        let target = if table.is_empty() {
            self.doc.as_table_mut()
        } else {
            self.doc.get_mut(table).and_then(|t| t.as_table_mut()).ok_or_else(|| {
                anyhow!("{}: no [{table}] table; is this a CometBFT 0.38 config?", self.path.display())
            })?
        };
        let item = target
            .get_mut(key)
            .ok_or_else(|| anyhow!("{}: no key {name}; is this a CometBFT 0.38 config?", self.path.display()))?;
        let mut value: toml_edit::Value = value.into();
        if let Some(old) = item.as_value() {
            // Keep the comment and spacing around the old value.
            *value.decor_mut() = old.decor().clone();
        }
        *item = toml_edit::Item::Value(value);
        Ok(self)
    }

    /// Reads a string value.
    pub(crate) fn get_str(&self, table: &str, key: &str) -> Option<&str> {
        let item = if table.is_empty() { self.doc.get(key) } else { self.doc.get(table)?.get(key) };
        item?.as_str()
    }

    /// Writes the file back.
    pub(crate) fn save(&self) -> Result<()> {
        std::fs::write(&self.path, self.doc.to_string())
            .with_context(|| format!("cannot write {}", self.path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_edits_keep_comments() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "# top\nproxy_app = \"tcp://127.0.0.1:26658\" # trailing\n\n[p2p]\n# the address\nladdr = \"tcp://0.0.0.0:26656\"\n").unwrap();
        let mut config = ConfigToml::load(&path).unwrap();
        config.set("", "proxy_app", "unix:///x.sock").unwrap().set("p2p", "laddr", "tcp://127.0.0.1:1").unwrap();
        assert!(config.set("p2p", "nope", "x").is_err());
        assert!(config.set("nope", "laddr", "x").is_err());
        config.save().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "# top\nproxy_app = \"unix:///x.sock\" # trailing\n\n[p2p]\n# the address\nladdr = \"tcp://127.0.0.1:1\"\n"
        );
    }
}
