//! `Send` and `MultiSend`: effects, events, every rejection, and the wire format.

use conclave_core::Module;

use super::*;
use crate::msg::{Msg, Output, MAX_OUTPUTS};
use crate::FEE_COLLECTOR;

fn send(to: Address, amount: Coin) -> Msg {
    Msg::Send { to, amount }
}

fn multi(outputs: &[(Address, Coin)]) -> Msg {
    Msg::MultiSend { outputs: outputs.iter().map(|(to, amount)| Output { to: *to, amount: amount.clone() }).collect() }
}

#[test]
fn send_moves_funds_and_emits_a_transfer_event() {
    let mut state = funded();
    deliver(&mut state, alice(), &send(bob(), stake(300))).unwrap();
    assert_eq!(bal(&state, alice(), "stake"), 700);
    assert_eq!(bal(&state, bob(), "stake"), 310);
    assert_eq!(supply_of(&state, "stake"), 1010);
    assert_eq!(state.events.len(), 1);
    let event = &state.events[0];
    assert_eq!(event.kind, "bank.transfer");
    assert_eq!(event.attribute("sender"), Some(alice().to_string().as_str()));
    assert_eq!(event.attribute("recipient"), Some(bob().to_string().as_str()));
    assert_eq!(event.attribute("denom"), Some("stake"));
    assert_eq!(event.attribute("amount"), Some("300"));
    assert_invariants(&state);
}

#[test]
fn send_of_the_whole_balance_deletes_the_entry() {
    let mut state = funded();
    deliver(&mut state, alice(), &send(carol(), atom(50))).unwrap();
    assert_eq!(crate::balances(&state, &alice()).unwrap(), vec![stake(1000)]);
    let key = crate::state::BALANCES.storage_key(&(alice(), "atom".to_string()));
    assert!(!state.entries.contains_key(&key), "a zero balance is deleted, not stored");
    assert_eq!(bal(&state, carol(), "atom"), 50);
    assert_invariants(&state);
}

#[test]
fn send_with_an_invalid_denom_is_rejected() {
    let mut state = funded();
    let before = state.clone();
    let result = deliver(&mut state, alice(), &send(bob(), Coin::new("Stake", 1)));
    assert_rejected(result, 1, &state, &before);
}

#[test]
fn send_of_zero_is_rejected() {
    let mut state = funded();
    let before = state.clone();
    assert_rejected(deliver(&mut state, alice(), &send(bob(), stake(0))), 2, &state, &before);
}

#[test]
fn send_to_oneself_is_rejected() {
    let mut state = funded();
    let before = state.clone();
    assert_rejected(deliver(&mut state, alice(), &send(alice(), stake(1))), 5, &state, &before);
}

#[test]
fn send_to_a_module_account_is_rejected() {
    let mut state = funded();
    let before = state.clone();
    for module in [FEE_COLLECTOR, MINTER, TREASURY] {
        let result = deliver(&mut state, alice(), &send(Address::module(module), stake(1)));
        assert!(matches!(&result, Err(BankError::BlockedRecipient { module: m, .. }) if m == module));
        assert_rejected(result, 6, &state, &before);
    }
}

#[test]
fn send_beyond_the_balance_is_rejected() {
    let mut state = funded();
    let before = state.clone();
    let result = deliver(&mut state, bob(), &send(alice(), stake(11)));
    assert_eq!(
        result,
        Err(BankError::InsufficientFunds { address: bob(), denom: "stake".into(), available: 10, needed: 11 })
    );
    assert_rejected(result, 7, &state, &before);
    // A denomination the sender never held.
    assert_rejected(deliver(&mut state, bob(), &send(alice(), atom(1))), 7, &state, &before);
}

#[test]
fn multi_send_pays_every_output_with_one_event_each() {
    let mut state = funded();
    let msg = multi(&[(bob(), stake(100)), (carol(), stake(200)), (carol(), atom(5)), (bob(), stake(1))]);
    deliver(&mut state, alice(), &msg).unwrap();
    assert_eq!(bal(&state, alice(), "stake"), 699);
    assert_eq!(bal(&state, alice(), "atom"), 45);
    assert_eq!(bal(&state, bob(), "stake"), 111);
    assert_eq!(bal(&state, carol(), "stake"), 200);
    assert_eq!(bal(&state, carol(), "atom"), 5);
    assert_eq!(state.events.len(), 4);
    assert!(state.events.iter().all(|e| e.kind == "bank.transfer"));
    assert_invariants(&state);
}

#[test]
fn multi_send_draws_on_one_running_balance() {
    let mut state = funded();
    let before = state.clone();
    // Each output alone fits; together they exceed the 1000stake balance.
    let msg = multi(&[(bob(), stake(600)), (carol(), stake(600))]);
    let result = deliver(&mut state, alice(), &msg);
    assert_eq!(
        result,
        Err(BankError::InsufficientFunds { address: alice(), denom: "stake".into(), available: 400, needed: 600 })
    );
    assert_rejected(result, 7, &state, &before);
    // Exactly the balance works and empties the entry.
    deliver(&mut state, alice(), &multi(&[(bob(), stake(400)), (carol(), stake(600))])).unwrap();
    assert_eq!(bal(&state, alice(), "stake"), 0);
    assert_invariants(&state);
}

#[test]
fn multi_send_failing_on_a_late_output_writes_nothing() {
    let mut state = funded();
    let before = state.clone();
    let late_self = multi(&[(bob(), stake(1)), (carol(), stake(1)), (alice(), stake(1))]);
    assert_rejected(deliver(&mut state, alice(), &late_self), 5, &state, &before);
    let late_module = multi(&[(bob(), stake(1)), (Address::module(BURNER), stake(1))]);
    assert_rejected(deliver(&mut state, alice(), &late_module), 6, &state, &before);
    let late_funds = multi(&[(bob(), stake(1)), (carol(), atom(51))]);
    assert_rejected(deliver(&mut state, alice(), &late_funds), 7, &state, &before);
}

#[test]
fn multi_send_output_count_is_bounded() {
    let mut state = funded();
    let before = state.clone();
    assert_rejected(deliver(&mut state, alice(), &multi(&[])), 3, &state, &before);
    let too_many: Vec<(Address, Coin)> = (0..=MAX_OUTPUTS).map(|_| (bob(), stake(1))).collect();
    assert_rejected(deliver(&mut state, alice(), &multi(&too_many)), 4, &state, &before);
    let most: Vec<(Address, Coin)> = (0..MAX_OUTPUTS).map(|_| (bob(), stake(1))).collect();
    deliver(&mut state, alice(), &multi(&most)).unwrap();
    assert_eq!(bal(&state, bob(), "stake"), 10 + MAX_OUTPUTS as u128);
}

#[test]
fn multi_send_outputs_are_validated_statelessly() {
    let bank = bank();
    let zero = multi(&[(bob(), stake(1)), (carol(), atom(0))]);
    assert_eq!(bank.validate(&zero).unwrap_err().code(), 2);
    let bad_denom = multi(&[(bob(), Coin::new("x", 1))]);
    assert_eq!(bank.validate(&bad_denom).unwrap_err().code(), 1);
}

#[test]
fn deliver_repeats_the_stateless_checks() {
    // Called without `validate`, a zero send is still refused rather than silently ignored.
    let mut state = funded();
    let before = state.clone();
    let block = BlockInfo::new("test", 1, BlockTime(0));
    let ctx = TxContext { block: &block, signer: alice(), signer_key: [0; 32], tx_index: 0, msg_index: 0 };
    let result = bank().deliver(&ctx, &mut state, &send(bob(), stake(0)));
    assert_rejected(result, 2, &state, &before);
}

#[test]
fn wire_tags_are_the_variant_positions() {
    let send_bytes = borsh::to_vec(&send(bob(), stake(5))).unwrap();
    assert_eq!(send_bytes[0], 0);
    assert_eq!(&send_bytes[1..21], bob().as_bytes());
    let multi_bytes = borsh::to_vec(&multi(&[(bob(), stake(5))])).unwrap();
    assert_eq!(multi_bytes[0], 1);
    assert_eq!(&multi_bytes[1..5], &1u32.to_le_bytes(), "output count, u32 little-endian");
    // Round trip; trailing bytes and unknown tags are refused by borsh.
    assert_eq!(borsh::from_slice::<Msg>(&send_bytes).unwrap(), send(bob(), stake(5)));
    let mut trailing = send_bytes.clone();
    trailing.push(0);
    assert!(borsh::from_slice::<Msg>(&trailing).is_err());
    let mut unknown = send_bytes;
    unknown[0] = 2;
    assert!(borsh::from_slice::<Msg>(&unknown).is_err());
}
