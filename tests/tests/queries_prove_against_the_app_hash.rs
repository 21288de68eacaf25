//! `store/key` queries with `prove` return proofs that the standalone verifier checks against
//! the app hash of the queried height, for present and absent keys, at the latest and at older
//! retained heights.

mod common;

use common::*;
use conclave_proof::Proof;
use conclave_runtime::{QueryCode, QueryRequest};
use conclave_testkit::TestAccount;

fn prove(chain: &conclave_testkit::TestChain<appchain::AppChain>, key: Vec<u8>, height: u64) -> (Vec<u8>, Proof, u64) {
    let response = chain.query(QueryRequest { path: "/store/key".into(), data: key, height, prove: true });
    assert_eq!(response.code, 0, "{}", response.log);
    let proof: Proof = borsh::from_slice(&response.proof.expect("proof requested")).unwrap();
    (response.value, proof, response.height)
}

#[test]
fn present_and_absent_keys_verify_at_current_and_past_heights() {
    let mut chain = chain();
    let accounts = accounts();
    let (alice, bob) = (&accounts[0], &accounts[1]);
    chain.produce_block(vec![chain.sign(alice, vec![send(bob, 77)])]);
    let root_at_1 = chain.app_hash();
    chain.produce_block(vec![chain.sign(alice, vec![send(bob, 23)])]);
    let root_at_2 = chain.app_hash();

    let bob_key = conclave_bank::balance_key(&bob.address, "stake");
    let (value, proof, height) = prove(&chain, bob_key.clone(), 0);
    assert_eq!(height, 2);
    assert_eq!(borsh::from_slice::<u128>(&value).unwrap(), FUNDS + 100);
    proof.verify(&root_at_2, &bob_key, Some(&value)).unwrap();
    // The same proof does not vouch for another value, another key, or another root.
    assert!(proof.verify(&root_at_2, &bob_key, Some(&borsh::to_vec(&(FUNDS + 1)).unwrap())).is_err());
    assert!(proof.verify(&root_at_1, &bob_key, Some(&value)).is_err());
    assert!(proof.verify(&root_at_2, &bob_key, None).is_err());

    let (old_value, old_proof, old_height) = prove(&chain, bob_key.clone(), 1);
    assert_eq!(old_height, 1);
    assert_eq!(borsh::from_slice::<u128>(&old_value).unwrap(), FUNDS + 77);
    old_proof.verify(&root_at_1, &bob_key, Some(&old_value)).unwrap();

    let stranger = TestAccount::named("stranger");
    let absent = conclave_bank::balance_key(&stranger.address, "stake");
    let (value, proof, _) = prove(&chain, absent.clone(), 0);
    assert!(value.is_empty());
    proof.verify(&root_at_2, &absent, None).unwrap();
    assert!(proof.verify(&root_at_2, &absent, Some(b"x")).is_err());
}

#[test]
fn unavailable_heights_and_unknown_paths_have_codes() {
    let mut chain = chain();
    chain.produce_empty_blocks(2);
    let future = chain.query(QueryRequest { path: "store/key".into(), data: b"k".to_vec(), height: 9, prove: false });
    assert_eq!((future.codespace.as_str(), future.code), ("query", QueryCode::HeightUnavailable as u32));
    let unknown = chain.query(QueryRequest { path: "nope".into(), ..QueryRequest::default() });
    assert_eq!((unknown.codespace.as_str(), unknown.code), ("query", QueryCode::UnknownPath as u32));
    let unknown_module = chain.query(QueryRequest { path: "nope/x".into(), ..QueryRequest::default() });
    assert_eq!((unknown_module.codespace.as_str(), unknown_module.code), ("query", QueryCode::UnknownPath as u32));
    let no_proof =
        chain.query(QueryRequest { path: "bank/supplies".into(), data: b"{}".to_vec(), height: 0, prove: true });
    assert_eq!(no_proof.code, QueryCode::ProofUnsupported as u32);
}

#[test]
fn account_and_params_queries() {
    let mut chain = chain();
    let accounts = accounts();
    chain.produce_block(vec![chain.sign(&accounts[0], vec![send(&accounts[1], 1)])]);
    let info: conclave_runtime::query::AccountInfo =
        chain.query_json("auth/account", &serde_json::json!({ "address": accounts[0].address })).unwrap();
    assert_eq!(info.nonce, 1);
    let params: conclave_runtime::RuntimeParams = chain.query_json("auth/params", &serde_json::json!({})).unwrap();
    assert_eq!(params, conclave_runtime::RuntimeParams::default());
}
