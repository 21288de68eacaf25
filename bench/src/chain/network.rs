//! Local networks for the throughput benchmark, built and started by the benchmark itself.
//!
//! Both apps get the same homes: `appchaind localnet --validators N --no-start` (CometBFT's
//! own `cometbft testnet`, then distinct loopback ports, full-mesh peers, `timeout_commit` and
//! `timeout_propose` from the flags, Prometheus and pprof off). Then:
//! - **chain**: the genesis `app_state` also funds the benchmark's senders; each node is
//!   `appchaind start --home H --with-cometbft` (ABCI over a Unix socket);
//! - **kvstore**: each node is `cometbft start --home H --proxy_app=kvstore` (CometBFT's
//!   built-in in-memory kvstore, an in-process ABCI client); kvstore ignores `app_state`;
//! - **persistent_kvstore**: the same with `--proxy_app=persistent_kvstore` (built in, its
//!   state in a database under the home, validator updates supported);
//! - **socket_kvstore**: `abci-cli kvstore --address unix://H/data/kvstore.sock --persist
//!   H/data/kvstore` (the same persistent kvstore, as its own process, from CometBFT
//!   v0.38.25's `abci-cli`), and `cometbft start --home H --proxy_app=unix://…` talking to it
//!   over a Unix socket: CometBFT's socket client costs exactly what it costs the chain.
//!
//! So the networks differ only in the application. [`Network`] is a Drop guard: it stops
//! every process (SIGTERM, then SIGKILL after a grace period) and removes the directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use appchain::AppChain;
use conclave_cometbft::{tail, Process, Rpc};
use conclave_runtime::{InitChainRequest, Runtime};
use conclave_store::{Store, StoreConfig};
use conclave_testkit::TestAccount;
use serde_json::Value;
use tempfile::TempDir;

use super::signals;
use crate::abci::workload;

/// How long the nodes get to stop after SIGTERM before they are killed.
const STOP_GRACE: Duration = Duration::from_secs(30);

/// The application a network runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum AppKind {
    /// The app-template chain (`appchaind`), signed bank transfers.
    Chain,
    /// CometBFT's built-in `kvstore`, raw `key=value` transactions.
    Kvstore,
    /// CometBFT's built-in `persistent_kvstore` (state on disk), `key=value` transactions.
    PersistentKvstore,
    /// `abci-cli kvstore --persist` over a Unix socket, `key=value` transactions.
    SocketKvstore,
}

impl AppKind {
    /// Report label.
    pub(crate) fn label(self) -> &'static str {
        match self {
            AppKind::Chain => "appchain",
            AppKind::Kvstore => "kvstore",
            AppKind::PersistentKvstore => "persistent_kvstore",
            AppKind::SocketKvstore => "socket_kvstore",
        }
    }
}

/// The programs the networks run.
#[derive(Clone, Debug)]
pub(crate) struct Binaries {
    /// `appchaind`.
    pub(crate) appchaind: PathBuf,
    /// `cometbft` (0.38.x).
    pub(crate) cometbft: PathBuf,
    /// `abci-cli` (from v0.38.x), when a socket kvstore runs.
    pub(crate) abci_cli: Option<PathBuf>,
}

impl Binaries {
    /// `--appchaind`, else `appchaind` beside this benchmark binary (same target directory),
    /// else `target/release/appchaind`; `--cometbft`, else the toolkit's search
    /// (`$CONCLAVE_COMETBFT`, `$COMETBFT`, `PATH`, `$GOPATH/bin`, `~/go/bin`), 0.38.x only.
    pub(crate) fn locate(appchaind: Option<&Path>, cometbft: Option<&Path>, abci_cli: bool) -> Result<Self> {
        let appchaind = match appchaind {
            Some(path) => path.to_path_buf(),
            None => {
                let beside = std::env::current_exe().ok().and_then(|exe| exe.parent().map(|d| d.join("appchaind")));
                match beside.filter(|p| p.is_file()) {
                    Some(path) => path,
                    None => PathBuf::from("target/release/appchaind"),
                }
            }
        };
        if !appchaind.is_file() {
            bail!(
                "appchaind not found at {}; build it with `cargo build --release -p appchain` or pass --appchaind PATH",
                appchaind.display()
            );
        }
        let cometbft =
            conclave_cometbft::locate_cometbft(cometbft).map_err(|e| anyhow!("{e}; or pass --cometbft PATH"))?.path;
        let abci_cli = if abci_cli {
            let found = conclave_cometbft::locate_abci_cli(None)
                .map_err(|e| anyhow!("{e} (socket_kvstore needs it; or leave it out of --apps)"))?;
            Some(found.path)
        } else {
            None
        };
        Ok(Self { appchaind, cometbft, abci_cli })
    }
}

/// Shared settings of every network of a run.
#[derive(Clone, Debug)]
pub(crate) struct NetworkSettings {
    /// `consensus.timeout_commit`.
    pub(crate) timeout_commit: String,
    /// `consensus.timeout_propose`.
    pub(crate) timeout_propose: String,
    /// Keep the directory (logs) instead of deleting it.
    pub(crate) keep: bool,
    /// How long a node may take to produce height 1.
    pub(crate) start_timeout: Duration,
    /// `mempool.recheck` of every node.
    pub(crate) mempool_recheck: bool,
    /// `mempool.keep-invalid-txs-in-cache` of every node.
    pub(crate) keep_invalid_txs_in_cache: bool,
    /// `[events] index` in every chain node's app.toml.
    pub(crate) events_index: String,
}

/// A running network; dropping it stops the processes and deletes its directory.
pub(crate) struct Network {
    /// The app.
    pub(crate) kind: AppKind,
    /// The chain id.
    pub(crate) chain_id: String,
    /// RPC endpoints, node0 first.
    pub(crate) rpcs: Vec<String>,
    homes: Vec<PathBuf>,
    /// One node process per home (`appchaind` or `cometbft`), node0 first.
    children: Vec<Process>,
    /// The socket kvstore's `abci-cli` processes, one per home.
    socket_apps: Vec<Process>,
    dir: Option<TempDir>,
    keep: bool,
}

impl Network {
    /// Creates and starts `validators` nodes of `kind` on ports from `base_port`; `senders` are
    /// funded in the chain's genesis.
    pub(crate) fn start(
        kind: AppKind,
        validators: u16,
        base_port: u16,
        binaries: &Binaries,
        settings: &NetworkSettings,
        senders: &[TestAccount],
    ) -> Result<Self> {
        let dir = tempfile::Builder::new().prefix(&format!("cb-{}-{validators}-", kind.label())).tempdir()?;
        let net = dir.path().join("net");
        let output = Command::new(&binaries.appchaind)
            .args(["localnet", "--no-start", "--chain-id", "bench", "--output", "json"])
            .args(["--validators", &validators.to_string(), "--base-port", &base_port.to_string()])
            .args(["--timeout-commit", &settings.timeout_commit, "--timeout-propose", &settings.timeout_propose])
            .arg("--dir")
            .arg(&net)
            .arg("--cometbft")
            .arg(&binaries.cometbft)
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("cannot run {}", binaries.appchaind.display()))?;
        if !output.status.success() {
            bail!(
                "appchaind localnet --no-start failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let manifest: Value =
            serde_json::from_slice(&output.stdout).context("appchaind localnet -o json printed no JSON manifest")?;
        let chain_id = manifest["chain_id"].as_str().unwrap_or("bench").to_string();
        let nodes = manifest["nodes"].as_array().context("the manifest has no nodes")?;
        let rpcs: Vec<String> = nodes.iter().filter_map(|n| n["rpc"].as_str().map(str::to_string)).collect();
        let homes: Vec<PathBuf> = nodes.iter().filter_map(|n| n["home"].as_str().map(PathBuf::from)).collect();
        if rpcs.len() != usize::from(validators) || homes.len() != rpcs.len() {
            bail!("the manifest lists {} RPC endpoints and {} homes for {validators} nodes", rpcs.len(), homes.len());
        }
        if kind == AppKind::Chain {
            fund_senders(&homes, &chain_id, senders)?;
            for home in &homes {
                set_events_index(home, &settings.events_index)?;
            }
        }
        for home in &homes {
            set_mempool(home, settings)?;
        }
        let mut network = Network {
            kind,
            chain_id,
            rpcs,
            homes,
            children: Vec::new(),
            socket_apps: Vec::new(),
            dir: Some(dir),
            keep: settings.keep,
        };
        network.spawn(binaries)?;
        network.wait_until_producing(settings.start_timeout)?;
        Ok(network)
    }

    fn spawn(&mut self, binaries: &Binaries) -> Result<()> {
        for (i, home) in self.homes.clone().iter().enumerate() {
            let (program, log_path) = match self.kind {
                AppKind::Chain => (&binaries.appchaind, home.join("appchaind.log")),
                _ => (&binaries.cometbft, home.join("cometbft.log")),
            };
            let mut command = Command::new(program);
            match self.kind {
                // --exit-with-parent: the node also stops if this benchmark is killed outright.
                AppKind::Chain => command
                    .args(["start", "--with-cometbft", "--exit-with-parent", "--home"])
                    .arg(home)
                    .arg("--cometbft")
                    .arg(&binaries.cometbft),
                AppKind::Kvstore => command.args(["start", "--proxy_app=kvstore", "--home"]).arg(home),
                AppKind::PersistentKvstore => {
                    command.args(["start", "--proxy_app=persistent_kvstore", "--home"]).arg(home)
                }
                AppKind::SocketKvstore => {
                    let socket = self.start_socket_kvstore(i, home, binaries)?;
                    command.arg("start").arg(format!("--proxy_app=unix://{}", socket.display())).arg("--home").arg(home)
                }
            };
            let process = Process::spawn(&format!("node{i}"), command, &log_path)?.with_stop_grace(STOP_GRACE);
            self.children.push(process);
        }
        Ok(())
    }

    /// Starts `abci-cli kvstore` for node `i` and waits for its socket; returns the socket.
    fn start_socket_kvstore(&mut self, i: usize, home: &Path, binaries: &Binaries) -> Result<PathBuf> {
        let abci_cli = binaries.abci_cli.as_ref().context("socket_kvstore needs abci-cli")?;
        let socket = home.join("data/kvstore.sock");
        let mut command = Command::new(abci_cli);
        command
            .args(["kvstore", "--log_level", "error", "--address"])
            .arg(format!("unix://{}", socket.display()))
            .arg("--persist")
            .arg(home.join("data/kvstore"));
        let process = Process::spawn(&format!("node{i}-kvstore"), command, &home.join("abci-cli.log"))?
            .with_stop_grace(STOP_GRACE);
        self.socket_apps.push(process);
        let deadline = Instant::now() + Duration::from_secs(30);
        while !socket.exists() {
            self.check_alive()?;
            if Instant::now() >= deadline {
                bail!("abci-cli kvstore did not create {} within 30 s", socket.display());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(socket)
    }

    fn wait_until_producing(&mut self, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        for (i, url) in self.rpcs.clone().iter().enumerate() {
            let rpc = Rpc::new(url)?;
            loop {
                signals::check()?;
                self.check_alive()?;
                if rpc.height().is_ok_and(|h| h >= 1) {
                    break;
                }
                if Instant::now() >= deadline {
                    bail!("node{i} ({url}) did not produce height 1 within {}s{}", timeout.as_secs(), self.log_hint(i));
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        Ok(())
    }

    /// `Err` if a node process has exited.
    pub(crate) fn check_alive(&mut self) -> Result<()> {
        for i in 0..self.children.len() {
            if let Some(status) = self.children[i].exit_status() {
                let name = self.children[i].name().to_string();
                bail!("{} {name} exited ({status}){}", self.kind.label(), self.log_hint(i));
            }
        }
        for app in &mut self.socket_apps {
            if let Some(status) = app.exit_status() {
                bail!("{} exited ({status}); last lines of its log:\n{}", app.name(), app.log_tail(8));
            }
        }
        Ok(())
    }

    fn log_hint(&self, i: usize) -> String {
        let Some(log) = self.children.get(i).map(Process::log) else { return String::new() };
        let mut hint = format!("; last lines of {}:\n{}", log.display(), tail(log, 8));
        if self.kind == AppKind::Chain {
            let cometbft_log = self.homes[i].join("cometbft.log");
            hint.push_str(&format!("\nlast lines of {}:\n{}", cometbft_log.display(), tail(&cometbft_log, 8)));
        }
        if !self.keep {
            hint.push_str("\n(pass --keep-dirs to keep the logs)");
        }
        hint
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        // All nodes at once, then each gets what is left of the grace period; the socket apps
        // last (a CometBFT whose app goes first fails instead of stopping).
        for process in &mut self.children {
            process.terminate();
        }
        let deadline = Instant::now() + STOP_GRACE;
        for process in self.children.iter_mut().chain(self.socket_apps.iter_mut()) {
            process.terminate();
            if process.wait_exit(deadline.saturating_duration_since(Instant::now())).is_none() {
                eprintln!("warning: {} did not stop within 30s of SIGTERM; killing it", process.name());
                let _ = process.kill9();
            }
        }
        if let Some(dir) = self.dir.take() {
            if self.keep {
                let path = dir.keep();
                eprintln!("kept {} network directory: {}", self.kind.label(), path.display());
            }
        }
    }
}

/// Adds `senders` to the genesis balances of every node (all nodes must hold the same file),
/// after checking the new `app_state` with an in-memory InitChain.
fn fund_senders(homes: &[PathBuf], chain_id: &str, senders: &[TestAccount]) -> Result<()> {
    let path = homes[0].join("config/genesis.json");
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut genesis: Value = serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let balances = genesis
        .pointer_mut("/app_state/app/bank/balances")
        .and_then(Value::as_array_mut)
        .with_context(|| format!("{}: no app_state.app.bank.balances", path.display()))?;
    balances.extend(workload::balances(senders));
    let app_state = serde_json::to_vec(&genesis["app_state"])?;
    let store = Store::open_in_memory(StoreConfig::default())?;
    Runtime::new(AppChain::default(), store)
        .init_chain(InitChainRequest::new(chain_id, conclave_core::module::BlockTime(0), 1, app_state))
        .context("the genesis with the benchmark's senders is invalid")?;
    let mut bytes = serde_json::to_vec_pretty(&genesis)?;
    bytes.push(b'\n');
    for home in homes {
        let path = home.join("config/genesis.json");
        std::fs::write(&path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// Writes the settings' `mempool.recheck` and `mempool.keep-invalid-txs-in-cache` into the
/// home's `config.toml` (both keys are in CometBFT 0.38's template, once each).
fn set_mempool(home: &Path, settings: &NetworkSettings) -> Result<()> {
    let path = home.join("config/config.toml");
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut found = (false, false);
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            if line.starts_with("recheck = ") {
                found.0 = true;
                format!("recheck = {}", settings.mempool_recheck)
            } else if line.starts_with("keep-invalid-txs-in-cache = ") {
                found.1 = true;
                format!("keep-invalid-txs-in-cache = {}", settings.keep_invalid_txs_in_cache)
            } else {
                line.to_string()
            }
        })
        .collect();
    if found != (true, true) {
        bail!("{} has no `recheck` or `keep-invalid-txs-in-cache` line: not a CometBFT 0.38 config", path.display());
    }
    std::fs::write(&path, lines.join("\n") + "\n").with_context(|| format!("cannot write {}", path.display()))
}

/// Writes `[events] index` into a chain home's `app.toml` (`appchaind localnet` writes the
/// key once, in that section).
fn set_events_index(home: &Path, index: &str) -> Result<()> {
    let path = home.join("config/app.toml");
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut found = false;
    let lines: Vec<String> = text
        .lines()
        .map(|line| {
            if line.starts_with("index = ") {
                found = true;
                format!("index = {index:?}")
            } else {
                line.to_string()
            }
        })
        .collect();
    if !found {
        bail!("{} has no `[events] index` line: appchaind is older than the benchmark", path.display());
    }
    std::fs::write(&path, lines.join("\n") + "\n").with_context(|| format!("cannot write {}", path.display()))
}

/// A base port such that ports `P + 10i` and `P + 10i + 1` (i < `validators`) are free on
/// 127.0.0.1, searching upward from `from` in steps of 100.
pub(crate) fn free_base_port(validators: u16, from: u16) -> Result<u16> {
    conclave_cometbft::ports::free_port_block_from(validators, from)
        .map_err(|_| anyhow!("no free range of ports above {from} for {validators} nodes; pass another --base-port"))
}
