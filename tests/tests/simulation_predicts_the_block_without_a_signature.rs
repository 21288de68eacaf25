//! `tx/simulate` (what `--gas auto` and the CLI's refusal before signing rely on): a
//! transaction with no valid signature runs on the latest committed state exactly as the next
//! block runs it — same code, same gas — and nothing it does is kept.

mod common;

use common::*;
use conclave_core::{BlockTime, Coin, TxCode};
use conclave_runtime::simulate::{SimulateRequest, Simulation};
use conclave_runtime::{QueryCode, QueryRequest, QueryResponse};
use conclave_testkit::{TestAccount, TestChain, TxOptions};

use appchain::AppChain;

fn ask(chain: &TestChain<AppChain>, data: Vec<u8>) -> QueryResponse {
    chain.query(QueryRequest { path: "tx/simulate".into(), data, height: 0, prove: false })
}

fn simulate(chain: &TestChain<AppChain>, tx: &[u8], check_min_fee: bool) -> Simulation {
    let request = SimulateRequest { tx: hex::encode(tx), time: chain.time(), check_min_fee };
    let response = ask(chain, serde_json::to_vec(&request).unwrap());
    assert_eq!(response.code, 0, "tx/simulate failed: {}", response.log);
    serde_json::from_slice(&response.value).unwrap()
}

/// `tx` with its signature zeroed, as a wallet simulates before signing.
fn unsigned(mut tx: Vec<u8>) -> Vec<u8> {
    let len = tx.len();
    tx[len - 64..].fill(0);
    tx
}

fn transfer(from: &TestAccount, to: &TestAccount, amount: u128, nonce: u64, options: &TxOptions) -> Vec<u8> {
    from.sign("test-chain", nonce, vec![send(to, amount)], options)
}

#[test]
fn a_transfer_simulates_with_the_code_and_gas_its_block_gives_it() {
    let (alice, bob) = (&accounts()[0], &accounts()[1]);
    let mut chain = chain();
    chain.produce_empty_blocks(1);
    let tx = transfer(alice, bob, 5, 0, &TxOptions::default());
    let hash_before = chain.app_hash();

    let simulated = simulate(&chain, &unsigned(tx.clone()), true);
    assert_eq!((simulated.code, simulated.height), (0, chain.height() + 1), "{}", simulated.log);
    assert!(simulated.gas_used > 0 && simulated.gas_used < simulated.gas_wanted, "{simulated:?}");
    assert!(simulated.events.iter().any(|e| e.kind == "bank.transfer"), "{:?}", simulated.events);
    // Nothing kept: same root, same nonce, the signed transaction is still the next one.
    assert_eq!(chain.app_hash(), hash_before);
    let delivered = chain.deliver(tx);
    assert_eq!(delivered.code, 0, "{}", delivered.log);
    assert_eq!(delivered.gas_used, simulated.gas_used, "the estimate is the block's gas, exactly");
}

#[test]
fn a_transfer_that_cannot_succeed_is_reported_as_its_block_would() {
    let (alice, bob) = (&accounts()[0], &accounts()[1]);
    let mut chain = chain();
    chain.produce_empty_blocks(1);
    // More than alice holds: the fee is paid, the message fails with the bank's code.
    let tx = transfer(alice, bob, FUNDS * 2, 0, &TxOptions::default());
    let simulated = simulate(&chain, &unsigned(tx.clone()), true);
    assert_eq!(simulated.codespace, "bank", "{simulated:?}");
    let delivered = chain.deliver(tx);
    assert_eq!((simulated.code, simulated.gas_used), (delivered.code, delivered.gas_used), "{}", delivered.log);
    assert_ne!(delivered.code, 0);

    // A wrong nonce is the ante's code, as in the block.
    let stale = transfer(alice, bob, 1, 0, &TxOptions::default());
    let simulated = simulate(&chain, &unsigned(stale), true);
    assert_eq!((simulated.codespace.as_str(), simulated.code), ("tx", TxCode::NonceTooLow.code()));
}

#[test]
fn the_minimum_fee_is_waived_only_while_estimating() {
    let (alice, bob) = (&accounts()[0], &accounts()[1]);
    let mut chain = chain();
    chain.produce_empty_blocks(1);
    let free = TxOptions { fee: Coin::new("stake", 0), gas_limit: 1_000_000, ..TxOptions::default() };
    let tx = unsigned(transfer(alice, bob, 5, 0, &free));
    let estimate = simulate(&chain, &tx, false);
    assert_eq!(estimate.code, 0, "{}", estimate.log);
    let checked = simulate(&chain, &tx, true);
    assert_eq!((checked.codespace.as_str(), checked.code), ("tx", TxCode::FeeTooLow.code()));
    // The signature is never checked here, and always in a block.
    assert_eq!(
        chain.deliver(unsigned(transfer(alice, bob, 5, 0, &TxOptions::default()))).code,
        TxCode::BadSignature.code()
    );
}

#[test]
fn a_bad_request_gets_the_query_code_and_says_what_is_expected() {
    let mut chain = chain();
    chain.produce_empty_blocks(1);
    let response = ask(&chain, b"{\"tx\": 5}".to_vec());
    assert_eq!((response.codespace.as_str(), response.code), ("query", QueryCode::BadRequest as u32));
    assert!(response.log.contains("hex of the encoded transaction"), "{}", response.log);
    let request = SimulateRequest { tx: "zz".into(), time: BlockTime(0), check_min_fee: true };
    let response = ask(&chain, serde_json::to_vec(&request).unwrap());
    assert_eq!(response.code, QueryCode::BadRequest as u32);
    assert!(response.log.contains("not hex"), "{}", response.log);
}
