//! Clients come and go on the node's ABCI socket (`abci-cli`, health checks, CometBFT's
//! mempool and query connections); only the consensus connection closing stops the server,
//! and while it is connected no other client can drive blocks (`sdk/abci/src/connection.rs`).

mod abci;

use std::io::Write;

use abci::{genesis, start_node, time, Client, Node};
use bytes::Bytes;
use conclave_abci::Stopped;
use conclave_testkit::TestAccount;
use tendermint_proto::v0_38::abci as pb;
use tendermint_proto::v0_38::abci::{request, response};

fn info(client: &mut Client) -> pb::ResponseInfo {
    let response::Value::Info(info) = client.call(request::Value::Info(pb::RequestInfo::default())) else {
        panic!("expected an Info response")
    };
    info
}

/// InitChain then block 1 on `consensus`; returns block 1's app hash.
fn start_chain(consensus: &mut Client) -> Bytes {
    let alice = TestAccount::named("alice");
    let response::Value::InitChain(_) = consensus.call(request::Value::InitChain(pb::RequestInitChain {
        time: time(1_700_000_000),
        chain_id: "abci-test".into(),
        app_state_bytes: Bytes::from(genesis(&[&alice])),
        initial_height: 1,
        ..Default::default()
    })) else {
        panic!("expected an InitChain response")
    };
    let hash = finalize(consensus, 1);
    commit(consensus);
    hash
}

fn finalize(consensus: &mut Client, height: i64) -> Bytes {
    let response::Value::FinalizeBlock(block) =
        consensus.call(request::Value::FinalizeBlock(pb::RequestFinalizeBlock {
            height,
            time: time(1_700_000_000 + height),
            ..Default::default()
        }))
    else {
        panic!("expected a FinalizeBlock response")
    };
    block.app_hash
}

fn commit(consensus: &mut Client) {
    let response::Value::Commit(_) = consensus.call(request::Value::Commit(pb::RequestCommit {})) else {
        panic!("expected a Commit response")
    };
}

fn assert_no_fatal(node: &Node) {
    let fatal = node.fatal.lock().unwrap().clone();
    assert!(fatal.is_empty(), "{fatal:?}");
}

#[test]
fn guests_that_send_requests_and_leave_do_not_stop_the_server() {
    let node = start_node();
    // Before CometBFT ever connects, as `abci-cli echo hi` does against `appchaind start`.
    for round in 0..3 {
        let mut guest = Client::connect(&node.socket);
        let response::Value::Echo(echo) =
            guest.call(request::Value::Echo(pb::RequestEcho { message: format!("hi {round}") }))
        else {
            panic!("expected an Echo response")
        };
        assert_eq!(echo.message, format!("hi {round}"));
        assert_eq!(info(&mut guest).last_block_height, 0);
        let response::Value::CheckTx(check) =
            guest.call(request::Value::CheckTx(pb::RequestCheckTx { tx: Bytes::from_static(b"junk"), r#type: 0 }))
        else {
            panic!("expected a CheckTx response")
        };
        assert_ne!(check.code, 0);
        // Proposals only read committed state: a guest may ask for them too.
        let response::Value::ProcessProposal(_) =
            guest.call(request::Value::ProcessProposal(pb::RequestProcessProposal::default()))
        else {
            panic!("expected a ProcessProposal response")
        };
    }
    // A guest that leaves in the middle of a frame, and one that sends garbage.
    Client::connect(&node.socket).stream.get_mut().write_all(&[0x80]).unwrap();
    Client::connect(&node.socket).stream.get_mut().write_all(&[0x03, 0xFF, 0xFF, 0xFF]).unwrap();

    // CometBFT then connects and runs the chain as usual.
    let mut consensus = Client::connect(&node.socket);
    let hash = start_chain(&mut consensus);
    let mut query = Client::connect(&node.socket);
    let info = info(&mut query);
    assert_eq!((info.last_block_height, info.last_block_app_hash), (1, hash));
    // Its query connection closing is not the end of CometBFT either.
    drop(query);
    let mut guest = Client::connect(&node.socket);
    assert_eq!(self::info(&mut guest).last_block_height, 1);
    assert_no_fatal(&node);
    drop(consensus);
    assert_eq!(node.server.join().unwrap(), Stopped::ConsensusDisconnected);
}

#[test]
fn while_cometbft_is_connected_no_other_client_can_drive_blocks() {
    let node = start_node();
    let mut consensus = Client::connect(&node.socket);
    start_chain(&mut consensus);

    // A second client tries each executor method: each gets an exception naming the holder,
    // and nothing is executed (no fatal error, the height does not move).
    let mut intruder = Client::connect(&node.socket);
    for value in [
        request::Value::FinalizeBlock(pb::RequestFinalizeBlock {
            height: 2,
            time: time(1_700_000_002),
            ..Default::default()
        }),
        request::Value::Commit(pb::RequestCommit {}),
        request::Value::InitChain(pb::RequestInitChain::default()),
    ] {
        let response::Value::Exception(refused) = intruder.call(value) else { panic!("expected an exception") };
        assert!(refused.error.contains("refused and not executed"), "{}", refused.error);
        assert!(refused.error.contains("connection 1 is CometBFT's consensus connection"), "{}", refused.error);
    }
    assert_eq!(info(&mut intruder).last_block_height, 1);
    drop(intruder);
    assert_no_fatal(&node);

    // CometBFT's next block is unaffected: height 2 follows height 1.
    finalize(&mut consensus, 2);
    commit(&mut consensus);
    let mut query = Client::connect(&node.socket);
    assert_eq!(info(&mut query).last_block_height, 2);
    assert_no_fatal(&node);
    drop(consensus);
    assert_eq!(node.server.join().unwrap(), Stopped::ConsensusDisconnected);
}

#[test]
fn a_consensus_connection_that_breaks_stops_the_server() {
    let node = start_node();
    let mut consensus = Client::connect(&node.socket);
    start_chain(&mut consensus);
    // A malformed frame on the consensus connection ends it, and with it the server.
    consensus.stream.get_mut().write_all(&[0x05, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]).unwrap();
    assert!(consensus.read().is_none(), "the server closes the connection");
    assert_eq!(node.server.join().unwrap(), Stopped::ConsensusDisconnected);
}
