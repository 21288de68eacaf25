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

use tendermint_abci::Application;
use tendermint_proto::v0_38::abci::{request, response, Request, Response, ResponseException};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader, BufWriter};

use crate::codec::{frame_is_buffered, read_message_limited, write_message, CodecError};
use crate::dispatch::{check_tx_bytes, dispatch, is_flush, CheckTxBursts};

/// At most this many requests are read ahead of answering (a CheckTx burst's size).
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
    S: AsyncRead + AsyncWrite,
{
    let (read_half, write_half) = tokio::io::split(stream);
    let mut reader = BufReader::with_capacity(1 << 20, read_half);
    let mut writer = BufWriter::with_capacity(1 << 16, write_half);
    loop {
        if reader.fill_buf().await?.is_empty() {
            break;
        }
        let Some(first) = read_message_limited::<Request, _>(&mut reader, max_message_bytes).await? else {
            break;
        };
        // Whole frames already in the buffer are read too, without waiting for more, so the
        // CheckTx requests CometBFT's mempool sends back to back are seen together. They are
        // answered in order as before; a frame that fails to decode is reported after them.
        let mut requests = vec![first];
        let mut unreadable = None;
        while requests.len() < MAX_BURST && frame_is_buffered(reader.buffer()) {
            match read_message_limited::<Request, _>(&mut reader, max_message_bytes).await {
                Ok(Some(request)) => requests.push(request),
                Ok(None) => break,
                Err(error) => {
                    unreadable = Some(error);
                    break;
                }
            }
        }
        let burst: Vec<&[u8]> = requests.iter().filter_map(check_tx_bytes).collect();
        if burst.len() > 1 {
            tokio::task::block_in_place(|| app.check_tx_burst(&burst));
        }
        for request in requests {
            let flush = is_flush(&request);
            let response = answer(app, request, id, claim, stats);
            write_message(&mut writer, &response).await?;
            if flush {
                writer.flush().await?;
            }
        }
        if let Some(error) = unreadable {
            writer.flush().await?;
            return Err(error);
        }
    }
    writer.flush().await?;
    Ok(())
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
        // Application methods are synchronous and may take a while (FinalizeBlock): run them
        // off the async workers so other connections keep being served.
        _ => tokio::task::block_in_place(|| dispatch(app, request)),
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
