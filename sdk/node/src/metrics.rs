//! The Prometheus endpoint of `start` (app.toml `[metrics]`): `GET /metrics` on a plain
//! HTTP/1.1 listener, answering [`conclave_abci::Metrics::encode`] after refreshing the
//! store's figures. Anything else gets 404. One request per connection; no TLS (bind it to
//! a private address, as CometBFT's own `prometheus_listen_addr`).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use conclave_abci::Metrics;

/// What a scrape refreshes before answering.
#[derive(Clone, Debug)]
pub(crate) struct StoreFigures {
    /// The store's directory (its files' sizes are summed).
    pub(crate) dir: PathBuf,
    /// app.toml's `[store] keep_versions`.
    pub(crate) keep_versions: u64,
}

/// Binds `address` and serves `metrics` until the task is dropped.
pub(crate) async fn serve(
    address: &str,
    metrics: Arc<Metrics>,
    store: StoreFigures,
) -> Result<tokio::task::JoinHandle<()>> {
    let listener = TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot serve metrics at {address} ([metrics] address in app.toml)"))?;
    tracing::info!(address = %listener.local_addr().map(|a| a.to_string()).unwrap_or_default(), "serving Prometheus metrics at /metrics");
    Ok(tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            let (metrics, store) = (Arc::clone(&metrics), store.clone());
            tokio::spawn(async move {
                if let Err(error) = answer(stream, &metrics, &store).await {
                    tracing::debug!(%error, "metrics request failed");
                }
            });
        }
    }))
}

async fn answer(mut stream: TcpStream, metrics: &Metrics, store: &StoreFigures) -> std::io::Result<()> {
    // The request line is all we need; 8 KiB holds any sane request head.
    let mut head = vec![0u8; 8192];
    let read = stream.read(&mut head).await?;
    let request = String::from_utf8_lossy(&head[..read]);
    let path = request.lines().next().and_then(|line| {
        let mut parts = line.split_whitespace();
        (parts.next() == Some("GET")).then(|| parts.next()).flatten()
    });
    let (status, content_type, body) = if path == Some("/metrics") {
        metrics.set_store(dir_size(&store.dir), metrics.height(), store.keep_versions);
        ("200 OK", "text/plain; version=0.0.4; charset=utf-8", metrics.encode())
    } else {
        ("404 Not Found", "text/plain; charset=utf-8", "only GET /metrics is served here\n".to_string())
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}

/// Total size of the files directly in `dir` (0 if unreadable: a scrape never fails on it).
fn dir_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok()?.metadata().ok()).filter(|m| m.is_file()).map(|m| m.len()).sum())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn get(address: std::net::SocketAddr, path: &str) -> String {
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes()).await.unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        response
    }

    #[tokio::test]
    async fn metrics_are_served_at_their_path_only() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("state.redb"), vec![0u8; 1234]).unwrap();
        let metrics = Arc::new(Metrics::new());
        let figures = StoreFigures { dir: dir.path().to_path_buf(), keep_versions: 7 };
        // Port 0: find the bound address through a listener of our own first.
        let probe = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = probe.local_addr().unwrap();
        drop(probe);
        let _server = serve(&address.to_string(), Arc::clone(&metrics), figures).await.unwrap();
        let ok = get(address, "/metrics").await;
        assert!(ok.starts_with("HTTP/1.1 200 OK"), "{ok}");
        assert!(ok.lines().any(|l| l == "conclave_store_bytes 1234"), "{ok}");
        assert!(ok.lines().any(|l| l == "conclave_store_keep_versions 7"), "{ok}");
        assert!(ok.contains("# TYPE conclave_finalize_block_seconds histogram"), "{ok}");
        let missing = get(address, "/other").await;
        assert!(missing.starts_with("HTTP/1.1 404"), "{missing}");
    }
}
