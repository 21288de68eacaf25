//! The library functions other modules and the runtime call, and the module-account config.

use super::*;
use crate::FEE_COLLECTOR;

fn module(name: &str) -> Address {
    Address::module(name)
}

#[test]
fn transfer_moves_funds_and_may_credit_a_module_account() {
    let mut state = funded();
    crate::transfer(&mut state, &alice(), &module(TREASURY), &stake(5)).unwrap();
    assert_eq!(bal(&state, module(TREASURY), "stake"), 5);
    assert_eq!(state.events[0].kind, "bank.transfer");
    assert_invariants(&state);
}

#[test]
fn transfer_rejections_leave_state_unchanged() {
    let mut state = funded();
    let before = state.clone();
    assert_rejected(crate::transfer(&mut state, &alice(), &bob(), &Coin::new("", 1)), 1, &state, &before);
    assert_rejected(crate::transfer(&mut state, &alice(), &alice(), &stake(1)), 5, &state, &before);
    assert_rejected(crate::transfer(&mut state, &bob(), &alice(), &stake(11)), 7, &state, &before);
}

#[test]
fn zero_amounts_change_nothing_in_library_calls() {
    let bank = bank();
    let mut state = funded();
    let before = state.clone();
    crate::transfer(&mut state, &carol(), &bob(), &stake(0)).unwrap();
    bank.mint(&mut state, MINTER, &stake(0)).unwrap();
    bank.burn(&mut state, BURNER, &stake(0)).unwrap();
    bank.collect_fee(&mut state, &carol(), &stake(0)).unwrap();
    bank.send_from_module(&mut state, TREASURY, &bob(), &stake(0)).unwrap();
    assert_eq!(state, before, "no writes and no events");
    // The other checks still apply to a zero amount.
    assert_rejected(bank.mint(&mut state, BURNER, &stake(0)), 10, &state, &before);
    assert_rejected(crate::transfer(&mut state, &bob(), &bob(), &stake(0)), 5, &state, &before);
}

#[test]
fn mint_credits_the_module_and_grows_supply() {
    let bank = bank();
    let mut state = funded();
    bank.mint(&mut state, MINTER, &stake(500)).unwrap();
    bank.mint(&mut state, MINTER, &Coin::new("newcoin", 7)).unwrap();
    assert_eq!(bal(&state, module(MINTER), "stake"), 500);
    assert_eq!(supply_of(&state, "stake"), 1510);
    assert_eq!(supply_of(&state, "newcoin"), 7);
    let event = &state.events[0];
    assert_eq!(event.kind, "bank.mint");
    assert_eq!(event.attribute("module"), Some(MINTER));
    assert_eq!(event.attribute("recipient"), Some(module(MINTER).to_string().as_str()));
    assert_eq!(event.attribute("amount"), Some("500"));
    assert_invariants(&state);
}

#[test]
fn mint_rejections_leave_state_unchanged() {
    let bank = bank();
    let mut state = funded();
    bank.mint(&mut state, MINTER, &Coin::new("big", u128::MAX)).unwrap();
    let before = state.clone();
    assert_rejected(bank.mint(&mut state, MINTER, &Coin::new("9x", 1)), 1, &state, &before);
    assert_rejected(bank.mint(&mut state, "nobody", &stake(1)), 9, &state, &before);
    assert_rejected(bank.mint(&mut state, BURNER, &stake(1)), 10, &state, &before);
    assert_rejected(bank.mint(&mut state, FEE_COLLECTOR, &stake(1)), 10, &state, &before);
    assert_rejected(bank.mint(&mut state, MINTER, &Coin::new("big", 1)), 8, &state, &before);
    assert_invariants(&state);
}

#[test]
fn burn_debits_the_module_and_shrinks_supply() {
    let bank = bank();
    let mut state = state_with(&[(module(BURNER), vec![stake(100)]), (alice(), vec![stake(1)])]);
    bank.burn(&mut state, BURNER, &stake(40)).unwrap();
    assert_eq!(bal(&state, module(BURNER), "stake"), 60);
    assert_eq!(supply_of(&state, "stake"), 61);
    assert_eq!(state.events[0].kind, "bank.burn");
    assert_eq!(state.events[0].attribute("sender"), Some(module(BURNER).to_string().as_str()));
    // Burning everything of a denomination removes its supply entry.
    crate::transfer(&mut state, &alice(), &module(BURNER), &stake(1)).unwrap();
    bank.burn(&mut state, BURNER, &stake(61)).unwrap();
    assert_eq!(supply_of(&state, "stake"), 0);
    assert!(crate::supplies(&state).unwrap().is_empty());
    assert_invariants(&state);
}

#[test]
fn mints_and_burns_are_recorded_so_the_supply_is_genesis_plus_minted_minus_burned() {
    let bank = bank();
    let mut state = state_with(&[(module(BURNER), vec![stake(100)]), (alice(), vec![stake(10)])]);
    let issuance = |state: &MemoryState, denom: &str| -> crate::Issuance {
        serde_json::from_slice(&bank.query(state, "issuance", format!(r#"{{"denom":"{denom}"}}"#).as_bytes()).unwrap())
            .unwrap()
    };
    assert_eq!(issuance(&state, "stake"), crate::Issuance { genesis: 110, minted: 0, burned: 0 });
    bank.mint(&mut state, MINTER, &stake(25)).unwrap();
    bank.burn(&mut state, BURNER, &stake(40)).unwrap();
    bank.mint(&mut state, MINTER, &Coin::new("newcoin", 7)).unwrap();
    assert_eq!(issuance(&state, "stake"), crate::Issuance { genesis: 110, minted: 25, burned: 40 });
    assert_eq!(issuance(&state, "newcoin"), crate::Issuance { genesis: 0, minted: 7, burned: 0 });
    assert_eq!(issuance(&state, "never"), crate::Issuance::default());
    assert_eq!(supply_of(&state, "stake"), 110 + 25 - 40);
    assert_invariants(&state);
    // A refused mint records nothing.
    let before = state.clone();
    assert!(bank.mint(&mut state, BURNER, &stake(1)).is_err());
    assert_eq!(state, before);
    // The records survive export and import.
    let exported = bank.export_genesis(&state).unwrap();
    assert_eq!(exported.issuance.len(), 2);
    let mut again = MemoryState::new();
    bank.init_genesis(&mut again, &exported).unwrap();
    assert_eq!(issuance(&again, "stake"), issuance(&state, "stake"));
    assert_invariants(&again);
}

#[test]
fn burn_rejections_leave_state_unchanged() {
    let bank = bank();
    let mut state = state_with(&[(module(BURNER), vec![stake(100)]), (module(MINTER), vec![stake(100)])]);
    let before = state.clone();
    assert_rejected(bank.burn(&mut state, BURNER, &Coin::new("S", 1)), 1, &state, &before);
    assert_rejected(bank.burn(&mut state, "nobody", &stake(1)), 9, &state, &before);
    assert_rejected(bank.burn(&mut state, MINTER, &stake(1)), 10, &state, &before);
    assert_rejected(bank.burn(&mut state, BURNER, &stake(101)), 7, &state, &before);
    assert_rejected(bank.burn(&mut state, BURNER, &atom(1)), 7, &state, &before);
}

#[test]
fn collect_fee_pays_the_fee_collector_and_emits_a_fee_event() {
    let bank = bank();
    let mut state = funded();
    bank.collect_fee(&mut state, &bob(), &stake(4)).unwrap();
    assert_eq!(bal(&state, bob(), "stake"), 6);
    assert_eq!(bal(&state, bank.fee_collector_address(), "stake"), 4);
    assert_eq!(state.events.len(), 1);
    let event = &state.events[0];
    assert_eq!(event.kind, "bank.fee");
    assert_eq!(event.attribute("sender"), Some(bob().to_string().as_str()));
    assert_eq!(event.attribute("recipient"), Some(module(FEE_COLLECTOR).to_string().as_str()));
    assert_eq!(event.attribute("amount"), Some("4"));
    assert_invariants(&state);
}

#[test]
fn collect_fee_from_a_payer_who_cannot_pay_is_insufficient_funds() {
    let bank = bank();
    let mut state = funded();
    let before = state.clone();
    let result = bank.collect_fee(&mut state, &bob(), &stake(11));
    assert!(matches!(result, Err(BankError::InsufficientFunds { .. })));
    assert_rejected(result, 7, &state, &before);
    assert_rejected(bank.collect_fee(&mut state, &carol(), &stake(1)), 7, &state, &before);
    assert_rejected(bank.collect_fee(&mut state, &bob(), &Coin::new("", 1)), 1, &state, &before);
}

#[test]
fn module_transfers_check_names_and_recipients() {
    let bank = bank();
    let mut state = state_with(&[(module(TREASURY), vec![stake(100)]), (alice(), vec![stake(100)])]);
    bank.send_from_module(&mut state, TREASURY, &bob(), &stake(10)).unwrap();
    bank.send_to_module(&mut state, &alice(), MINTER, &stake(20)).unwrap();
    bank.move_between_modules(&mut state, TREASURY, BURNER, &stake(30)).unwrap();
    assert_eq!(bal(&state, module(TREASURY), "stake"), 60);
    assert_eq!(bal(&state, bob(), "stake"), 10);
    assert_eq!(bal(&state, module(MINTER), "stake"), 20);
    assert_eq!(bal(&state, module(BURNER), "stake"), 30);
    assert_eq!(state.events.len(), 3);
    assert!(state.events.iter().all(|e| e.kind == "bank.transfer"));
    assert_invariants(&state);

    let before = state.clone();
    assert_rejected(bank.send_from_module(&mut state, "nobody", &bob(), &stake(1)), 9, &state, &before);
    assert_rejected(bank.send_from_module(&mut state, TREASURY, &module(MINTER), &stake(1)), 6, &state, &before);
    assert_rejected(bank.send_from_module(&mut state, TREASURY, &bob(), &stake(61)), 7, &state, &before);
    assert_rejected(bank.send_to_module(&mut state, &alice(), "nobody", &stake(1)), 9, &state, &before);
    assert_rejected(bank.send_to_module(&mut state, &module(MINTER), MINTER, &stake(1)), 5, &state, &before);
    assert_rejected(bank.move_between_modules(&mut state, TREASURY, "nobody", &stake(1)), 9, &state, &before);
    assert_rejected(bank.move_between_modules(&mut state, TREASURY, TREASURY, &stake(1)), 5, &state, &before);
    assert_rejected(bank.move_between_modules(&mut state, BURNER, MINTER, &stake(31)), 7, &state, &before);
}

#[test]
fn bank_config_always_has_the_fee_collector() {
    let default = Bank::default();
    let names: Vec<&str> = default.module_accounts().map(|a| a.name).collect();
    assert_eq!(names, vec![FEE_COLLECTOR]);
    assert_eq!(Bank::new([]).unwrap(), default);
    assert_eq!(Bank::new([ModuleAccount::new(FEE_COLLECTOR, Permissions::NONE)]).unwrap(), default);
    let bank = bank();
    let names: Vec<&str> = bank.module_accounts().map(|a| a.name).collect();
    assert_eq!(names, vec![BURNER, FEE_COLLECTOR, MINTER, TREASURY], "sorted by name");
    assert_eq!(bank.module_account_at(&module(MINTER)).map(|a| a.name), Some(MINTER));
    assert_eq!(bank.module_account_at(&alice()), None);
    assert_eq!(bank.module_address(TREASURY), Ok(module(TREASURY)));
    assert_eq!(bank.fee_collector_address(), module(FEE_COLLECTOR));
}

#[test]
fn bank_config_rejects_bad_module_accounts() {
    let cases = [
        vec![ModuleAccount::new("a", Permissions::NONE), ModuleAccount::new("a", Permissions::MINTER)],
        vec![ModuleAccount::new(FEE_COLLECTOR, Permissions::MINTER)],
        vec![ModuleAccount::new("", Permissions::NONE)],
        vec![ModuleAccount::new("Bank", Permissions::NONE)],
        vec![ModuleAccount::new("1bank", Permissions::NONE)],
        vec![ModuleAccount::new("bank/x", Permissions::NONE)],
    ];
    for case in cases {
        let err = Bank::new(case.clone()).expect_err("invalid config accepted");
        assert_eq!(err.code(), 11, "{case:?}: {err}");
    }
}

/// A state where the treasury module account holds `1000stake` (moved from alice).
fn treasury_funded() -> MemoryState {
    let mut state = funded();
    crate::transfer(&mut state, &alice(), &module(TREASURY), &stake(1000)).unwrap();
    state.events.clear();
    state
}

#[test]
fn send_from_module_to_many_equals_one_transfer_per_payout() {
    let bank = bank();
    // Repeated recipients, a module-account recipient, a zero payout, a recipient with no balance.
    let payouts =
        [(bob(), 7), (carol(), 100), (bob(), 3), (module(BURNER), 40), (alice(), 0), (carol(), 1), (addr(9), 849)];
    let mut batched = treasury_funded();
    bank.send_from_module_to_many(&mut batched, TREASURY, "stake", &payouts).unwrap();
    let mut one_by_one = treasury_funded();
    for (to, amount) in payouts {
        crate::transfer(&mut one_by_one, &module(TREASURY), &to, &stake(amount)).unwrap();
    }
    // Same entries (balances, supply; the emptied treasury deleted) and the same events.
    assert_eq!(batched, one_by_one);
    assert_eq!(bal(&batched, module(TREASURY), "stake"), 0);
    assert_eq!(bal(&batched, bob(), "stake"), 20);
    assert_eq!(batched.events.len(), 6, "one bank.transfer per non-zero payout");
    assert_eq!(supply_of(&batched, "stake"), 1010);
    assert_invariants(&batched);
}

#[test]
fn send_from_module_to_many_rejections_leave_state_unchanged() {
    let bank = bank();
    let mut state = treasury_funded();
    let before = state.clone();
    let ok = [(bob(), 1)];
    assert_rejected(bank.send_from_module_to_many(&mut state, TREASURY, "", &ok), 1, &state, &before);
    assert_rejected(bank.send_from_module_to_many(&mut state, "nobody", "stake", &ok), 9, &state, &before);
    let to_itself = [(bob(), 1), (module(TREASURY), 1)];
    assert_rejected(bank.send_from_module_to_many(&mut state, TREASURY, "stake", &to_itself), 5, &state, &before);
    let too_much = [(bob(), 600), (carol(), 401)];
    assert_rejected(bank.send_from_module_to_many(&mut state, TREASURY, "stake", &too_much), 7, &state, &before);
    let overflow = [(bob(), u128::MAX), (carol(), 1)];
    assert_rejected(bank.send_from_module_to_many(&mut state, TREASURY, "stake", &overflow), 8, &state, &before);
    // Nothing to pay: no writes, no events.
    bank.send_from_module_to_many(&mut state, TREASURY, "stake", &[]).unwrap();
    bank.send_from_module_to_many(&mut state, TREASURY, "stake", &[(bob(), 0)]).unwrap();
    assert_eq!(state, before);
    assert_invariants(&state);
}

/// A state that drops the events emitted into it, as the mempool's checks do; it still
/// records what it was given, to count them.
struct DroppingEvents(MemoryState);

impl conclave_core::StateRead for DroppingEvents {
    fn get_raw(&self, key: &[u8]) -> Result<Option<Vec<u8>>, conclave_core::StateError> {
        self.0.get_raw(key)
    }
    fn first_raw(
        &self,
        lower: std::ops::Bound<&[u8]>,
        upper: std::ops::Bound<&[u8]>,
    ) -> Result<Option<conclave_core::state::Entry>, conclave_core::StateError> {
        self.0.first_raw(lower, upper)
    }
    fn last_raw(
        &self,
        lower: std::ops::Bound<&[u8]>,
        upper: std::ops::Bound<&[u8]>,
    ) -> Result<Option<conclave_core::state::Entry>, conclave_core::StateError> {
        self.0.last_raw(lower, upper)
    }
}

impl conclave_core::StateWrite for DroppingEvents {
    fn put_raw(&mut self, key: &[u8], value: Vec<u8>) -> Result<(), conclave_core::StateError> {
        self.0.put_raw(key, value)
    }
    fn delete_raw(&mut self, key: &[u8]) -> Result<(), conclave_core::StateError> {
        self.0.delete_raw(key)
    }
    fn emit(&mut self, event: conclave_core::Event) -> Result<(), conclave_core::StateError> {
        self.0.emit(event)
    }
    fn keeps_events(&self) -> bool {
        false
    }
}

#[test]
fn a_state_that_drops_events_gets_the_same_writes_and_as_many_unformatted_events() {
    let bank = bank();
    let payouts = [(alice(), 2), (bob(), 0), (carol(), 3), (alice(), 1)];
    let send = crate::Msg::MultiSend {
        outputs: vec![crate::Output { to: bob(), amount: stake(1) }, crate::Output { to: carol(), amount: stake(2) }],
    };
    // Every bank operation that emits, on a state that keeps events and on one that drops them.
    let mut keeping = funded();
    let mut dropping = DroppingEvents(funded());
    for step in 0..8 {
        apply(&bank, &mut keeping, step, &payouts, &send);
        apply(&bank, &mut dropping, step, &payouts, &send);
    }
    assert_eq!(dropping.0.entries, keeping.entries, "the same writes");
    assert_eq!(dropping.0.events.len(), keeping.events.len(), "as many events, hence the same gas");
    assert!(keeping.events.len() >= 10 && keeping.events.iter().all(|e| !e.kind.is_empty()));
    assert!(dropping.0.events.iter().all(|e| *e == conclave_core::Event::discarded()), "none formatted");
    assert_invariants(&keeping);
}

fn apply(
    bank: &Bank,
    state: &mut impl conclave_core::StateWrite,
    step: u8,
    payouts: &[(Address, u128)],
    send: &crate::Msg,
) {
    match step {
        0 => bank.collect_fee(state, &bob(), &stake(4)).unwrap(),
        1 => crate::transfer(state, &alice(), &module(TREASURY), &stake(20)).unwrap(),
        2 => bank.send_from_module(state, TREASURY, &carol(), &stake(2)).unwrap(),
        3 => bank.send_from_module_to_many(state, TREASURY, "stake", payouts).unwrap(),
        4 => bank.mint(state, MINTER, &stake(7)).unwrap(),
        5 => bank.move_between_modules(state, MINTER, BURNER, &stake(7)).unwrap(),
        6 => bank.burn(state, BURNER, &stake(3)).unwrap(),
        _ => bank.execute(state, &alice(), send).unwrap(),
    }
}
