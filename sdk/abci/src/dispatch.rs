//! Routes one ABCI request to its `Application` method. Unlike tendermint-abci's own
//! dispatcher, an empty request gets an `Exception` response instead of a panic.

use tendermint_abci::Application;
use tendermint_proto::v0_38::abci::{request, response, Request, Response, ResponseException};

/// Answers `request`.
pub fn dispatch<A: Application>(app: &A, request: Request) -> Response {
    use request::Value as Req;
    use response::Value as Resp;
    let value = match request.value {
        Some(Req::Echo(r)) => Resp::Echo(app.echo(r)),
        Some(Req::Flush(_)) => Resp::Flush(app.flush()),
        Some(Req::Info(r)) => Resp::Info(app.info(r)),
        Some(Req::InitChain(r)) => Resp::InitChain(app.init_chain(r)),
        Some(Req::Query(r)) => Resp::Query(app.query(r)),
        Some(Req::CheckTx(r)) => Resp::CheckTx(app.check_tx(r)),
        Some(Req::Commit(_)) => Resp::Commit(app.commit()),
        Some(Req::ListSnapshots(_)) => Resp::ListSnapshots(app.list_snapshots()),
        Some(Req::OfferSnapshot(r)) => Resp::OfferSnapshot(app.offer_snapshot(r)),
        Some(Req::LoadSnapshotChunk(r)) => Resp::LoadSnapshotChunk(app.load_snapshot_chunk(r)),
        Some(Req::ApplySnapshotChunk(r)) => Resp::ApplySnapshotChunk(app.apply_snapshot_chunk(r)),
        Some(Req::PrepareProposal(r)) => Resp::PrepareProposal(app.prepare_proposal(r)),
        Some(Req::ProcessProposal(r)) => Resp::ProcessProposal(app.process_proposal(r)),
        Some(Req::ExtendVote(r)) => Resp::ExtendVote(app.extend_vote(r)),
        Some(Req::VerifyVoteExtension(r)) => Resp::VerifyVoteExtension(app.verify_vote_extension(r)),
        Some(Req::FinalizeBlock(r)) => Resp::FinalizeBlock(app.finalize_block(r)),
        None => Resp::Exception(ResponseException { error: "empty ABCI request".into() }),
    };
    Response { value: Some(value) }
}

/// What the server tells an application beyond tendermint-abci's `Application`.
pub trait CheckTxBursts {
    /// The transactions of the CheckTx requests that arrived together (CometBFT's mempool
    /// sends them back to back), just before the server answers them one by one, in order. A
    /// hint to prepare (e.g. verify their signatures in a batch): the answers must not depend
    /// on it. The default does nothing.
    fn check_tx_burst(&self, _txs: &[&[u8]]) {}
}

/// The transaction of a CheckTx request.
pub fn check_tx_bytes(request: &Request) -> Option<&[u8]> {
    match &request.value {
        Some(request::Value::CheckTx(r)) => Some(&r.tx),
        _ => None,
    }
}

/// Whether the request is a Flush (the socket is flushed after answering it).
pub fn is_flush(request: &Request) -> bool {
    matches!(request.value, Some(request::Value::Flush(_)))
}
