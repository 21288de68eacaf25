//! The invariant checker itself: it must catch each kind of violation.

use conclave_core::StateWrite;

use super::*;
use crate::state::{Issuance, BALANCES, ISSUANCE, SUPPLY};

#[test]
fn invariants_catch_each_violation() {
    let check = crate::invariants::check;
    let mut zero_balance = funded();
    BALANCES.put(&mut zero_balance, &(carol(), "stake".into()), &0).unwrap();
    assert!(check(&zero_balance).unwrap_err().contains("zero balance"));

    let mut zero_supply = funded();
    SUPPLY.put(&mut zero_supply, &"none".into(), &0).unwrap();
    assert!(check(&zero_supply).unwrap_err().contains("zero supply"));

    let mut short_supply = funded();
    SUPPLY.put(&mut short_supply, &"stake".into(), &1009).unwrap();
    assert!(check(&short_supply).unwrap_err().contains("supply of stake is 1009 but balances sum to 1010"));

    let mut orphan_supply = funded();
    SUPPLY.put(&mut orphan_supply, &"orphan".into(), &5).unwrap();
    assert!(check(&orphan_supply).unwrap_err().contains("no account holds any"));

    let mut unbacked = funded();
    BALANCES.put(&mut unbacked, &(carol(), "ghost".into()), &5).unwrap();
    assert!(check(&unbacked).unwrap_err().contains("supply of ghost is 0"));

    let mut bad_denom = funded();
    BALANCES.put(&mut bad_denom, &(carol(), "X".into()), &5).unwrap();
    assert!(check(&bad_denom).unwrap_err().contains("invalid denomination"));

    // Coins created without a mint: balances and supply agree, the issuance record does not.
    let mut printed = funded();
    BALANCES.put(&mut printed, &(carol(), "stake".into()), &5).unwrap();
    SUPPLY.put(&mut printed, &"stake".into(), &1015).unwrap();
    assert!(check(&printed).unwrap_err().contains("genesis 1010 + minted 0 - burned 0"));

    let mut unrecorded = funded();
    ISSUANCE.delete(&mut unrecorded, &"atom".into()).unwrap();
    assert!(check(&unrecorded).unwrap_err().contains("no issuance record"));

    let mut stale = funded();
    ISSUANCE.put(&mut stale, &"gone".into(), &Issuance { genesis: 3, minted: 0, burned: 0 }).unwrap();
    assert!(check(&stale).unwrap_err().contains("supply of gone is 0"));

    let mut corrupt = funded();
    corrupt.put_raw(&BALANCES.storage_key(&(carol(), "stake".into())), vec![1]).unwrap();
    assert!(check(&corrupt).unwrap_err().contains("corrupt state"));
}

#[test]
fn a_corrupt_balance_is_a_fatal_state_error() {
    let mut state = funded();
    state.put_raw(&BALANCES.storage_key(&(bob(), "stake".into())), vec![1, 2, 3]).unwrap();
    let before = state.clone();
    let result = crate::transfer(&mut state, &bob(), &alice(), &stake(1));
    let err = result.clone().unwrap_err();
    assert!(err.state_error().is_some_and(|e| e.is_fatal()), "{err}");
    assert_rejected(result, 15, &state, &before);
    assert!(crate::balance(&state, &bob(), "stake").is_err());
}
