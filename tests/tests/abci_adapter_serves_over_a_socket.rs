//! The adapter over a real socket, driven by a client that frames requests as CometBFT does
//! (request then Flush): the block lifecycle, queries with proofs, CheckTx codes, and bad
//! input that must close the connection or stop the node cleanly, never panic.
//! (Which connections may come and go: `abci_server_outlives_clients_that_are_not_consensus.rs`.)

mod abci;

use std::io::Write;

use abci::{genesis, start_node, time, validator_key, Client};
use appchain::Msg;
use bytes::Bytes;
use conclave_abci::Stopped;
use conclave_core::{Coin, TxCode};
use conclave_testkit::{TestAccount, TxOptions};
use tendermint_proto::v0_38::abci as pb;
use tendermint_proto::v0_38::abci::{request, response};

#[test]
fn block_lifecycle_queries_and_check_tx_over_the_socket() {
    let node = start_node();
    let mut consensus = Client::connect(&node.socket);
    let mut mempool = Client::connect(&node.socket);
    let mut query = Client::connect(&node.socket);
    let alice = TestAccount::named("alice");
    let bob = TestAccount::named("bob");

    let response::Value::Echo(echo) = query.call(request::Value::Echo(pb::RequestEcho { message: "ping".into() }))
    else {
        panic!("echo")
    };
    assert_eq!(echo.message, "ping");
    let response::Value::Info(info) = query.call(request::Value::Info(pb::RequestInfo::default())) else { panic!() };
    assert_eq!((info.last_block_height, info.last_block_app_hash.len()), (0, 0));

    let response::Value::InitChain(init) = consensus.call(request::Value::InitChain(pb::RequestInitChain {
        time: time(1_700_000_000),
        chain_id: "abci-test".into(),
        app_state_bytes: Bytes::from(genesis(&[&alice])),
        initial_height: 1,
        ..Default::default()
    })) else {
        panic!()
    };
    assert_eq!(init.app_hash.len(), 32);
    // The app elected its genesis set from staking: the one registered validator, power 1.
    assert_eq!(init.validators.len(), 1, "{:?}", init.validators);
    assert_eq!(init.validators[0].power, 1);
    let key = init.validators[0].pub_key.as_ref().and_then(|k| k.sum.as_ref());
    assert_eq!(key, Some(&tendermint_proto::v0_38::crypto::public_key::Sum::Ed25519(validator_key().to_vec())));

    let send = |nonce: u64| -> Vec<u8> {
        let msg = Msg::Bank(conclave_bank::Msg::Send { to: bob.address, amount: Coin::new("stake", 10) });
        alice.sign("abci-test", nonce, vec![msg], &TxOptions::default())
    };
    let tx = send(0);
    let response::Value::ProcessProposal(process) =
        consensus.call(request::Value::ProcessProposal(pb::RequestProcessProposal {
            txs: vec![Bytes::from(tx.clone())],
            height: 1,
            time: time(1_700_000_001),
            ..Default::default()
        }))
    else {
        panic!()
    };
    // No committed params yet: only an empty first block is accepted.
    assert_eq!(process.status, pb::response_process_proposal::ProposalStatus::Reject as i32);

    let response::Value::FinalizeBlock(block) =
        consensus.call(request::Value::FinalizeBlock(pb::RequestFinalizeBlock {
            txs: vec![Bytes::from(tx.clone())],
            height: 1,
            time: time(1_700_000_001),
            ..Default::default()
        }))
    else {
        panic!()
    };
    assert_eq!(block.tx_results.len(), 1);
    assert_eq!(block.tx_results[0].code, 0, "{}", block.tx_results[0].log);
    assert!(block.tx_results[0].events.iter().any(|e| e.r#type == "bank.transfer"));
    let response::Value::Commit(_) = consensus.call(request::Value::Commit(pb::RequestCommit {})) else { panic!() };

    let response::Value::Info(info) = query.call(request::Value::Info(pb::RequestInfo::default())) else { panic!() };
    assert_eq!(info.last_block_height, 1);
    assert_eq!(info.last_block_app_hash, block.app_hash);

    // CheckTx: the committed tx is a replay; the next nonce passes; garbage is malformed.
    let response::Value::CheckTx(replay) =
        mempool.call(request::Value::CheckTx(pb::RequestCheckTx { tx: Bytes::from(tx.clone()), r#type: 0 }))
    else {
        panic!()
    };
    assert_eq!((replay.code, replay.codespace.as_str()), (TxCode::NonceTooLow.code(), "tx"));
    let response::Value::CheckTx(next) =
        mempool.call(request::Value::CheckTx(pb::RequestCheckTx { tx: Bytes::from(send(1)), r#type: 0 }))
    else {
        panic!()
    };
    assert_eq!(next.code, 0, "{}", next.log);
    let response::Value::CheckTx(garbage) =
        mempool.call(request::Value::CheckTx(pb::RequestCheckTx { tx: Bytes::from_static(b"\x01\x02"), r#type: 0 }))
    else {
        panic!()
    };
    assert_eq!(garbage.code, TxCode::Malformed.code());

    // PrepareProposal keeps the valid tx and drops the replay and the garbage.
    let response::Value::PrepareProposal(prepared) =
        consensus.call(request::Value::PrepareProposal(pb::RequestPrepareProposal {
            max_tx_bytes: 1 << 20,
            txs: vec![Bytes::from(tx.clone()), Bytes::from(send(1)), Bytes::from_static(b"\x01\x02")],
            height: 2,
            time: time(1_700_000_002),
            ..Default::default()
        }))
    else {
        panic!()
    };
    assert_eq!(prepared.txs, vec![Bytes::from(send(1))]);

    // A proven query verifies against the app hash of height 1.
    let key = conclave_bank::balance_key(&bob.address, "stake");
    let response::Value::Query(answer) = query.call(request::Value::Query(pb::RequestQuery {
        data: Bytes::from(key.clone()),
        path: "/store/key".into(),
        height: 0,
        prove: true,
    })) else {
        panic!()
    };
    assert_eq!((answer.code, answer.height), (0, 1));
    let op = &answer.proof_ops.expect("proof").ops[0];
    assert_eq!(op.r#type, "conclave/smt/v1");
    let proof: conclave_proof::Proof = borsh::from_slice(&op.data).unwrap();
    let root: [u8; 32] = block.app_hash.as_ref().try_into().unwrap();
    proof.verify(&root, &key, Some(&answer.value)).unwrap();
    assert_eq!(borsh::from_slice::<u128>(&answer.value).unwrap(), 10);

    // A JSON module query.
    let data = serde_json::to_vec(&serde_json::json!({ "address": bob.address, "denom": "stake" })).unwrap();
    let response::Value::Query(balance) = query.call(request::Value::Query(pb::RequestQuery {
        data: data.into(),
        path: "bank/balance".into(),
        height: 0,
        prove: false,
    })) else {
        panic!()
    };
    assert_eq!(serde_json::from_slice::<Coin>(&balance.value).unwrap(), Coin::new("stake", 10));

    // An empty request gets an exception, not a panic.
    query.send_raw_empty();
    assert!(node.fatal.lock().unwrap().is_empty());

    // CometBFT going away (its consensus connection closing) stops the server with a clear
    // outcome; its other connections closing first do not.
    drop(query);
    drop(mempool);
    drop(consensus);
    assert_eq!(node.server.join().unwrap(), Stopped::ConsensusDisconnected);
}

#[test]
fn out_of_order_calls_stop_the_node_instead_of_answering() {
    let node = start_node();
    let mut consensus = Client::connect(&node.socket);
    // Commit with nothing finalized, FinalizeBlock before InitChain: both fatal.
    let _ = consensus.call(request::Value::Commit(pb::RequestCommit {}));
    let _ = consensus.call(request::Value::FinalizeBlock(pb::RequestFinalizeBlock {
        height: 1,
        time: time(1),
        ..Default::default()
    }));
    let fatal = node.fatal.lock().unwrap().clone();
    assert_eq!(fatal.len(), 2, "{fatal:?}");
    assert!(fatal[0].contains("Commit") && fatal[0].contains("without a finalized block"), "{}", fatal[0]);
    assert!(fatal[1].contains("before InitChain"), "{}", fatal[1]);
    drop(consensus);
    assert_eq!(node.server.join().unwrap(), Stopped::ConsensusDisconnected);
}

#[test]
fn a_garbage_frame_closes_the_connection_without_a_panic() {
    let node = start_node();
    let mut client = Client::connect(&node.socket);
    client.stream.get_mut().write_all(&[0x05, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]).unwrap();
    assert!(client.read().is_none(), "the server closes the connection");
    // It was not the consensus connection: the server goes on.
    let mut client = Client::connect(&node.socket);
    assert!(matches!(client.call(request::Value::Echo(pb::RequestEcho::default())), response::Value::Echo(_)));
    assert_eq!(node.shut_down(), Stopped::Shutdown);
}

#[test]
fn a_silent_probe_does_not_stop_the_server() {
    let node = start_node();
    // Connect and leave without a byte, as a readiness probe does.
    drop(Client::connect(&node.socket));
    std::thread::sleep(std::time::Duration::from_millis(100));
    let mut client = Client::connect(&node.socket);
    let response::Value::Echo(echo) =
        client.call(request::Value::Echo(pb::RequestEcho { message: "still here".into() }))
    else {
        panic!("echo")
    };
    assert_eq!(echo.message, "still here");
    drop(client);
    assert_eq!(node.shut_down(), Stopped::Shutdown);
}
