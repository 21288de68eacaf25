//! The servers under test, each carrying the same application: `AbciApp` over
//! `Runtime<AppChain>` on a fresh store.
//!
//! - ours: `conclave_abci::serve` (tokio, one task per connection; Unix socket, or TCP with
//!   `TCP_NODELAY` on every accepted connection), on a multi-threaded runtime with the default
//!   worker count, as `appchaind start` builds it;
//! - stock: `tendermint_abci::Server` 0.41 (blocking, one thread per connection, TCP only,
//!   Nagle's algorithm left on), `ServerBuilder::new(1 MiB).bind(addr, app)` then `listen()`.

use std::sync::Arc;
use std::thread::JoinHandle;

use anyhow::{anyhow, Context, Result};
use appchain::AppChain;
use conclave_abci::{serve, AbciApp, ListenAddress, Stopped};
use conclave_runtime::Runtime;
use conclave_store::{Store, StoreConfig};
use tempfile::TempDir;
use tokio::sync::oneshot;

use super::client::AbciClient;

/// Which server, over which transport.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Server {
    /// `conclave_abci::serve` on a Unix socket.
    OursUnix,
    /// `conclave_abci::serve` on TCP (TCP_NODELAY).
    OursTcp,
    /// `tendermint_abci::Server` on TCP.
    StockTcp,
}

impl Server {
    /// Row label.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Server::OursUnix => "ours  unix socket",
            Server::OursTcp => "ours  tcp (TCP_NODELAY)",
            Server::StockTcp => "stock tcp (tendermint-abci Server)",
        }
    }
}

/// Where the application's state lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum StoreKind {
    /// redb's in-memory backend (same code paths, no disk).
    Memory,
    /// A temporary directory (durable commits, fsync included).
    Disk,
}

/// A fresh application on a fresh store. `_dir` must outlive it.
pub(crate) fn new_app(store: StoreKind) -> Result<(AbciApp<AppChain>, Option<TempDir>)> {
    let (store, dir) = match store {
        StoreKind::Memory => (Store::open_in_memory(StoreConfig::default())?, None),
        StoreKind::Disk => {
            let dir = tempfile::Builder::new().prefix("conclave-bench-abci-").tempdir()?;
            (Store::open(&dir.path().join("app"), StoreConfig::default())?, Some(dir))
        }
    };
    // A fatal error means the benchmark drove the app wrongly: say so and stop.
    let on_fatal = Arc::new(|message: &str| {
        eprintln!("error: the application stopped: {message}");
        std::process::exit(70);
    });
    Ok((AbciApp::with_fatal_handler(Runtime::new(AppChain::default(), store), "appchain", on_fatal), dir))
}

/// A running server with one connected client. Dropping it closes the client, then stops the
/// server (ours: the shutdown signal and a join; stock: its accept loop cannot be stopped and
/// stays parked in `accept` until the process exits).
pub(crate) struct Session {
    /// The connection (CometBFT's consensus connection, in effect).
    pub(crate) client: Option<AbciClient>,
    ours: Option<(oneshot::Sender<()>, JoinHandle<Result<Stopped>>)>,
    socket_dir: Option<TempDir>,
    _store_dir: Option<TempDir>,
}

impl Session {
    /// Starts `server` with a fresh application on `store` and connects to it.
    pub(crate) fn start(server: Server, store: StoreKind) -> Result<Self> {
        let (app, store_dir) = new_app(store)?;
        match server {
            Server::OursUnix | Server::OursTcp => {
                let (address, socket_dir) = if server == Server::OursUnix {
                    let dir = tempfile::Builder::new().prefix("conclave-bench-sock-").tempdir()?;
                    (ListenAddress::Unix(dir.path().join("abci.sock")), Some(dir))
                } else {
                    (ListenAddress::Tcp(free_tcp_address()?), None)
                };
                let (stop_tx, stop_rx) = oneshot::channel::<()>();
                let served = address.clone();
                let thread =
                    std::thread::Builder::new().name("abci-server".into()).spawn(move || -> Result<Stopped> {
                        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
                        let stopped = runtime.block_on(serve(app, served, async {
                            let _ = stop_rx.await;
                        }))?;
                        Ok(stopped)
                    })?;
                let client = match &address {
                    ListenAddress::Unix(path) => AbciClient::unix(path),
                    ListenAddress::Tcp(addr) => AbciClient::tcp(addr),
                };
                let client = match client {
                    Ok(client) => client,
                    Err(e) => {
                        drop(stop_tx);
                        let why = match thread.join() {
                            Ok(Err(server_error)) => format!(": the server failed: {server_error:#}"),
                            _ => String::new(),
                        };
                        return Err(e.context(format!("cannot reach our server on {address}{why}")));
                    }
                };
                Ok(Self { client: Some(client), ours: Some((stop_tx, thread)), socket_dir, _store_dir: store_dir })
            }
            Server::StockTcp => {
                let stock = tendermint_abci::ServerBuilder::new(1 << 20)
                    .bind("127.0.0.1:0", app)
                    .map_err(|e| anyhow!("tendermint_abci::ServerBuilder::bind: {e}"))?;
                let address = stock.local_addr();
                std::thread::Builder::new().name("stock-abci-server".into()).spawn(move || {
                    if let Err(e) = stock.listen() {
                        eprintln!("warning: the stock server stopped: {e}");
                    }
                })?;
                let client = AbciClient::tcp(&address).context("cannot reach the stock server")?;
                Ok(Self { client: Some(client), ours: None, socket_dir: None, _store_dir: store_dir })
            }
        }
    }

    /// Our server's Unix socket, for more connections (as CometBFT's mempool connection).
    pub(crate) fn socket_path(&self) -> Option<std::path::PathBuf> {
        self.socket_dir.as_ref().map(|dir| dir.path().join("abci.sock"))
    }

    /// The client.
    pub(crate) fn client(&mut self) -> Result<&mut AbciClient> {
        self.client.as_mut().context("the session is closed")
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.client = None;
        if let Some((stop, thread)) = self.ours.take() {
            let _ = stop.send(());
            match thread.join() {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => eprintln!("warning: our server failed: {e:#}"),
                Err(_) => eprintln!("warning: our server thread panicked"),
            }
        }
    }
}

/// A loopback address with a port that was free a moment ago.
fn free_tcp_address() -> Result<String> {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(probe.local_addr()?.to_string())
}
