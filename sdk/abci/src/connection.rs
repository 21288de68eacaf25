//! One accepted connection, and which connection is CometBFT's consensus connection.
//!
//! CometBFT opens four connections (consensus, mempool, query, snapshot) and never reconnects:
//! if it goes away, its consensus connection closes. Anything else that connects to the socket
//! (`abci-cli`, a health check, a probe) is a guest whose leaving must not stop the node.
//!
//! **How the consensus connection is told apart.** The server cannot know who connected, but
//! it sees what each connection asks. Only the consensus connection drives the executor:
//! InitChain, FinalizeBlock and Commit. The first connection that sends one of them *claims*
//! the consensus role ([`ConsensusClaim`]); from then on:
//! - when that connection closes (cleanly, on a socket error or on a malformed frame), the
//!   server stops: CometBFT has gone, and a node without it must not keep serving stale state;
//! - any other connection that sends InitChain, FinalizeBlock or Commit gets a
//!   `ResponseException` naming the holder, and the request is *not* executed: a second driver
//!   of the executor (a stray `abci-cli finalize_block` while CometBFT runs) would otherwise
//!   fork this node from the chain;
//! - every other connection that closes is logged and dropped, and the server keeps accepting.
//!
//! A connection that never sent a consensus request (CometBFT's mempool, query and snapshot
//! connections, or any tool) never stops the server. If CometBFT dies before its first
//! consensus request (during the Info handshake) the node keeps waiting for a new CometBFT,
//! which is what a node started without one does anyway.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tendermint_abci::Application;
use tendermint_proto::v0_38::abci::{request, response, Request, Response, ResponseException};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader, BufWriter};
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};

use crate::codec::{frame_is_buffered, read_frame_limited, write_message, CodecError};
use crate::dispatch::{check_tx_bytes, dispatch, is_flush, CheckTxBursts};

/// A burst takes no more of what was read once it holds this many requests.
const MAX_BURST: usize = 1024;

/// Which connection holds the consensus role: `0` while none does, else its connection id
/// (ids start at 1). Set once; the server stops when the holder closes, so it is never
/// released.
#[derive(Debug, Default)]
pub(crate) struct ConsensusClaim(AtomicU64);

impl ConsensusClaim {
    /// Claims the role for `connection`, or keeps it; `Err(holder)` if another holds it.
    fn claim(&self, connection: u64) -> Result<(), u64> {
        match self.0.compare_exchange(0, connection, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => Ok(()),
            Err(holder) if holder == connection => Ok(()),
            Err(holder) => Err(holder),
        }
    }

    /// Whether `connection` holds the role.
    pub(crate) fn is_held_by(&self, connection: u64) -> bool {
        self.0.load(Ordering::Acquire) == connection
    }
}

/// The name of a request that drives the executor (and so claims the consensus role).
fn consensus_method(request: &Request) -> Option<&'static str> {
    match request.value {
        Some(request::Value::InitChain(_)) => Some("InitChain"),
        Some(request::Value::FinalizeBlock(_)) => Some("FinalizeBlock"),
        Some(request::Value::Commit(_)) => Some("Commit"),
        _ => None,
    }
}

/// What a connection did before it closed.
#[derive(Debug, Default)]
pub(crate) struct ConnectionStats {
    /// Requests read (whole frames).
    pub(crate) requests: u64,
    /// Consensus requests refused because another connection holds the role.
    pub(crate) refused: u64,
}

/// Serves one connection until the peer closes it or sends a frame that cannot be decoded.
///
/// Reading runs ahead of answering, in its own task ([`read_ahead`]): CometBFT's socket
/// client never waits for socket space while this connection answers, so its sender is
/// always free. (A CometBFT 0.38 sender that waits spins its 20-ns flush timer, which costs
/// it CPU for as long as the wait lasts; docs/benchmarks.md.) What was read and not yet
/// answered is bounded by [`READ_AHEAD_BYTES`].
pub(crate) async fn serve_connection<A, S>(
    app: &A,
    stream: S,
    id: u64,
    claim: &ConsensusClaim,
    max_message_bytes: u64,
    stats: &mut ConnectionStats,
) -> Result<(), CodecError>
where
    A: Application + CheckTxBursts + Sync,
    S: AsyncRead + AsyncWrite + Send + 'static,
{
    let (read_half, write_half) = tokio::io::split(stream);
    let (bursts_tx, mut bursts) = mpsc::unbounded_channel();
    let budget = Arc::new(Semaphore::new(READ_AHEAD_BYTES));
    let _reader = AbortOnDrop(tokio::spawn(read_ahead(read_half, max_message_bytes, budget, bursts_tx)));
    let mut writer = BufWriter::with_capacity(1 << 16, write_half);
    while let Some(first) = bursts.recv().await {
        // Every burst already read is answered together, so CheckTx requests that arrived
        // while the last ones were being answered are seen (and batch-verified) together.
        let ReadBurst { mut requests, permit, mut end } = first;
        let mut permits = vec![permit];
        while end.is_none() && requests.len() < MAX_BURST {
            let Ok(more) = bursts.try_recv() else { break };
            requests.extend(more.requests);
            permits.push(more.permit);
            end = more.end;
        }
        // The whole burst is answered in one `block_in_place` (application methods are
        // synchronous and may take a while, FinalizeBlock; they run off the async workers so
        // other connections keep being served). Handing the worker over costs a thread wake-up
        // and two context switches, so paying it per request would cost CheckTx bursts more
        // than their own checks.
        let (responses, flushes) = tokio::task::block_in_place(|| {
            let burst: Vec<&[u8]> = requests.iter().filter_map(check_tx_bytes).collect();
            if burst.len() > 1 {
                app.check_tx_burst(&burst);
            }
            let flushes = requests.iter().filter(|request| is_flush(request)).count();
            let responses: Vec<Response> =
                requests.into_iter().map(|request| answer(app, request, id, claim, stats)).collect();
            (responses, flushes)
        });
        drop(permits);
        for response in &responses {
            write_message(&mut writer, response).await?;
        }
        // Every answer is ready, so one flush serves all the burst's Flush requests.
        if flushes > 0 {
            writer.flush().await?;
        }
        match end {
            None => {}
            Some(Ok(())) => break,
            Some(Err(error)) => {
                writer.flush().await?;
                return Err(error);
            }
        }
    }
    writer.flush().await?;
    Ok(())
}

/// At most this many bytes of requests are read and not yet answered, per connection. A
/// larger request (up to the configured maximum) waits until everything before it is answered.
const READ_AHEAD_BYTES: usize = 16 << 20;

/// Requests read together, the read-ahead budget they hold until answered, and whether the
/// stream ended after them (cleanly, or with a frame that cannot be decoded).
struct ReadBurst {
    requests: Vec<Request>,
    permit: OwnedSemaphorePermit,
    end: Option<Result<(), CodecError>>,
}

/// Reads requests as they arrive and hands them on in bursts: a first frame (waited for),
/// then every whole frame already buffered. Stops at the end of the stream, at a frame that
/// cannot be decoded, or when the connection's task goes away.
async fn read_ahead<R: AsyncRead + Unpin>(
    read_half: R,
    max_message_bytes: u64,
    budget: Arc<Semaphore>,
    bursts: mpsc::UnboundedSender<ReadBurst>,
) {
    let mut reader = BufReader::with_capacity(1 << 20, read_half);
    loop {
        let mut requests = Vec::new();
        let mut bytes = 0usize;
        let end = match reader.fill_buf().await {
            Ok([]) => Some(Ok(())),
            Err(error) => Some(Err(CodecError::Io(error))),
            Ok(_) => loop {
                match read_frame_limited::<Request, _>(&mut reader, max_message_bytes).await {
                    Ok(Some((request, length))) => {
                        requests.push(request);
                        bytes = bytes.saturating_add(length);
                    }
                    Ok(None) => break Some(Ok(())),
                    Err(error) => break Some(Err(error)),
                }
                if requests.len() >= MAX_BURST || !frame_is_buffered(reader.buffer()) {
                    break None;
                }
            },
        };
        let wanted = u32::try_from(bytes.clamp(1, READ_AHEAD_BYTES)).unwrap_or(u32::MAX);
        let Ok(permit) = Arc::clone(&budget).acquire_many_owned(wanted).await else { return };
        let stop = end.is_some();
        if bursts.send(ReadBurst { requests, permit, end }).is_err() || stop {
            return;
        }
    }
}

/// Aborts the task when dropped: the reader stops with its connection.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The answer to one request: a refusal if it is a consensus method and another connection
/// holds that role, else the application's.
fn answer<A: Application>(
    app: &A,
    request: Request,
    id: u64,
    claim: &ConsensusClaim,
    stats: &mut ConnectionStats,
) -> Response {
    stats.requests += 1;
    match consensus_method(&request).map(|method| (method, claim.claim(id))) {
        Some((method, Err(holder))) => {
            stats.refused += 1;
            tracing::warn!(
                target: "conclave::abci",
                connection = id,
                holder,
                "refused {method}: connection {holder} is the consensus connection"
            );
            refusal(method, holder)
        }
        // The caller runs this off the async workers (`block_in_place`).
        _ => dispatch(app, request),
    }
}

fn refusal(method: &str, holder: u64) -> Response {
    let error = format!(
        "{method} refused and not executed: connection {holder} is CometBFT's consensus connection (it sent \
         InitChain, FinalizeBlock or Commit first), and only it may drive blocks; stop CometBFT to drive this \
         node from another client"
    );
    Response { value: Some(response::Value::Exception(ResponseException { error })) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_claimant_keeps_the_role() {
        let claim = ConsensusClaim::default();
        assert!(!claim.is_held_by(1));
        assert_eq!(claim.claim(1), Ok(()));
        assert_eq!(claim.claim(1), Ok(()));
        assert_eq!(claim.claim(2), Err(1));
        assert!(claim.is_held_by(1) && !claim.is_held_by(2));
    }

    #[test]
    fn only_executor_methods_claim_the_role() {
        use tendermint_proto::v0_38::abci as pb;
        let claims = |value| consensus_method(&Request { value: Some(value) }).is_some();
        assert!(claims(request::Value::InitChain(pb::RequestInitChain::default())));
        assert!(claims(request::Value::FinalizeBlock(pb::RequestFinalizeBlock::default())));
        assert!(claims(request::Value::Commit(pb::RequestCommit {})));
        // Proposals only read committed state: `abci-cli prepare_proposal` is a guest.
        assert!(!claims(request::Value::PrepareProposal(pb::RequestPrepareProposal::default())));
        assert!(!claims(request::Value::ProcessProposal(pb::RequestProcessProposal::default())));
        assert!(!claims(request::Value::Info(pb::RequestInfo::default())));
        assert!(!claims(request::Value::CheckTx(pb::RequestCheckTx::default())));
        assert!(consensus_method(&Request { value: None }).is_none());
    }
}
