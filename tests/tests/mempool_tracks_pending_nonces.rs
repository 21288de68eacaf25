//! CheckTx runs the ante checks against the last committed state plus the transactions already
//! accepted: consecutive nonces queue up, a duplicate is refused before it is committed, and
//! the view resets at Commit.

mod common;

use common::*;
use conclave_core::TxCode;
use conclave_testkit::TxOptions;

#[test]
fn consecutive_nonces_queue_and_duplicates_are_refused() {
    let mut chain = chain();
    chain.produce_empty_blocks(1);
    let accounts = accounts();
    let (alice, bob) = (&accounts[0], &accounts[1]);
    let txs: Vec<Vec<u8>> =
        (0..3).map(|n| alice.sign("test-chain", n, vec![send(bob, 1)], &TxOptions::default())).collect();
    for tx in &txs {
        let result = chain.check_tx(tx);
        assert!(result.is_ok(), "{}", result.log);
    }
    let duplicate = chain.check_tx(&txs[1]);
    assert_eq!(duplicate.code, TxCode::NonceTooLow.code());
    let gap = chain.check_tx(&alice.sign("test-chain", 5, vec![send(bob, 1)], &TxOptions::default()));
    assert_eq!(gap.code, TxCode::NonceTooHigh.code());

    // CheckTx changed no committed state.
    assert_eq!(chain.nonce(alice), 0);
    // After a commit including only the first, the view restarts from committed state.
    chain.produce_block(vec![txs[0].clone()]);
    assert_eq!(chain.nonce(alice), 1);
    assert_eq!(chain.check_tx(&txs[0]).code, TxCode::NonceTooLow.code());
    assert!(chain.check_tx(&txs[1]).is_ok());
}

#[test]
fn fees_of_pending_transactions_count_against_the_balance() {
    let mut chain = chain();
    chain.produce_empty_blocks(1);
    let accounts = accounts();
    let (alice, bob) = (&accounts[0], &accounts[1]);
    // A fee of half the balance: the second pending transaction cannot pay.
    let options = TxOptions { fee: conclave_core::Coin::new("stake", FUNDS / 2 + 1), ..TxOptions::default() };
    assert!(chain.check_tx(&alice.sign("test-chain", 0, vec![send(bob, 1)], &options)).is_ok());
    let second = chain.check_tx(&alice.sign("test-chain", 1, vec![send(bob, 1)], &options));
    assert_eq!(second.code, TxCode::InsufficientFee.code());
}
