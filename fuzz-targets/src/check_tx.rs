//! CheckTx on a real runtime (the app template's chain): for any bytes, CheckTx answers with
//! a code; a fatal runtime error (which would stop the node) is a bug.
//!
//! Input: the first byte chooses the shape. Even: the rest is the transaction, as a peer
//! would send it. Odd: the rest is one message's bytes inside a transaction that alice
//! signs correctly at her next nonce, so the fuzzer gets past decoding and the signature to
//! the message decoding and the ante checks.

use std::cell::RefCell;

use appchain::AppChain;
use conclave_runtime::CheckTxKind;
use conclave_testkit::TestChain;

use crate::fixture::{accounts, chain, signed};

thread_local! {
    /// One chain per thread: CheckTx only reads committed state and the mempool view, so
    /// inputs share it (accepted transactions advance the view's nonces, as in a node).
    static CHAIN: RefCell<TestChain<AppChain>> = RefCell::new(chain());
}

/// Fuzz body.
pub fn run(data: &[u8]) {
    let Some((&shape, rest)) = data.split_first() else { return };
    CHAIN.with(|chain| {
        let chain = chain.borrow();
        let tx = if shape % 2 == 0 {
            rest.to_vec()
        } else {
            let [alice, _] = accounts();
            let nonce = chain.runtime().nonce(&alice.address).expect("nonce reads");
            signed(&alice, nonce, rest.to_vec())
        };
        if let Err(error) = chain.runtime().check_tx(&tx, CheckTxKind::New) {
            panic!("CheckTx stopped the node on a user's input: {error}");
        }
    });
}
