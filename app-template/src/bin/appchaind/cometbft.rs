//! The `cometbft` binary and its files: finding it, running its `init`/`testnet` commands,
//! and editing `config.toml` (with `toml_edit`, so CometBFT's comments stay) and
//! `genesis.json` (with serde_json).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};
use toml_edit::DocumentMut;

use appchain::{AppChain, Genesis};
use conclave_bank::GenesisBalance;
use conclave_core::{Address, BlockTime, Coin};
use conclave_runtime::{GenesisState, InitChainRequest, Runtime, RuntimeGenesis, RuntimeParams};
use conclave_store::{Store, StoreConfig};

/// How to install it.
pub(crate) const INSTALL_COMMAND: &str = "go install github.com/cometbft/cometbft/cmd/cometbft@v0.38.25";

/// Finds `cometbft`: `explicit` (--cometbft or $COMETBFT), then PATH, then ~/go/bin and
/// $GOPATH/bin. Checks that it runs and is a 0.38 release.
pub(crate) fn locate(explicit: Option<&Path>) -> Result<PathBuf> {
    let path = match explicit {
        Some(path) => {
            if !path.is_file() {
                bail!("--cometbft {}: no such file; install CometBFT with `{INSTALL_COMMAND}` or fix the path", path.display());
            }
            path.to_path_buf()
        }
        None => search().ok_or_else(|| {
            anyhow!("cometbft not found on PATH or in ~/go/bin; install it with `{INSTALL_COMMAND}` or pass --cometbft PATH")
        })?,
    };
    let output = Command::new(&path)
        .arg("version")
        .output()
        .with_context(|| format!("cannot run {}; reinstall it with `{INSTALL_COMMAND}`", path.display()))?;
    let version = String::from_utf8_lossy(&output.stdout).trim().to_string();
    if !output.status.success() || !version.starts_with("0.38.") {
        bail!(
            "{} reports version {version:?} but this chain needs CometBFT 0.38 (ABCI 2.0); install it with `{INSTALL_COMMAND}`",
            path.display()
        );
    }
    tracing::debug!(path = %path.display(), %version, "found cometbft");
    Ok(path)
}

fn search() -> Option<PathBuf> {
    let mut candidates: Vec<PathBuf> = Vec::new();
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path).map(|dir| dir.join("cometbft")));
    }
    if let Some(gopath) = std::env::var_os("GOPATH") {
        candidates.extend(std::env::split_paths(&gopath).map(|dir| dir.join("bin/cometbft")));
    }
    if let Some(home) = std::env::var_os("HOME") {
        candidates.push(PathBuf::from(home).join("go/bin/cometbft"));
    }
    candidates.into_iter().find(|p| is_executable(p))
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
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

/// Balance of each funded genesis account.
pub(crate) const GENESIS_BALANCE: u128 = 1_000_000_000_000;

/// Our `app_state`: default runtime parameters, and `accounts` funded with
/// [`GENESIS_BALANCE`] of the fee denomination.
pub(crate) fn app_state(accounts: &[Address]) -> Result<Value> {
    let params = RuntimeParams::default();
    let balances = accounts
        .iter()
        .map(|address| GenesisBalance {
            address: *address,
            coins: vec![Coin::new(params.fee_denom.clone(), GENESIS_BALANCE)],
        })
        .collect();
    let state = GenesisState::<Genesis> {
        runtime: RuntimeGenesis { params, nonces: Vec::new() },
        app: Genesis { bank: conclave_bank::Genesis { balances, supply: None }, ..Genesis::default() },
    };
    Ok(state.to_json()?)
}

/// Edits a `genesis.json` written by CometBFT: chain id, our `app_state`, and the block gas
/// limit equal to the runtime's `max_block_gas`. Validators are kept. The app state is checked
/// by running InitChain on an in-memory store, so a bad genesis fails here, not at start.
pub(crate) fn edit_genesis(path: &Path, chain_id: &str, app_state: Value) -> Result<Vec<u8>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut genesis: Value = serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let params: RuntimeParams =
        serde_json::from_value(app_state["runtime"]["params"].clone()).context("app_state.runtime.params")?;
    let Some(object) = genesis.as_object_mut() else { bail!("{}: not a JSON object", path.display()) };
    object.insert("chain_id".into(), json!(chain_id));
    object.insert("app_state".into(), app_state.clone());
    let block = genesis
        .pointer_mut("/consensus_params/block")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| anyhow!("{}: no consensus_params.block; is this a CometBFT 0.38 genesis?", path.display()))?;
    let max_gas = if params.max_block_gas == 0 { "-1".to_string() } else { params.max_block_gas.to_string() };
    block.insert("max_gas".into(), json!(max_gas));
    check_app_state(chain_id, &app_state)?;
    let mut bytes = serde_json::to_vec_pretty(&genesis)?;
    bytes.push(b'\n');
    std::fs::write(path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(bytes)
}

fn check_app_state(chain_id: &str, app_state: &Value) -> Result<()> {
    let store = Store::open_in_memory(StoreConfig::default()).context("in-memory store")?;
    let mut runtime = Runtime::new(AppChain::default(), store);
    runtime
        .init_chain(InitChainRequest {
            chain_id: chain_id.to_string(),
            time: BlockTime(0),
            initial_height: 1,
            app_state: serde_json::to_vec(app_state)?,
        })
        .context("the genesis app_state is invalid")?;
    Ok(())
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

    #[test]
    fn app_state_is_valid_genesis() {
        let state = app_state(&[Address::from_public_key(&[1; 32])]).unwrap();
        check_app_state("test-1", &state).unwrap();
        assert_eq!(state["app"]["bank"]["balances"][0]["coins"][0]["amount"], "1000000000000");
    }
}
