//! Every ante rejection has a stable code, and changes nothing but what the rules say:
//! a transaction refused by the ante checks changes no state at all (the app hash of the block
//! is the previous one); a transaction that passed them pays its fee and bumps its nonce, and
//! nothing else.

mod common;

use borsh::BorshSerialize;
use common::*;
use conclave_core::{Coin, TxCode};
use conclave_runtime::RuntimeParams;
use conclave_testkit::{TestAccount, TxOptions};

fn tx_code(code: TxCode) -> (String, u32) {
    ("tx".to_string(), code.code())
}

/// Delivers `tx` in its own block and asserts that no state changed: the root equals that of
/// the same chain after an empty block instead. (Every block changes the root a little:
/// staking's end-block records the last block for pre-flight queries.)
fn assert_rejected_without_effect(tx: Vec<u8>, expected: (String, u32)) {
    let mut reference = chain();
    reference.produce_empty_blocks(2);
    let mut chain = chain();
    chain.produce_empty_blocks(1);
    let before = reference.app_hash();
    let check = chain.check_tx(&tx);
    assert_eq!((check.codespace.clone(), check.code), expected, "CheckTx: {}", check.log);
    let result = chain.deliver(tx);
    assert_eq!((result.codespace.clone(), result.code), expected, "FinalizeBlock: {}", result.log);
    assert!(result.events.is_empty(), "a rejected transaction emits no events");
    assert_eq!(chain.app_hash(), before, "a transaction refused by the ante checks changes no state");
}

fn alice_bob() -> (TestAccount, TestAccount) {
    let accounts = accounts();
    (accounts[0].clone(), accounts[1].clone())
}

fn signed(from: &TestAccount, nonce: u64, options: &TxOptions) -> Vec<u8> {
    let (_, bob) = alice_bob();
    from.sign("test-chain", nonce, vec![send(&bob, 5)], options)
}

#[test]
fn oversized_transaction_is_refused_before_decoding() {
    let max = RuntimeParams::default().max_tx_bytes as usize;
    assert_rejected_without_effect(vec![0xAB; max + 1], tx_code(TxCode::TooLarge));
}

#[test]
fn garbage_and_trailing_bytes_are_malformed() {
    let (alice, _) = alice_bob();
    assert_rejected_without_effect(vec![1, 2, 3], tx_code(TxCode::Malformed));
    let mut tx = signed(&alice, 0, &TxOptions::default());
    tx.push(0);
    assert_rejected_without_effect(tx, tx_code(TxCode::Malformed));
}

/// A message type the chain does not know: a tag followed by arbitrary bytes (not zero-sized:
/// borsh refuses collections of zero-sized types).
struct UnknownMsg(u8);
impl BorshSerialize for UnknownMsg {
    fn serialize<W: borsh::io::Write>(&self, writer: &mut W) -> borsh::io::Result<()> {
        writer.write_all(&[self.0, 1, 2, 3])
    }
}

#[test]
fn unknown_message_type_is_reported_as_such() {
    let (alice, _) = alice_bob();
    let tx = alice.sign("test-chain", 0, vec![UnknownMsg(99)], &TxOptions::default());
    assert_rejected_without_effect(tx, tx_code(TxCode::UnknownMessage));
}

#[test]
fn wrong_chain_id_is_refused() {
    let (alice, _) = alice_bob();
    let options = TxOptions { chain_id: Some("other-chain".into()), ..TxOptions::default() };
    assert_rejected_without_effect(signed(&alice, 0, &options), tx_code(TxCode::WrongChainId));
}

#[test]
fn bad_signature_is_refused() {
    let (alice, _) = alice_bob();
    let mut tx = signed(&alice, 0, &TxOptions::default());
    let last = tx.len() - 1;
    tx[last] ^= 0x01;
    assert_rejected_without_effect(tx, tx_code(TxCode::BadSignature));

    // A body signed by someone else than the key it names.
    let (_, bob) = alice_bob();
    let body = alice.body("test-chain", 0, vec![send(&bob, 5)], &TxOptions::default());
    let forged = body.sign(&bob.key).unwrap().encode().unwrap();
    assert_rejected_without_effect(forged, tx_code(TxCode::BadSignature));
}

#[test]
fn future_nonce_is_refused() {
    let (alice, _) = alice_bob();
    assert_rejected_without_effect(signed(&alice, 1, &TxOptions::default()), tx_code(TxCode::NonceTooHigh));
}

#[test]
fn replayed_transaction_is_refused() {
    let (alice, bob) = alice_bob();
    let mut reference = chain();
    let mut chain = chain();
    let tx = signed(&alice, 0, &TxOptions::default());
    assert!(chain.deliver(tx.clone()).is_ok());
    assert!(reference.deliver(tx.clone()).is_ok());
    // The root after the replay's block equals the root after an empty block instead.
    reference.produce_empty_blocks(1);
    let before = reference.app_hash();
    let check = chain.check_tx(&tx);
    assert_eq!((check.codespace.as_str(), check.code), ("tx", TxCode::NonceTooLow.code()));
    let replay = chain.deliver(tx);
    assert_eq!((replay.codespace.as_str(), replay.code), ("tx", TxCode::NonceTooLow.code()));
    assert_eq!(chain.app_hash(), before);
    assert_eq!(balance(&chain, &bob.address, "stake"), FUNDS + 5);
}

#[test]
fn expired_timeout_height_is_refused() {
    let (alice, _) = alice_bob();
    // assert_rejected_without_effect delivers at height 2.
    let options = TxOptions { timeout_height: Some(1), ..TxOptions::default() };
    assert_rejected_without_effect(signed(&alice, 0, &options), tx_code(TxCode::Expired));
}

#[test]
fn timeout_height_equal_to_block_height_is_accepted() {
    let (alice, _) = alice_bob();
    let mut chain = chain();
    let options = TxOptions { timeout_height: Some(1), ..TxOptions::default() };
    assert!(chain.deliver(signed(&alice, 0, &options)).is_ok());
}

#[test]
fn fee_below_minimum_or_in_wrong_denom_is_refused() {
    let (alice, _) = alice_bob();
    // Default minimum price is 1/1000 per gas: 200k gas needs 200.
    let low = TxOptions { fee: Coin::new("stake", 199), ..TxOptions::default() };
    assert_rejected_without_effect(signed(&alice, 0, &low), tx_code(TxCode::FeeTooLow));
    let denom = TxOptions { fee: Coin::new("atom", 1_000), ..TxOptions::default() };
    assert_rejected_without_effect(signed(&alice, 0, &denom), tx_code(TxCode::WrongFeeDenom));
}

#[test]
fn unfunded_signer_cannot_pay_the_fee() {
    let stranger = TestAccount::named("stranger");
    assert_rejected_without_effect(signed(&stranger, 0, &TxOptions::default()), tx_code(TxCode::InsufficientFee));
}

#[test]
fn gas_limit_shape_and_size_limits() {
    let (alice, bob) = alice_bob();
    let params = RuntimeParams::default();
    let too_much = TxOptions {
        gas_limit: params.max_tx_gas + 1,
        fee: Coin::new("stake", u128::from(params.max_tx_gas)),
        ..TxOptions::default()
    };
    assert_rejected_without_effect(signed(&alice, 0, &too_much), tx_code(TxCode::GasLimitTooHigh));
    let below_base = TxOptions { gas_limit: 1_000, ..TxOptions::default() };
    assert_rejected_without_effect(signed(&alice, 0, &below_base), tx_code(TxCode::OutOfGas));
    let no_messages = alice.sign::<appchain::Msg>("test-chain", 0, vec![], &TxOptions::default());
    assert_rejected_without_effect(no_messages, tx_code(TxCode::NoMessages));
    let long_memo = TxOptions { memo: "m".repeat(params.max_memo_bytes as usize + 1), ..TxOptions::default() };
    assert_rejected_without_effect(signed(&alice, 0, &long_memo), tx_code(TxCode::TooBig));
    let too_many = vec![send(&bob, 1); params.max_messages as usize + 1];
    assert_rejected_without_effect(
        alice.sign("test-chain", 0, too_many, &TxOptions::default()),
        tx_code(TxCode::TooBig),
    );
}

#[test]
fn zero_amount_is_refused_by_stateless_validation() {
    let (alice, bob) = alice_bob();
    let tx = alice.sign("test-chain", 0, vec![send(&bob, 0)], &TxOptions::default());
    let code = conclave_bank::BankError::ZeroAmount { denom: "stake".into() };
    assert_rejected_without_effect(tx, ("bank".into(), conclave_core::ModuleError::code(&code)));
}

/// Delivers a transaction that passes the ante checks but whose messages fail, and asserts
/// that only the fee and the nonce changed.
fn assert_failed_after_ante(tx: Vec<u8>, from: &TestAccount, fee: u128, expected: (&str, u32)) {
    let mut chain = chain();
    chain.produce_empty_blocks(1);
    let all = accounts();
    let before: Vec<u128> = all.iter().map(|a| balance(&chain, &a.address, "stake")).collect();
    let collector_before = balance(&chain, &fee_collector(), "stake");
    let nonce_before = chain.nonce(from);

    let result = chain.deliver(tx);
    assert_eq!((result.codespace.as_str(), result.code), expected, "{}", result.log);
    assert!(result.gas_used <= result.gas_wanted);

    for (account, was) in all.iter().zip(before) {
        let expected = if account.address == from.address { was - fee } else { was };
        assert_eq!(balance(&chain, &account.address, "stake"), expected, "balance of {}", account.name);
    }
    assert_eq!(balance(&chain, &fee_collector(), "stake"), collector_before + fee);
    assert_eq!(chain.nonce(from), nonce_before + 1);
    // Only the fee event survives.
    assert!(result.events.iter().all(|e| e.kind == "bank.fee"), "{:?}", result.events);
}

#[test]
fn transfer_to_self_pays_the_fee_and_changes_nothing_else() {
    let (alice, _) = alice_bob();
    let tx = alice.sign("test-chain", 0, vec![send(&alice, 5)], &TxOptions::default());
    let code = conclave_bank::BankError::SelfTransfer { address: alice.address };
    assert_failed_after_ante(tx, &alice, 200, ("bank", conclave_core::ModuleError::code(&code)));
}

#[test]
fn transfer_above_balance_pays_the_fee_and_changes_nothing_else() {
    let (alice, bob) = alice_bob();
    let tx = alice.sign("test-chain", 0, vec![send(&bob, FUNDS)], &TxOptions::default());
    let code = conclave_bank::BankError::InsufficientFunds {
        address: alice.address,
        denom: "stake".into(),
        available: 0,
        needed: 0,
    };
    assert_failed_after_ante(tx, &alice, 200, ("bank", conclave_core::ModuleError::code(&code)));
}

#[test]
fn gas_exhausted_in_messages_keeps_fee_and_nonce_only() {
    let (alice, bob) = alice_bob();
    // Enough for the base cost (10k + bytes + signature) but not for the transfer's reads and writes.
    let options = TxOptions { gas_limit: 16_000, fee: Coin::new("stake", 16), ..TxOptions::default() };
    let tx = alice.sign("test-chain", 0, vec![send(&bob, 5)], &options);
    assert_failed_after_ante(tx, &alice, 16, ("tx", TxCode::OutOfGas.code()));
}

#[test]
fn a_failing_message_discards_the_earlier_messages_of_its_transaction() {
    let (alice, bob) = alice_bob();
    let tx = alice.sign("test-chain", 0, vec![send(&bob, 5), send(&alice, 5)], &TxOptions::default());
    let code = conclave_bank::BankError::SelfTransfer { address: alice.address };
    assert_failed_after_ante(tx, &alice, 200, ("bank", conclave_core::ModuleError::code(&code)));
}
