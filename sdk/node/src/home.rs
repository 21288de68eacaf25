//! A node home: its layout and its app configuration (`config/app.toml`).
//!
//! ```text
//! HOME/config/config.toml          CometBFT's configuration (proxy_app points at our socket)
//! HOME/config/genesis.json         shared genesis; app_state is our GenesisState
//! HOME/config/app.toml             this file's AppConfig
//! HOME/config/node_key.json, priv_validator_key.json   CometBFT's keys
//! HOME/data/                       CometBFT's databases
//! HOME/data/app/                   the state store (log.redb, flat.redb)
//! HOME/data/snapshots/             state-sync snapshots this node serves (`[state-sync]`)
//! HOME/data/abci.sock              the ABCI socket while the node runs
//! HOME/keys/                       account keys (0700; files 0600)
//! HOME/cometbft.log                CometBFT's output under `start --with-cometbft`
//! ```

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use conclave_abci::{EventIndexing, IndexMode, ListenAddress, StateSyncConfig};
use conclave_store::StoreConfig;

/// Longest Unix socket path the kernel accepts (sun_path is 108 bytes, NUL included).
const MAX_SOCKET_PATH: usize = 107;

/// The paths of one node home.
#[derive(Clone, Debug)]
pub(crate) struct Home {
    root: PathBuf,
}

impl Home {
    /// The home at `root`, made absolute (it need not exist yet).
    pub(crate) fn new(root: &Path) -> Result<Self> {
        Ok(Self { root: absolute(root)? })
    }

    /// `--home`, or `$<CHAIN>_HOME`, or `~/.<chain>` ([`conclave_client::chain::default_home`]).
    pub(crate) fn from_arg(arg: Option<&Path>) -> Result<Self> {
        match arg {
            Some(path) => Self::new(path),
            None => Self::new(&conclave_client::chain::default_home()?),
        }
    }

    /// An existing, initialised home; the error says how to create one.
    pub(crate) fn existing(arg: Option<&Path>) -> Result<Self> {
        let home = Self::from_arg(arg)?;
        for file in [home.app_toml(), home.config_toml(), home.genesis()] {
            if !file.is_file() {
                bail!(
                    "{} is not a node home (missing {}); create one with `{} init --home {} --chain-id ID --moniker NAME`",
                    home.root.display(),
                    file.strip_prefix(&home.root).unwrap_or(&file).display(),
                    conclave_client::chain::description().binary,
                    home.root.display()
                );
            }
        }
        Ok(home)
    }

    pub(crate) fn root(&self) -> &Path {
        &self.root
    }
    pub(crate) fn config_dir(&self) -> PathBuf {
        self.root.join("config")
    }
    pub(crate) fn config_toml(&self) -> PathBuf {
        self.root.join("config/config.toml")
    }
    pub(crate) fn genesis(&self) -> PathBuf {
        self.root.join("config/genesis.json")
    }
    pub(crate) fn app_toml(&self) -> PathBuf {
        self.root.join("config/app.toml")
    }
    pub(crate) fn data_dir(&self) -> PathBuf {
        self.root.join("data")
    }
    pub(crate) fn store_dir(&self) -> PathBuf {
        self.root.join("data/app")
    }
    pub(crate) fn snapshots_dir(&self) -> PathBuf {
        self.root.join("data/snapshots")
    }
    pub(crate) fn socket(&self) -> PathBuf {
        self.root.join("data/abci.sock")
    }
    pub(crate) fn keys_dir(&self) -> PathBuf {
        self.root.join("keys")
    }
    pub(crate) fn cometbft_log(&self) -> PathBuf {
        self.root.join("cometbft.log")
    }
    /// The node process's log under `localnet`: `<binary>.log`.
    pub(crate) fn node_log(&self) -> PathBuf {
        self.root.join(format!("{}.log", conclave_client::chain::description().binary))
    }

    /// `unix://HOME/data/abci.sock`; an error if the path is too long for a Unix socket.
    pub(crate) fn socket_address(&self) -> Result<String> {
        let socket = self.socket();
        let len = socket.as_os_str().len();
        if len > MAX_SOCKET_PATH {
            bail!(
                "the ABCI socket path {} is {len} bytes, more than the {MAX_SOCKET_PATH} a Unix socket allows; use a shorter home path",
                socket.display()
            );
        }
        Ok(format!("unix://{}", socket.display()))
    }

    /// Whether anything of a node home is already there.
    pub(crate) fn is_populated(&self) -> bool {
        [self.config_dir(), self.data_dir(), self.keys_dir()].iter().any(|p| p.exists())
    }

    /// Deletes what `init` creates (never anything else in the directory).
    pub(crate) fn clear(&self) -> Result<()> {
        for dir in [self.config_dir(), self.data_dir(), self.keys_dir()] {
            if dir.exists() {
                std::fs::remove_dir_all(&dir).with_context(|| format!("cannot delete {}", dir.display()))?;
            }
        }
        for file in [self.cometbft_log(), self.node_log()] {
            if file.exists() {
                std::fs::remove_file(&file).with_context(|| format!("cannot delete {}", file.display()))?;
            }
        }
        Ok(())
    }
}

pub(crate) use conclave_client::absolute;

/// `config/app.toml`: what the app process needs that CometBFT's config does not hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AppConfig {
    /// Blocks CometBFT keeps at least (0: every block); the Cosmos SDK's name and place (a
    /// top-level key), so operators find it where they expect it.
    #[serde(rename = "min-retain-blocks", default)]
    pub(crate) min_retain_blocks: u64,
    /// The ABCI server.
    pub(crate) abci: AbciSection,
    /// The state store.
    #[serde(default)]
    pub(crate) store: StoreSection,
    /// Logging.
    #[serde(default)]
    pub(crate) log: LogSection,
    /// The Prometheus endpoint.
    #[serde(default)]
    pub(crate) metrics: MetricsSection,
    /// State-sync snapshots (the Cosmos SDK's section and key names).
    #[serde(rename = "state-sync", default)]
    pub(crate) state_sync: StateSyncSection,
    /// Which event attributes CometBFT indexes. A home written before the section existed has
    /// none and keeps what it did then, every attribute ([`EventsSection::before_the_section`]);
    /// `init` writes the section, with the modules' declared keys.
    #[serde(default = "EventsSection::before_the_section")]
    pub(crate) events: EventsSection,
}

/// `[events]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
pub(crate) struct EventsSection {
    /// `declared` (the modules' query keys), `all` or `none` ([`conclave_abci::IndexMode`]).
    pub(crate) index: String,
    /// `type.key` attributes indexed whatever `index` says.
    pub(crate) also_index: Vec<String>,
}

impl Default for EventsSection {
    fn default() -> Self {
        Self { index: IndexMode::default().to_string(), also_index: Vec::new() }
    }
}

impl EventsSection {
    /// An app.toml without `[events]` (written by a release before it): every attribute
    /// indexed, as then, so an upgrade does not silently narrow what a node's `/tx_search`
    /// finds or its PostgreSQL sink stores.
    fn before_the_section() -> Self {
        Self { index: IndexMode::All.to_string(), also_index: Vec::new() }
    }
}

/// `[state-sync]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default, rename_all = "kebab-case")]
pub(crate) struct StateSyncSection {
    /// A snapshot of every height that is a multiple of this (0: none, the default).
    pub(crate) snapshot_interval: u64,
    /// Snapshots kept, the newest (0: all).
    pub(crate) snapshot_keep_recent: u32,
}

impl Default for StateSyncSection {
    fn default() -> Self {
        Self { snapshot_interval: 0, snapshot_keep_recent: 2 }
    }
}

/// `[metrics]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct MetricsSection {
    /// Whether `start` serves Prometheus metrics (off by default).
    pub(crate) enabled: bool,
    /// `HOST:PORT` of the endpoint (`GET /metrics`).
    pub(crate) address: String,
}

impl Default for MetricsSection {
    fn default() -> Self {
        Self { enabled: false, address: "127.0.0.1:26660".into() }
    }
}

/// `[abci]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct AbciSection {
    /// `unix:///abs/path.sock` or `tcp://127.0.0.1:26658`; equal to CometBFT's `proxy_app`.
    pub(crate) address: String,
}

/// `[store]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct StoreSection {
    /// Recent versions kept for queries and proofs.
    pub(crate) keep_versions: u64,
    /// Commits between checkpoints of the flat table.
    pub(crate) checkpoint_interval: u64,
}

impl Default for StoreSection {
    fn default() -> Self {
        let defaults = StoreConfig::default();
        Self { keep_versions: defaults.keep_versions, checkpoint_interval: defaults.checkpoint_interval }
    }
}

/// `[log]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct LogSection {
    /// A `tracing` filter, used when RUST_LOG is not set.
    pub(crate) level: String,
}

impl Default for LogSection {
    fn default() -> Self {
        Self { level: "info".into() }
    }
}

impl AppConfig {
    /// The defaults for a home whose ABCI address is `address`.
    pub(crate) fn new(address: String) -> Self {
        Self {
            min_retain_blocks: 0,
            abci: AbciSection { address },
            store: StoreSection::default(),
            log: LogSection::default(),
            metrics: MetricsSection::default(),
            state_sync: StateSyncSection::default(),
            events: EventsSection::default(),
        }
    }

    /// The `[events]` setting, checked.
    pub(crate) fn event_indexing(&self) -> Result<EventIndexing, conclave_abci::IndexingError> {
        EventIndexing::new(self.events.index.parse()?, &self.events.also_index)
    }

    /// The state-sync and pruning settings, snapshots under `home`'s `data/snapshots`.
    pub(crate) fn state_sync_config(&self, home: &Home) -> StateSyncConfig {
        StateSyncConfig {
            snapshot_interval: self.state_sync.snapshot_interval,
            snapshot_keep_recent: self.state_sync.snapshot_keep_recent,
            min_retain_blocks: self.min_retain_blocks,
            snapshot_dir: home.snapshots_dir(),
            chunk_bytes: conclave_abci::state_sync::DEFAULT_CHUNK_BYTES,
        }
    }

    /// The store configuration.
    pub(crate) fn store_config(&self) -> StoreConfig {
        StoreConfig { keep_versions: self.store.keep_versions, checkpoint_interval: self.store.checkpoint_interval }
    }

    /// The ABCI address, parsed.
    pub(crate) fn listen_address(&self, file: &Path) -> Result<ListenAddress> {
        self.abci
            .address
            .parse::<ListenAddress>()
            .map_err(|e| anyhow::anyhow!("{}: [abci] address {e}", file.display()))
    }

    /// Reads and checks `home`'s app.toml.
    pub(crate) fn load(home: &Home) -> Result<Self> {
        let path = home.app_toml();
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "cannot read {}; create the home with `{} init --home {}`",
                path.display(),
                conclave_client::chain::description().binary,
                home.root().display()
            )
        })?;
        let config: AppConfig = toml_edit::de::from_str(&text).map_err(|e| {
            anyhow::anyhow!(
                "{}: {}; fix the file or recreate it with `{} init --overwrite`",
                path.display(),
                conclave_client::chain::description().binary,
                one_line(&e.to_string())
            )
        })?;
        config.listen_address(&path)?;
        if config.metrics.enabled && config.metrics.address.parse::<std::net::SocketAddr>().is_err() {
            bail!(
                "{}: [metrics] address {:?} is not HOST:PORT (an IP address and a port, e.g. 127.0.0.1:26660)",
                path.display(),
                config.metrics.address
            );
        }
        if let Err(e) = config.event_indexing() {
            bail!("{}: [events] {e}", path.display());
        }
        if config.store.keep_versions == 0 || config.store.checkpoint_interval == 0 {
            bail!("{}: [store] keep_versions and checkpoint_interval must be at least 1", path.display());
        }
        Ok(config)
    }

    /// The file's text, with comments explaining each key.
    pub(crate) fn render(&self) -> String {
        format!(
            r#"# {bin} configuration of this node (read by `{bin} start`).
# CometBFT's own settings are in config.toml beside this file.

# Blocks CometBFT keeps at least; older ones are pruned from its block store (0: keep every
# block). Pruning never goes below the oldest state-sync snapshot kept (nodes restoring it
# fetch the blocks after it) nor below the evidence age limit (genesis
# consensus_params.evidence.max_age_num_blocks). See docs/running.md, "Pruning".
min-retain-blocks = {min_retain}

[abci]
# Where the ABCI server listens: unix:///absolute/path.sock (default, fastest) or
# tcp://127.0.0.1:PORT. Must equal `proxy_app` in config.toml.
address = {address}

[store]
# Recent heights kept in memory for queries and proofs (at least 1).
keep_versions = {keep}
# Commits between two background checkpoints of the flat state table (at least 1).
# Larger: fewer bytes written per block, longer replay on restart.
checkpoint_interval = {interval}

[log]
# Log filter used when RUST_LOG is not set: error, warn, info, debug, trace,
# or a tracing filter such as "info,conclave::abci=debug".
level = {level}

[metrics]
# Serve Prometheus metrics at http://ADDRESS/metrics: block execution and commit times,
# transactions by code, CheckTx counts, events by kind (jailings, slashes), the validator
# set the app sent, the store's size and versions (docs/running.md, "Metrics").
enabled = {metrics_enabled}
address = {metrics_address}

[state-sync]
# Write a state-sync snapshot of every height that is a multiple of this (0: none), under
# data/snapshots, so new nodes can start from it instead of replaying every block
# (docs/running.md, "State sync"). Writing happens in the background; blocks never wait.
snapshot-interval = {snapshot_interval}
# Snapshots kept on disk and served, the newest (0: keep all).
snapshot-keep-recent = {snapshot_keep_recent}

[events]
# Which event attributes CometBFT indexes (for /tx_search and /block_search with
# `indexer = "kv"`; the `psql` sink stores only indexed attributes). Each indexed attribute
# costs a database write per event on this node. Nodes may differ: indexing is not consensus.
#   "declared": the query keys each module declares (accounts, validators, proposal ids;
#               not amounts or denominations). The default.
#   "all":      every attribute (a PostgreSQL indexing node, an explorer's node).
#   "none":     none; transactions are still found by hash (tx.hash) and height.
# See docs/indexing.md.
index = {events_index}
# Attributes indexed whatever `index` says, as "TYPE.KEY", e.g. ["bank.transfer.denom"].
also-index = {events_also}
"#,
            bin = conclave_client::chain::description().binary,
            address = toml_string(&self.abci.address),
            keep = self.store.keep_versions,
            interval = self.store.checkpoint_interval,
            level = toml_string(&self.log.level),
            metrics_enabled = self.metrics.enabled,
            metrics_address = toml_string(&self.metrics.address),
            min_retain = self.min_retain_blocks,
            snapshot_interval = self.state_sync.snapshot_interval,
            snapshot_keep_recent = self.state_sync.snapshot_keep_recent,
            events_index = toml_string(&self.events.index),
            events_also = toml_array(&self.events.also_index),
        )
    }

    /// Writes `home`'s app.toml.
    pub(crate) fn write(&self, home: &Home) -> Result<()> {
        let path = home.app_toml();
        std::fs::write(&path, self.render()).with_context(|| format!("cannot write {}", path.display()))
    }
}

/// A TOML basic string.
fn toml_string(value: &str) -> String {
    toml_edit::Value::from(value).to_string().trim().to_string()
}

/// A TOML array of basic strings.
fn toml_array(values: &[String]) -> String {
    let array = toml_edit::Array::from_iter(values.iter().map(String::as_str));
    toml_edit::Value::from(array).to_string().trim().to_string()
}

/// Newlines folded into "; " so an error stays on one line.
pub(crate) fn one_line(text: &str) -> String {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_toml_round_trips() {
        let config = AppConfig::new("unix:///tmp/x/data/abci.sock".into());
        let parsed: AppConfig = toml_edit::de::from_str(&config.render()).unwrap();
        assert_eq!(parsed, config);
    }

    #[test]
    fn app_toml_defaults_missing_sections() {
        let parsed: AppConfig = toml_edit::de::from_str("[abci]\naddress = \"tcp://127.0.0.1:26658\"\n").unwrap();
        assert_eq!(parsed.store, StoreSection::default());
        assert_eq!(parsed.log.level, "info");
        assert_eq!((parsed.min_retain_blocks, &parsed.state_sync), (0, &StateSyncSection::default()));
        // A home from before `[events]` keeps indexing everything; a new one is written with
        // the declared keys.
        assert_eq!(parsed.event_indexing().map(|i| i.mode()), Ok(IndexMode::All));
        let written = AppConfig::new("tcp://127.0.0.1:26658".into()).render();
        let reread: AppConfig = toml_edit::de::from_str(&written).unwrap();
        assert_eq!(reread.event_indexing().map(|i| i.mode()), Ok(IndexMode::Declared));
        let partial: AppConfig =
            toml_edit::de::from_str("[abci]\naddress = \"tcp://127.0.0.1:26658\"\n[events]\nalso-index = [\"a.b\"]\n")
                .unwrap();
        assert_eq!(partial.event_indexing().map(|i| i.mode()), Ok(IndexMode::Declared));
    }

    #[test]
    fn state_sync_keys_use_the_cosmos_names() {
        let mut config = AppConfig::new("unix:///tmp/x/data/abci.sock".into());
        config.min_retain_blocks = 100;
        config.state_sync = StateSyncSection { snapshot_interval: 10, snapshot_keep_recent: 3 };
        let text = config.render();
        assert!(text.contains("\nmin-retain-blocks = 100\n"), "{text}");
        assert!(text.contains("[state-sync]\n"), "{text}");
        assert!(text.contains("\nsnapshot-interval = 10\n") && text.contains("\nsnapshot-keep-recent = 3\n"), "{text}");
        let parsed: AppConfig = toml_edit::de::from_str(&text).unwrap();
        assert_eq!(parsed, config);
        let home = Home::new(Path::new("/tmp/h")).unwrap();
        let state_sync = parsed.state_sync_config(&home);
        assert_eq!(
            (state_sync.snapshot_interval, state_sync.snapshot_keep_recent, state_sync.min_retain_blocks),
            (10, 3, 100)
        );
        assert_eq!(state_sync.snapshot_dir, Path::new("/tmp/h/data/snapshots"));
        // A typo is an error, not a silently ignored key.
        let typo = text.replace("snapshot-interval", "snapshot_interval");
        assert!(toml_edit::de::from_str::<AppConfig>(&typo).is_err());
    }

    #[test]
    fn events_section_round_trips_and_is_checked() {
        let mut config = AppConfig::new("unix:///tmp/x/data/abci.sock".into());
        assert_eq!(config.event_indexing().map(|i| i.mode()), Ok(IndexMode::Declared));
        config.events = EventsSection { index: "all".into(), also_index: vec!["bank.transfer.denom".into()] };
        let text = config.render();
        assert!(text.contains("\nindex = \"all\"\n"), "{text}");
        assert!(text.contains("\nalso-index = [\"bank.transfer.denom\"]\n"), "{text}");
        let parsed: AppConfig = toml_edit::de::from_str(&text).unwrap();
        assert_eq!(parsed, config);
        assert_eq!(parsed.event_indexing().map(|i| i.mode()), Ok(IndexMode::All));
        config.events.index = "everything".into();
        assert!(config.event_indexing().is_err());
        config.events = EventsSection { index: "none".into(), also_index: vec!["amount".into()] };
        assert!(config.event_indexing().is_err());
    }
}
