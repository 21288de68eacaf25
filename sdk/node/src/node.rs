//! `start`: the chain served over ABCI, optionally with a supervised `cometbft`.

use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use tokio::process::{Child, Command};
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use conclave_abci::{serve, AbciApp, ListenAddress, ServerError, Stopped};
use conclave_cometbft::process::{send_signal, Signal};
use conclave_runtime::Runtime;
use conclave_store::{Store, StoreError};

use crate::chain::{Chain, NodeOptions};
use crate::cli::StartArgs;
use crate::cometbft::{self, ConfigToml};
use crate::home::{AppConfig, Home};

/// Runs `start`.
pub(crate) fn run<C: Chain>(args: StartArgs) -> Result<ExitCode> {
    let home = Home::existing(args.home.home.as_deref())?;
    let config = AppConfig::load(&home)?;
    crate::init_logging(&config.log.level);
    let address = config.listen_address(&home.app_toml())?;

    let cometbft = if args.with_cometbft { Some(cometbft::locate(args.cometbft.cometbft.as_deref())?) } else { None };
    disable_transparent_huge_pages();
    check_proxy_app(&home, &address, cometbft.is_some())?;

    let store = Store::open(&home.store_dir(), config.store_config()).map_err(|error| {
        let dir = home.store_dir();
        let binary = C::DESCRIPTION.binary;
        match error {
            // The files are readable but do not vouch for their content: never run on them.
            StoreError::Corrupt { .. } | StoreError::Inconsistent(_) => anyhow!(
                "the state store at {} is damaged and was not opened: {error}. Do not run on it: restore the \
                 home from a backup, or wipe the node's data (`cometbft unsafe-reset-all --home {}`, which \
                 removes the store too) and let it sync from its peers",
                dir.display(),
                home.root().display()
            ),
            _ => anyhow!(
                "cannot open the state store at {} (is another {binary} running on this home?): {error}",
                dir.display()
            ),
        }
    })?;
    let latest = store.latest();
    tracing::info!(
        home = %home.root().display(),
        height = latest.version(),
        app_hash = %hex::encode(latest.root_hash()),
        "opened the state store"
    );
    if let ListenAddress::Unix(path) = &address {
        // We hold the store's lock, so no other node process serves this home: a socket file
        // left here is stale (a previous run was killed).
        if path.exists() {
            tracing::info!(socket = %path.display(), "removing a stale socket file");
            std::fs::remove_file(path).with_context(|| format!("cannot remove the stale socket {}", path.display()))?;
        }
    }
    let options = NodeOptions { allowed_upgrades: args.allow_upgrades.clone() };
    if !options.allowed_upgrades.is_empty() {
        tracing::info!(names = ?options.allowed_upgrades, "upgrades allowed by --allow-upgrade");
    }
    let state_sync = config.state_sync_config(&home);
    let indexing = config.event_indexing().context("app.toml [events]")?;
    tracing::info!(index = %indexing.mode(), also_index = ?config.events.also_index, "event indexing (app.toml)");
    let mut app = AbciApp::new(Runtime::new(C::app_for_node(&options), store), C::DESCRIPTION.binary)
        .with_event_indexing(indexing)
        .with_state_sync(&state_sync)
        .with_context(|| format!("cannot open the snapshot directory {}", state_sync.snapshot_dir.display()))?;
    tracing::info!(
        snapshot_interval = state_sync.snapshot_interval,
        snapshot_keep_recent = state_sync.snapshot_keep_recent,
        min_retain_blocks = state_sync.min_retain_blocks,
        "state-sync snapshots and block pruning (app.toml)"
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name(C::DESCRIPTION.binary)
        .build()
        .context("cannot start the async runtime")?;
    // Kept alive until `start` returns.
    let _metrics_server = if config.metrics.enabled {
        let metrics = Arc::new(conclave_abci::Metrics::new());
        app = app.with_metrics(Arc::clone(&metrics));
        let figures = crate::metrics::StoreFigures { dir: home.store_dir(), keep_versions: config.store.keep_versions };
        Some(runtime.block_on(crate::metrics::serve(&config.metrics.address, metrics, figures))?)
    } else {
        None
    };
    let node =
        Node { home, address, cometbft, stop_timeout: args.stop_timeout, exit_with_parent: args.exit_with_parent };
    runtime.block_on(node.run(app))
}

/// The proxy_app of CometBFT's config must be our address.
fn check_proxy_app(home: &Home, address: &ListenAddress, strict: bool) -> Result<()> {
    let config = ConfigToml::load(&home.config_toml())?;
    let proxy_app = config.get_str("", "proxy_app").unwrap_or_default().to_string();
    if proxy_app != address.to_string() {
        let message = format!(
            "{} has proxy_app = {proxy_app:?} but {} serves ABCI at {address}; make them equal",
            home.config_toml().display(),
            home.app_toml().display()
        );
        if strict {
            bail!(message);
        }
        tracing::warn!("{message}");
    }
    Ok(())
}

struct Node {
    home: Home,
    address: ListenAddress,
    cometbft: Option<PathBuf>,
    stop_timeout: Duration,
    exit_with_parent: bool,
}

type Server = JoinHandle<Result<Stopped, ServerError>>;

impl Node {
    async fn run<A: conclave_runtime::App + Clone + Sync>(self, app: AbciApp<A>) -> Result<ExitCode> {
        let mut sigint = signal(SignalKind::interrupt()).context("cannot handle SIGINT")?;
        let mut sigterm = signal(SignalKind::terminate()).context("cannot handle SIGTERM")?;
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let mut server: Server = tokio::spawn(serve(app, self.address.clone(), async {
            let _ = stop_rx.await;
        }));
        wait_until_listening(&self.address, &mut server).await?;

        let Some(cometbft) = &self.cometbft else {
            tracing::info!(
                "waiting for CometBFT to connect; start it with `cometbft start --home {}`",
                self.home.root().display()
            );
            let reason = tokio::select! {
                stopped = &mut server => return finished(stopped, None),
                _ = sigint.recv() => "SIGINT",
                _ = sigterm.recv() => "SIGTERM",
                _ = parent_exited(self.exit_with_parent) => "parent process exited",
            };
            tracing::info!("received {reason}; shutting down");
            let _ = stop_tx.send(());
            return finished(server.await, Some(reason));
        };

        let mut child = self.spawn_cometbft(cometbft)?;
        tokio::select! {
            status = child.wait() => {
                let status = status.map(|s| s.to_string()).unwrap_or_else(|e| e.to_string());
                tracing::error!("cometbft exited ({status}); stopping. See {}", self.home.cometbft_log().display());
                let _ = stop_tx.send(());
                let _ = server.await;
                let log = self.home.cometbft_log();
                match last_error_line(&log) {
                    Some(line) => bail!("cometbft exited ({status}): {line} (more in {})", log.display()),
                    None => bail!("cometbft exited ({status}); see {} for why", log.display()),
                }
            }
            stopped = &mut server => {
                tracing::warn!("the ABCI server stopped; stopping cometbft");
                self.stop_cometbft(&mut child).await;
                if let Ok(Ok(Stopped::ConsensusDisconnected)) = stopped {
                    let log = self.home.cometbft_log();
                    match last_error_line(&log) {
                        Some(line) => bail!("cometbft stopped: {line} (more in {})", log.display()),
                        None => bail!(
                            "CometBFT's consensus connection closed, so the node stopped; see {} for why",
                            log.display()
                        ),
                    }
                }
                finished(stopped, None)
            }
            reason = async {
                tokio::select! {
                    _ = sigint.recv() => "SIGINT",
                    _ = sigterm.recv() => "SIGTERM",
                    _ = parent_exited(self.exit_with_parent) => "parent process exited",
                }
            } => {
                tracing::info!("received {reason}; stopping cometbft, then the ABCI server");
                self.stop_cometbft(&mut child).await;
                let _ = stop_tx.send(());
                finished(server.await, Some(reason))
            }
        }
    }

    fn spawn_cometbft(&self, cometbft: &Path) -> Result<Child> {
        let log_path = self.home.cometbft_log();
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .with_context(|| format!("cannot open {}", log_path.display()))?;
        let child = Command::new(cometbft)
            .arg("start")
            .arg("--home")
            .arg(self.home.root())
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            // Its own process group: a Ctrl-C in the terminal reaches only us, and we stop it
            // first, in order.
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("cannot start {}", cometbft.display()))?;
        tracing::info!(pid = child.id(), log = %log_path.display(), "started cometbft");
        Ok(child)
    }

    async fn stop_cometbft(&self, child: &mut Child) {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        if let Some(pid) = child.id() {
            send_signal(pid, Signal::TERM);
        }
        match tokio::time::timeout(self.stop_timeout, child.wait()).await {
            Ok(status) => {
                tracing::info!("cometbft stopped ({})", status.map(|s| s.to_string()).unwrap_or_else(|e| e.to_string()))
            }
            Err(_) => {
                tracing::warn!("cometbft did not stop within {:?} of SIGTERM; killing it", self.stop_timeout);
                let _ = child.kill().await;
            }
        }
    }
}

/// Waits until the server's socket exists (Unix) or its port is taken (TCP), so that
/// CometBFT, which does not retry, finds it. Probing never connects: it would cost the server
/// a connection task for nothing.
async fn wait_until_listening(address: &ListenAddress, server: &mut Server) -> Result<()> {
    for _ in 0..500 {
        if server.is_finished() {
            return match server.await {
                Ok(Ok(stopped)) => Err(anyhow!("the ABCI server stopped before listening ({stopped:?})")),
                Ok(Err(e)) => Err(anyhow!(
                    "{e}; stop whatever holds it or change [abci] address in app.toml and proxy_app in config.toml"
                )),
                Err(e) => Err(anyhow!("the ABCI server task failed: {e}")),
            };
        }
        let listening = match address {
            ListenAddress::Unix(path) => Some(path.exists()),
            ListenAddress::Tcp(addr) => tcp_listening(addr),
        };
        match listening {
            Some(true) => return Ok(()),
            Some(false) => tokio::time::sleep(Duration::from_millis(10)).await,
            None => {
                // No /proc to look at: give the server a moment to bind.
                tokio::time::sleep(Duration::from_millis(300)).await;
                return Ok(());
            }
        }
    }
    bail!("the ABCI server did not start listening on {address} within 5s")
}

/// Whether a socket listens on `addr`'s port, from /proc/net/tcp{,6} (`None` without /proc).
/// Binding or connecting to probe would race with, or stop, the server.
fn tcp_listening(addr: &str) -> Option<bool> {
    let port = addr.parse::<std::net::SocketAddr>().ok()?.port();
    let mut found_table = false;
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else { continue };
        found_table = true;
        for line in text.lines().skip(1) {
            let mut fields = line.split_whitespace();
            let local = fields.nth(1).unwrap_or_default();
            let state = fields.nth(1).unwrap_or_default();
            let local_port = local.rsplit(':').next().and_then(|p| u16::from_str_radix(p, 16).ok());
            if state == "0A" && local_port == Some(port) {
                return Some(true);
            }
        }
    }
    found_table.then_some(false)
}

/// The last error CometBFT wrote to its log (its "E[" lines, or a Go "Error:"/"panic:" line).
fn last_error_line(log: &Path) -> Option<String> {
    let text = std::fs::read_to_string(log).ok()?;
    let line =
        text.lines().rev().take(50).find(|l| {
            l.starts_with("E[") || l.starts_with("Error:") || l.starts_with("panic:") || l.contains("ERROR")
        })?;
    Some(line.chars().take(300).collect::<String>().trim().to_string())
}

/// Resolves when the parent process is gone (when `enabled`; never otherwise).
async fn parent_exited(enabled: bool) {
    if !enabled {
        return std::future::pending().await;
    }
    let parent = std::os::unix::process::parent_id();
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        if std::os::unix::process::parent_id() != parent {
            return;
        }
    }
}

/// The exit status once the server returned.
fn finished(
    stopped: std::result::Result<Result<Stopped, ServerError>, tokio::task::JoinError>,
    signal: Option<&str>,
) -> Result<ExitCode> {
    match stopped.map_err(|e| anyhow!("the ABCI server task failed: {e}"))? {
        Ok(Stopped::Shutdown) => {
            tracing::info!("stopped ({})", signal.unwrap_or("shutdown"));
            Ok(ExitCode::SUCCESS)
        }
        Ok(Stopped::ConsensusDisconnected) => {
            if let Some(signal) = signal {
                tracing::info!("stopped ({signal})");
            } else {
                tracing::info!(
                    "CometBFT's consensus connection closed; {} stopped (start both again to resume)",
                    conclave_client::chain::description().binary
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Err(anyhow!("{e}")),
    }
}

/// Turns transparent huge pages off for the node (and the `cometbft` it starts), before the
/// store loads the state. mimalloc asks for huge pages, and with the common kernel setting
/// `defrag = madvise` every such page fault may first compact memory synchronously: on the
/// store benchmark that doubled block times for whole runs (`docs/benchmarks.md`). Databases
/// that keep their state in memory give the same advice (Redis, MongoDB, TiKV).
fn disable_transparent_huge_pages() {
    if let Err(error) = rustix::thread::disable_transparent_huge_pages(true) {
        tracing::warn!(%error, "cannot turn transparent huge pages off; block times may vary more");
    }
}
