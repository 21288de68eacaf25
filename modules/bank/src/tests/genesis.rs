//! Genesis: the JSON format, the round trip, and every rejection.

use conclave_core::Module;

use super::*;

fn parse(json: &str) -> Result<Genesis, serde_json::Error> {
    serde_json::from_str(json)
}

fn init(genesis: &Genesis) -> Result<MemoryState, BankError> {
    let mut state = MemoryState::new();
    bank().init_genesis(&mut state, genesis)?;
    Ok(state)
}

fn entry(address: Address, coins: Vec<Coin>) -> GenesisBalance {
    GenesisBalance { address, coins }
}

#[test]
fn the_documented_example_parses_and_initialises() {
    let json = format!(
        r#"{{
          "balances": [
            {{ "address": "{alice}", "coins": [ {{ "denom": "stake", "amount": "1000000" }}, {{ "denom": "atom", "amount": "5" }} ] }},
            {{ "address": "{bob}", "coins": [ {{ "denom": "stake", "amount": "250000" }} ] }}
          ],
          "supply": [ {{ "denom": "atom", "amount": "5" }}, {{ "denom": "stake", "amount": "1250000" }} ]
        }}"#,
        alice = alice(),
        bob = bob()
    );
    let state = init(&parse(&json).unwrap()).unwrap();
    assert_eq!(bal(&state, alice(), "stake"), 1_000_000);
    assert_eq!(supply_of(&state, "stake"), 1_250_000);
    assert_eq!(supply_of(&state, "atom"), 5);
    assert!(state.events.is_empty());
    assert_invariants(&state);
    // Both fields are optional.
    assert_eq!(parse("{}").unwrap(), Genesis::default());
    assert!(init(&Genesis::default()).unwrap().entries.is_empty());
}

#[test]
fn export_then_init_rebuilds_the_state_byte_for_byte() {
    let bank = bank();
    // Unsorted input, module accounts included, then some activity.
    let genesis = Genesis {
        balances: vec![
            entry(carol(), vec![atom(3), stake(9)]),
            entry(alice(), vec![stake(1000), atom(50)]),
            entry(Address::module(BURNER), vec![stake(7)]),
        ],
        supply: None,
        issuance: Vec::new(),
    };
    let mut state = init(&genesis).unwrap();
    bank.mint(&mut state, MINTER, &Coin::new("zeta", 12)).unwrap();
    bank.collect_fee(&mut state, &alice(), &stake(5)).unwrap();
    crate::transfer(&mut state, &carol(), &bob(), &atom(3)).unwrap();

    let exported = bank.export_genesis(&state).unwrap();
    assert!(exported.balances.windows(2).all(|w| w[0].address < w[1].address), "sorted by address");
    assert!(exported.balances.iter().all(|b| b.coins.windows(2).all(|w| w[0].denom < w[1].denom)));
    let json = serde_json::to_string_pretty(&exported).unwrap();
    let rebuilt = init(&parse(&json).unwrap()).unwrap();
    assert_eq!(rebuilt.entries, state.entries);
    assert_eq!(bank.export_genesis(&rebuilt).unwrap(), exported);
}

#[test]
fn init_refuses_a_state_that_already_holds_bank_entries() {
    let mut state = funded();
    let before = state.clone();
    let result = bank().init_genesis(&mut state, &Genesis::default());
    assert_rejected(result, 12, &state, &before);
}

fn assert_invalid(genesis: &Genesis, needle: &str) {
    match init(genesis) {
        Err(BankError::InvalidGenesis(message)) => {
            assert!(message.contains(needle), "message {message:?} should mention {needle:?}")
        }
        other => panic!("expected InvalidGenesis mentioning {needle:?}, got {other:?}"),
    }
}

#[test]
fn invalid_genesis_sections_are_rejected_with_what_to_fix() {
    let ok = || entry(alice(), vec![stake(1)]);
    let g =
        |balances: Vec<GenesisBalance>, supply: Option<Vec<Coin>>| Genesis { balances, supply, issuance: Vec::new() };

    assert_invalid(&g(vec![ok(), entry(bob(), vec![])], None), "balances[1]");
    assert_invalid(&g(vec![entry(bob(), vec![])], None), "no coins");
    assert_invalid(&g(vec![ok(), ok()], None), "address listed twice");
    assert_invalid(&g(vec![entry(alice(), vec![stake(1), stake(2)])], None), "denom stake listed twice");
    assert_invalid(&g(vec![entry(alice(), vec![stake(0)])], None), "amount 0");
    assert_invalid(&g(vec![entry(alice(), vec![Coin::new("Stake", 1)])], None), "invalid denomination");
    assert_invalid(
        &g(vec![entry(alice(), vec![stake(u128::MAX)]), entry(bob(), vec![stake(1)])], None),
        "exceeds 2^128 - 1",
    );
    assert_invalid(&g(vec![ok()], Some(vec![stake(2)])), "declared as 2 but the balances sum to 1");
    assert_invalid(&g(vec![ok()], Some(vec![])), "stake has balances summing to 1 but is not listed");
    assert_invalid(&g(vec![ok()], Some(vec![stake(1), atom(0)])), "supply: atom has amount 0");
    assert_invalid(&g(vec![ok()], Some(vec![stake(1), stake(1)])), "listed twice");
    assert_invalid(&g(vec![ok()], Some(vec![stake(1), Coin::new("a", 0)])), "invalid denomination");
    // A supply that matches is accepted.
    assert!(init(&g(vec![ok()], Some(vec![stake(1)]))).is_ok());
}

#[test]
fn unknown_json_fields_are_rejected() {
    let addr = alice();
    assert!(parse(r#"{"balance": []}"#).is_err());
    assert!(parse(&format!(r#"{{"balances": [{{"address": "{addr}", "coins": [], "extra": 1}}]}}"#)).is_err());
    assert!(parse(&format!(
        r#"{{"balances": [{{"address": "{addr}", "coins": [{{"denom": "stake", "amount": "1", "x": 0}}]}}]}}"#
    ))
    .is_err());
    assert!(parse(r#"{"balances": [{"address": "nothex", "coins": []}]}"#).is_err());
}

#[test]
fn issuance_records_must_agree_with_the_balances() {
    let coins = |amount| vec![GenesisBalance { address: alice(), coins: vec![stake(amount)] }];
    let record = |genesis, minted, burned| crate::GenesisIssuance {
        denom: "stake".into(),
        record: crate::Issuance { genesis, minted, burned },
    };
    let with = |amount, issuance| Genesis { balances: coins(amount), supply: None, issuance };
    assert!(with(100, vec![record(80, 30, 10)]).validate().is_ok());
    let refused = |g: Genesis| match g.validate() {
        Err(BankError::InvalidGenesis(message)) => message,
        other => panic!("expected InvalidGenesis, got {other:?}"),
    };
    assert!(refused(with(100, vec![record(80, 30, 11)])).contains("must equal the balances' sum 100"));
    assert!(refused(with(100, vec![record(100, 0, 0), record(100, 0, 0)])).contains("listed twice"));
    let other = crate::GenesisIssuance { denom: "atom".into(), record: crate::Issuance::default() };
    assert!(refused(with(100, vec![other])).contains("stake has balances but no record"));
}
