//! Our tokio ABCI socket server.
//!
//! Unix socket by default (no Nagle, lowest latency), or TCP with `TCP_NODELAY` set on every
//! accepted connection: the stock servers leave Nagle on and stall ~45 ms per synchronous call.
//! Each connection is served by one task, requests in order, responses in the same order;
//! responses are buffered and the socket is flushed on every `Flush` request, which CometBFT
//! sends after each synchronous call and periodically for asynchronous CheckTx.
//!
//! [`serve`] returns when the shutdown future resolves (SIGINT/SIGTERM in the binary) or when
//! CometBFT closes a connection, which means it has stopped.

use std::future::Future;
use std::path::PathBuf;
use std::str::FromStr;

use tendermint_abci::Application;
use tendermint_proto::v0_38::abci::{Request, Response};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader, BufWriter};
use tokio::net::{TcpListener, UnixListener};
use tokio::sync::mpsc;

use crate::codec::{read_message, write_message, CodecError};
use crate::dispatch::{dispatch, is_flush};

/// Where the server listens: `unix:///path/to/abci.sock` or `tcp://127.0.0.1:26658`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListenAddress {
    /// A Unix domain socket path.
    Unix(PathBuf),
    /// A TCP address.
    Tcp(String),
}

impl FromStr for ListenAddress {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(path) = s.strip_prefix("unix://") {
            if path.is_empty() {
                return Err(format!("{s:?}: empty socket path; use unix:///absolute/path.sock"));
            }
            Ok(ListenAddress::Unix(PathBuf::from(path)))
        } else if let Some(addr) = s.strip_prefix("tcp://") {
            addr.parse::<std::net::SocketAddr>()
                .map_err(|e| format!("{s:?}: {e}; use tcp://HOST:PORT, e.g. tcp://127.0.0.1:26658"))?;
            Ok(ListenAddress::Tcp(addr.to_string()))
        } else {
            Err(format!("{s:?}: expected unix:///path.sock or tcp://HOST:PORT"))
        }
    }
}

impl std::fmt::Display for ListenAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ListenAddress::Unix(path) => write!(f, "unix://{}", path.display()),
            ListenAddress::Tcp(addr) => write!(f, "tcp://{addr}"),
        }
    }
}

/// Why [`serve`] returned.
#[derive(Debug, PartialEq, Eq)]
pub enum Stopped {
    /// The shutdown future resolved.
    Shutdown,
    /// A client (CometBFT) closed a connection after using it.
    ClientDisconnected,
}

/// A server start-up failure.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// Binding the address failed.
    #[error("cannot listen on {address}: {source}")]
    Bind {
        /// The address.
        address: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Another process already serves this Unix socket.
    #[error("{0} is in use by another running process; stop it or choose another proxy_app address")]
    InUse(String),
}

/// Serves `app` on `address` until `shutdown` resolves or a client disconnects.
pub async fn serve<A, F>(app: A, address: ListenAddress, shutdown: F) -> Result<Stopped, ServerError>
where
    A: Application + Sync,
    F: Future<Output = ()>,
{
    let bind_error = |source| ServerError::Bind { address: address.to_string(), source };
    match &address {
        ListenAddress::Unix(path) => {
            remove_stale_socket(path).await?;
            let listener = UnixListener::bind(path).map_err(bind_error)?;
            tracing::info!(target: "conclave::abci", %address, "ABCI server listening");
            let stopped =
                accept_until_stopped(app, shutdown, || async { listener.accept().await.map(|(stream, _)| stream) })
                    .await;
            let _ = std::fs::remove_file(path);
            Ok(stopped)
        }
        ListenAddress::Tcp(addr) => {
            let listener = TcpListener::bind(addr).await.map_err(bind_error)?;
            tracing::info!(target: "conclave::abci", %address, "ABCI server listening");
            Ok(accept_until_stopped(app, shutdown, || async {
                let (stream, peer) = listener.accept().await?;
                if let Err(e) = stream.set_nodelay(true) {
                    tracing::warn!(target: "conclave::abci", %peer, "cannot set TCP_NODELAY: {e}");
                }
                Ok(stream)
            })
            .await)
        }
    }
}

/// Accepts connections, one task each, until `shutdown` resolves or a used connection closes.
async fn accept_until_stopped<A, F, S, Accept, Accepted>(app: A, shutdown: F, mut accept: Accept) -> Stopped
where
    A: Application + Sync,
    F: Future<Output = ()>,
    S: AsyncRead + AsyncWrite + Send + 'static,
    Accept: FnMut() -> Accepted,
    Accepted: Future<Output = std::io::Result<S>>,
{
    let (closed_tx, mut closed_rx) = mpsc::unbounded_channel::<String>();
    tokio::pin!(shutdown);
    let mut next_id = 0u64;
    loop {
        tokio::select! {
            _ = &mut shutdown => return Stopped::Shutdown,
            Some(reason) = closed_rx.recv() => {
                tracing::warn!(target: "conclave::abci", "CometBFT disconnected ({reason}); stopping");
                return Stopped::ClientDisconnected;
            }
            accepted = accept() => match accepted {
                Ok(stream) => {
                    next_id += 1;
                    spawn_connection(app.clone(), stream, next_id, closed_tx.clone());
                }
                Err(e) => tracing::warn!(target: "conclave::abci", "accept failed: {e}"),
            },
        }
    }
}

/// A socket file left by a crashed run is removed; a live one is an error.
async fn remove_stale_socket(path: &std::path::Path) -> Result<(), ServerError> {
    if !path.exists() {
        return Ok(());
    }
    if tokio::net::UnixStream::connect(path).await.is_ok() {
        return Err(ServerError::InUse(path.display().to_string()));
    }
    std::fs::remove_file(path).map_err(|source| ServerError::Bind { address: path.display().to_string(), source })
}

fn spawn_connection<A, S>(app: A, stream: S, id: u64, closed: mpsc::UnboundedSender<String>)
where
    A: Application + Sync,
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    tokio::spawn(async move {
        // Frames received (attempted), so a silent probe is told apart from CometBFT.
        let mut served = 0u64;
        let reason = match serve_connection(&app, stream, &mut served).await {
            Ok(()) => "connection closed".to_string(),
            Err(e) => format!("connection error: {e}"),
        };
        tracing::debug!(target: "conclave::abci", connection = id, served, "{reason}");
        // A connection that never carried a request (a probe checking that we listen) is not
        // CometBFT: only losing a connection that CometBFT used means CometBFT went away.
        if served > 0 {
            let _ = closed.send(format!("connection {id}: {reason}"));
        }
    });
}

async fn serve_connection<A, S>(app: &A, stream: S, served: &mut u64) -> Result<(), CodecError>
where
    A: Application + Sync,
    S: AsyncRead + AsyncWrite,
{
    let (read_half, write_half) = tokio::io::split(stream);
    let mut reader = BufReader::with_capacity(1 << 20, read_half);
    let mut writer = BufWriter::with_capacity(1 << 16, write_half);
    loop {
        if reader.fill_buf().await?.is_empty() {
            break;
        }
        *served += 1;
        let Some(request) = read_message::<Request, _>(&mut reader).await? else {
            break;
        };
        let flush = is_flush(&request);
        // Application methods are synchronous and may take a while (FinalizeBlock): run them
        // off the async workers so other connections keep being served.
        let response: Response = tokio::task::block_in_place(|| dispatch(app, request));
        write_message(&mut writer, &response).await?;
        if flush {
            writer.flush().await?;
        }
    }
    writer.flush().await?;
    Ok(())
}
