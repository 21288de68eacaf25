//! Writes the seed corpora of every fuzz target into `fuzz/corpus/<target>/seed-*`: valid
//! inputs of each shape, so the fuzzer starts past the first decoder. Run once after a wire
//! format changes: `cargo run -p conclave-fuzz-targets --example write_seeds`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::{Path, PathBuf};

use borsh::BorshSerialize;
use conclave_core::Coin;
use conclave_fuzz_targets::fixture::{accounts, genesis, signed};
use conclave_store::{ChangeSet, Store, StoreConfig};
use prost::Message;
use tendermint_proto::v0_38::abci::{request, Request, RequestCheckTx, RequestEcho, RequestFlush, RequestInfo};

fn corpus(target: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus").join(target);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(target: &str, name: &str, bytes: &[u8]) {
    std::fs::write(corpus(target).join(format!("seed-{name}")), bytes).unwrap();
}

/// One message of each module, encoded by the module (tag, message).
fn module_messages() -> Vec<(&'static str, u8, Vec<u8>)> {
    let [alice, bob] = accounts();
    let bank = conclave_bank::Msg::Send { to: bob.address, amount: Coin::new("stake", 10) };
    let staking = conclave_staking::Msg::RegisterCandidate {
        consensus_key: ed25519_consensus::SigningKey::from([3u8; 32]).verification_key().to_bytes(),
        commission: conclave_staking::CommissionRates {
            rate_ppb: 100_000_000,
            max_rate_ppb: 200_000_000,
            max_change_rate_ppb: 10_000_000,
        },
        description: conclave_staking::Description { moniker: "fuzz".into(), ..Default::default() },
        self_bond: 1_000_000,
    };
    let voting = conclave_voting::Msg::Vote { candidate: alice.address, amount: 1_000 };
    let rotation = conclave_rotation::Msg::UpdateParams { params: conclave_rotation::Params::default() };
    let slashing = conclave_slashing::Msg::Unjail;
    vec![
        ("bank", 0, borsh::to_vec(&bank).unwrap()),
        ("staking", 1, borsh::to_vec(&staking).unwrap()),
        ("voting", 2, borsh::to_vec(&voting).unwrap()),
        ("rotation", 3, borsh::to_vec(&rotation).unwrap()),
        ("slashing", 4, borsh::to_vec(&slashing).unwrap()),
    ]
}

fn frame(request: request::Value) -> Vec<u8> {
    Request { value: Some(request) }.encode_length_delimited_to_vec()
}

fn main() {
    let [alice, _] = accounts();
    for (module, tag, message) in module_messages() {
        let mut app_message = vec![tag];
        app_message.extend_from_slice(&message);
        let tx = signed(&alice, 0, app_message.clone());
        write("tx_envelope", module, &tx);
        write("check_tx", &format!("{module}-tx"), &[[0u8].as_slice(), &tx].concat());
        write("check_tx", &format!("{module}-message"), &[[1u8].as_slice(), &app_message].concat());
        write("module_messages", module, &[[tag].as_slice(), &message].concat());
    }
    write("tx_envelope", "garbage", b"\x01\x02\x03");

    let tx = signed(&alice, 0, module_messages()[0].2.clone());
    let mut frames = frame(request::Value::Echo(RequestEcho { message: "hi".into() }));
    frames.extend(frame(request::Value::Flush(RequestFlush {})));
    write("abci_frame", "echo-flush", &frames);
    write("abci_frame", "info", &frame(request::Value::Info(RequestInfo::default())));
    write("abci_frame", "check-tx", &frame(request::Value::CheckTx(RequestCheckTx { tx: tx.into(), r#type: 0 })));

    write("genesis_json", "app-template", &serde_json::to_vec(&genesis()).unwrap());
    write("genesis_json", "empty-object", b"{}");

    // Real proofs: one present key, one absent, from a small store.
    let mut store = Store::open_in_memory(StoreConfig::default()).unwrap();
    let changes: ChangeSet = (0u8..20).map(|i| (vec![b'k', i], Some(vec![i; 3]))).collect();
    let staged = store.latest().stage(1, changes);
    store.commit(staged).unwrap();
    let latest = store.latest();
    for (name, key) in [("present", vec![b'k', 7]), ("absent", vec![b'x'])] {
        let (value, proof) = latest.prove(&key);
        let mut input = latest.root_hash().to_vec();
        input.push(key.len() as u8);
        input.extend_from_slice(&key);
        input.push(u8::from(value.is_some()));
        let value = value.unwrap_or_default();
        input.push(value.len() as u8);
        input.extend_from_slice(&value);
        proof.serialize(&mut input).unwrap();
        write("proof_verify", name, &input);
    }

    write("store_model", "ops", &(0u8..=255).collect::<Vec<_>>());
    write("store_model", "puts-and-commits", &[0, 1, 4, 1, 2, 3, 4, 2, 0, 9, 2, 7, 7, 2, 1, 1, 2]);
    eprintln!("seeds written under fuzz/corpus/");
}
