//! Export the state as a genesis document, start a new chain from it: the new chain's genesis
//! app hash equals the exporting chain's app hash. Invalid genesis documents are refused with
//! a message saying what to fix.

mod common;

use appchain::AppChain;
use common::*;
use conclave_runtime::RuntimeError;
use conclave_testkit::{TestChain, TxOptions};

#[test]
fn export_then_import_reproduces_the_root() {
    let mut chain = chain();
    let accounts = accounts();
    for round in 0..5u64 {
        let txs = accounts
            .iter()
            .enumerate()
            .map(|(i, a)| {
                a.sign("test-chain", round, vec![send(&accounts[(i + 1) % 4], 10 + i as u128)], &TxOptions::default())
            })
            .collect();
        chain.produce_block(txs);
    }
    let exported = chain.export_genesis();
    let app_state = serde_json::to_vec(&exported).unwrap();
    let imported = TestChain::builder(AppChain::default(), Default::default()).build_with_app_state(app_state).unwrap();
    assert_eq!(imported.genesis_app_hash(), chain.app_hash());
    // Nonces survive the export: the next transaction of each account must use nonce 5.
    let mut imported = imported;
    let tx = accounts[0].sign("test-chain", 5, vec![send(&accounts[1], 1)], &TxOptions::default());
    assert!(imported.deliver(tx).is_ok());
}

fn refused(app_state: &str) -> String {
    let result =
        TestChain::builder(AppChain::default(), Default::default()).build_with_app_state(app_state.as_bytes().to_vec());
    match result {
        Err(RuntimeError::Genesis(message)) => message,
        Err(other) => panic!("expected a genesis error, got {other:?}"),
        Ok(_) => panic!("genesis {app_state} was accepted"),
    }
}

#[test]
fn invalid_genesis_documents_are_refused_with_a_reason() {
    assert!(refused("{").contains("app_state"));
    assert!(refused(r#"{"unknown": 1}"#).contains("unknown field"));
    // A partial params object is refused (every field is required, so nothing is silently defaulted).
    assert!(refused(r#"{"runtime": {"params": {"fee_denom": "stake"}}}"#).contains("missing field"));
    let bad_denom = r#"{"runtime": {"params": {"max_tx_bytes": 65536, "max_messages": 32, "max_memo_bytes": 256,
        "max_tx_gas": 10000000, "max_block_gas": 100000000, "fee_denom": "X",
        "min_gas_price": {"numerator": "1", "denominator": "1000"},
        "gas": {"tx_base": 1, "tx_byte": 1, "signature": 1, "read": 1, "read_byte": 1, "write": 1, "write_byte": 1, "event": 1}}}}"#;
    assert!(refused(bad_denom).contains("fee_denom"));
    let zero_balance = r#"{"app": {"bank": {"balances": [{"address": "0000000000000000000000000000000000000001", "coins": [{"denom": "stake", "amount": "0"}]}]}}}"#;
    let message = refused(zero_balance);
    assert!(message.contains("0000000000000000000000000000000000000001"), "{message}");
}
