//! The byte layout in docs/transactions.md, checked field by field, and the sign bytes
//! recomputed from the documented recipe (so a client in another language can trust the page).

mod common;

use common::*;
use conclave_core::tx::verify_signature;
use conclave_testkit::TxOptions;

fn hex(bytes: &[u8]) -> String {
    conclave_core::state::hex(bytes)
}

#[test]
fn send_transaction_has_the_documented_bytes() {
    let accounts = accounts();
    let (alice, bob) = (&accounts[0], &accounts[1]);
    let tx = alice.sign("test-chain", 0, vec![send(bob, 5)], &TxOptions::default());

    let mut expected = String::new();
    expected += "0a000000746573742d636861696e"; // chain_id
    expected += &hex(&alice.public_key); // signer
    expected += "0000000000000000"; // nonce
    expected += "050000007374616b65"; // fee.denom
    expected += "c8000000000000000000000000000000"; // fee.amount 200
    expected += "400d030000000000"; // gas_limit 200000
    expected += "00"; // timeout_height None
    expected += "00000000"; // memo
    expected += "01000000"; // one message
    expected += "00"; // app tag: Bank
    expected += "00"; // bank tag: Send
    expected += &hex(bob.address.as_bytes()); // to
    expected += "050000007374616b65"; // amount.denom
    expected += "05000000000000000000000000000000"; // amount 5

    let (body, signature) = tx.split_at(tx.len() - 64);
    assert_eq!(hex(body), expected);

    // Sign bytes: b"conclave/tx/v1" ‖ blake3(body), verified with plain ed25519-consensus.
    let mut sign_bytes = b"conclave/tx/v1".to_vec();
    sign_bytes.extend_from_slice(blake3::hash(body).as_bytes());
    let key = ed25519_consensus::VerificationKey::try_from(alice.public_key).unwrap();
    let signature: [u8; 64] = signature.try_into().unwrap();
    key.verify(&ed25519_consensus::Signature::from(signature), &sign_bytes).unwrap();
    assert!(verify_signature(&tx, &alice.public_key, &signature));

    // Address derivation as documented.
    let mut hasher = blake3::Hasher::new();
    hasher.update(b"conclave/account/ed25519");
    hasher.update(&alice.public_key);
    assert_eq!(&hasher.finalize().as_bytes()[..20], alice.address.as_bytes());
}
