//! Property test: random sequences of bank operations (valid and invalid) against a plain
//! `BTreeMap` model. After every step the balances, supplies, result code, events and
//! invariants must agree with the model; a rejected step must leave state untouched.

use std::collections::BTreeMap;

use conclave_core::coin::validate_denom;
use conclave_core::error::ModuleError;
use conclave_core::prefix::check_prefixes;
use conclave_core::Module;
use proptest::prelude::*;

use super::*;
use crate::msg::{Msg, Output, MAX_OUTPUTS};
use crate::state::{BALANCES, SUPPLY};
use crate::FEE_COLLECTOR;

/// Module names the operations pick from: the configured ones (see [`bank`]) and one that is not.
const MODULES: [&str; 5] = [FEE_COLLECTOR, MINTER, BURNER, TREASURY, "ghost"];
const USERS: usize = 4;

fn user(i: usize) -> Address {
    addr(10 + i as u8)
}

/// Every address an operation may name: users, then each module name's address.
fn party(i: usize) -> Address {
    if i < USERS {
        user(i)
    } else {
        Address::module(MODULES[(i - USERS) % MODULES.len()])
    }
}

const PARTIES: usize = USERS + MODULES.len();

#[derive(Clone, Debug)]
enum Op {
    Send { signer: usize, to: usize, coin: Coin },
    MultiSend { signer: usize, outputs: Vec<(usize, Coin)> },
    Transfer { from: usize, to: usize, coin: Coin },
    SendFromModule { module: usize, to: usize, coin: Coin },
    SendToModule { from: usize, module: usize, coin: Coin },
    MoveBetweenModules { from: usize, to: usize, coin: Coin },
    Mint { module: usize, coin: Coin },
    Burn { module: usize, coin: Coin },
    CollectFee { payer: usize, coin: Coin },
}

fn coin() -> impl Strategy<Value = Coin> {
    let denom = prop_oneof![8 => Just("stake"), 4 => Just("atom"), 1 => Just("Bad")];
    let amount = prop_oneof![
        1 => Just(0u128),
        12 => 1u128..300,
        1 => (0u128..3).prop_map(|k| u128::MAX - k),
    ];
    (denom, amount).prop_map(|(d, a)| Coin::new(d, a))
}

fn op() -> impl Strategy<Value = Op> {
    let signer = 0..USERS;
    let party = || 0..PARTIES;
    // Message recipients are mostly users, so that multi-sends often succeed.
    let recipient = || prop_oneof![6 => 0..USERS, 1 => 0..PARTIES];
    let module = || 0..MODULES.len();
    prop_oneof![
        4 => (signer.clone(), recipient(), coin()).prop_map(|(signer, to, coin)| Op::Send { signer, to, coin }),
        2 => (signer, prop_oneof![10 => prop::collection::vec((recipient(), coin()), 0..6),
                                  1 => Just(vec![(1, Coin::new("stake", 1)); MAX_OUTPUTS + 1])])
            .prop_map(|(signer, outputs)| Op::MultiSend { signer, outputs }),
        2 => (party(), party(), coin()).prop_map(|(from, to, coin)| Op::Transfer { from, to, coin }),
        2 => (module(), party(), coin()).prop_map(|(module, to, coin)| Op::SendFromModule { module, to, coin }),
        2 => (party(), module(), coin()).prop_map(|(from, module, coin)| Op::SendToModule { from, module, coin }),
        2 => (module(), module(), coin()).prop_map(|(from, to, coin)| Op::MoveBetweenModules { from, to, coin }),
        3 => (module(), coin()).prop_map(|(module, coin)| Op::Mint { module, coin }),
        3 => (module(), coin()).prop_map(|(module, coin)| Op::Burn { module, coin }),
        2 => (party(), coin()).prop_map(|(payer, coin)| Op::CollectFee { payer, coin }),
    ]
}

fn initial_holdings() -> impl Strategy<Value = Vec<(usize, u128, u128)>> {
    prop::collection::vec((0..PARTIES, 0u128..5_000, 0u128..5_000), 0..10)
}

/// The reference model: what the bank should hold, with the rules written out plainly.
#[derive(Clone, Debug, Default)]
struct Model {
    balances: BTreeMap<(Address, String), u128>,
    supply: BTreeMap<String, u128>,
}

/// The result the model predicts: the number of events, or the error code.
type Outcome = Result<usize, u32>;

fn config(name: &str) -> Option<Permissions> {
    bank().module_account(name).map(|a| a.permissions)
}

fn blocked(address: &Address) -> bool {
    MODULES[..4].iter().any(|m| Address::module(m) == *address)
}

impl Model {
    fn get(&self, address: Address, denom: &str) -> u128 {
        self.balances.get(&(address, denom.to_string())).copied().unwrap_or(0)
    }

    fn set(&mut self, address: Address, denom: &str, amount: u128) {
        if amount == 0 {
            self.balances.remove(&(address, denom.to_string()));
        } else {
            self.balances.insert((address, denom.to_string()), amount);
        }
    }

    fn set_supply(&mut self, denom: &str, amount: u128) {
        if amount == 0 {
            self.supply.remove(denom);
        } else {
            self.supply.insert(denom.to_string(), amount);
        }
    }

    /// Debit then credit; zero moves nothing and emits nothing.
    fn move_coin(&mut self, from: Address, to: Address, coin: &Coin) -> Outcome {
        if coin.amount == 0 {
            return Ok(0);
        }
        let from_balance = self.get(from, &coin.denom).checked_sub(coin.amount).ok_or(7u32)?;
        self.set(from, &coin.denom, from_balance);
        let to_balance = self.get(to, &coin.denom).checked_add(coin.amount).ok_or(8u32)?;
        self.set(to, &coin.denom, to_balance);
        Ok(1)
    }

    fn denom(coin: &Coin) -> Result<(), u32> {
        validate_denom(&coin.denom).map_err(|_| 1u32)
    }

    fn module(name: &str) -> Result<(Address, Permissions), u32> {
        config(name).map(|p| (Address::module(name), p)).ok_or(9u32)
    }

    fn message_output(&mut self, signer: Address, to: Address, coin: &Coin) -> Outcome {
        if to == signer {
            return Err(5);
        }
        if blocked(&to) {
            return Err(6);
        }
        self.move_coin(signer, to, coin)
    }

    fn stateless(coin: &Coin) -> Result<(), u32> {
        Self::denom(coin)?;
        if coin.amount == 0 {
            return Err(2);
        }
        Ok(())
    }

    /// Applies `op` in place; the caller discards the model on error.
    fn apply(&mut self, op: &Op) -> Outcome {
        match op {
            Op::Send { signer, to, coin } => {
                Self::stateless(coin)?;
                self.message_output(user(*signer), party(*to), coin)
            }
            Op::MultiSend { signer, outputs } => {
                if outputs.is_empty() {
                    return Err(3);
                }
                if outputs.len() > MAX_OUTPUTS {
                    return Err(4);
                }
                outputs.iter().try_for_each(|(_, coin)| Self::stateless(coin))?;
                let mut events = 0;
                for (to, coin) in outputs {
                    events += self.message_output(user(*signer), party(*to), coin)?;
                }
                Ok(events)
            }
            Op::Transfer { from, to, coin } => {
                Self::denom(coin)?;
                if from == to {
                    return Err(5);
                }
                self.move_coin(party(*from), party(*to), coin)
            }
            Op::SendFromModule { module, to, coin } => {
                Self::denom(coin)?;
                let (from, _) = Self::module(MODULES[*module])?;
                if blocked(&party(*to)) {
                    return Err(6);
                }
                self.move_coin(from, party(*to), coin)
            }
            Op::SendToModule { from, module, coin } => {
                Self::denom(coin)?;
                let (to, _) = Self::module(MODULES[*module])?;
                if party(*from) == to {
                    return Err(5);
                }
                self.move_coin(party(*from), to, coin)
            }
            Op::MoveBetweenModules { from, to, coin } => {
                Self::denom(coin)?;
                let (from_address, _) = Self::module(MODULES[*from])?;
                let (to_address, _) = Self::module(MODULES[*to])?;
                if from_address == to_address {
                    return Err(5);
                }
                self.move_coin(from_address, to_address, coin)
            }
            Op::Mint { module, coin } => {
                Self::denom(coin)?;
                let (address, permissions) = Self::module(MODULES[*module])?;
                if !permissions.minter {
                    return Err(10);
                }
                if coin.amount == 0 {
                    return Ok(0);
                }
                let supply = self.supply.get(&coin.denom).copied().unwrap_or(0).checked_add(coin.amount).ok_or(8u32)?;
                self.set_supply(&coin.denom, supply);
                let balance = self.get(address, &coin.denom).checked_add(coin.amount).ok_or(8u32)?;
                self.set(address, &coin.denom, balance);
                Ok(1)
            }
            Op::Burn { module, coin } => {
                Self::denom(coin)?;
                let (address, permissions) = Self::module(MODULES[*module])?;
                if !permissions.burner {
                    return Err(10);
                }
                if coin.amount == 0 {
                    return Ok(0);
                }
                let balance = self.get(address, &coin.denom).checked_sub(coin.amount).ok_or(7u32)?;
                self.set(address, &coin.denom, balance);
                let supply = self.supply.get(&coin.denom).copied().unwrap_or(0).checked_sub(coin.amount).ok_or(8u32)?;
                self.set_supply(&coin.denom, supply);
                Ok(1)
            }
            Op::CollectFee { payer, coin } => {
                Self::denom(coin)?;
                let collector = Address::module(FEE_COLLECTOR);
                if party(*payer) == collector {
                    return Err(5);
                }
                self.move_coin(party(*payer), collector, coin)
            }
        }
    }
}

fn run(bank: &Bank, state: &mut MemoryState, op: &Op) -> Result<(), BankError> {
    match op {
        Op::Send { signer, to, coin } => {
            deliver(state, user(*signer), &Msg::Send { to: party(*to), amount: coin.clone() })
        }
        Op::MultiSend { signer, outputs } => {
            let outputs = outputs.iter().map(|(to, coin)| Output { to: party(*to), amount: coin.clone() }).collect();
            deliver(state, user(*signer), &Msg::MultiSend { outputs })
        }
        Op::Transfer { from, to, coin } => crate::transfer(state, &party(*from), &party(*to), coin),
        Op::SendFromModule { module, to, coin } => bank.send_from_module(state, MODULES[*module], &party(*to), coin),
        Op::SendToModule { from, module, coin } => bank.send_to_module(state, &party(*from), MODULES[*module], coin),
        Op::MoveBetweenModules { from, to, coin } => {
            bank.move_between_modules(state, MODULES[*from], MODULES[*to], coin)
        }
        Op::Mint { module, coin } => bank.mint(state, MODULES[*module], coin),
        Op::Burn { module, coin } => bank.burn(state, MODULES[*module], coin),
        Op::CollectFee { payer, coin } => bank.collect_fee(state, &party(*payer), coin),
    }
}

fn stored(state: &MemoryState) -> Model {
    Model {
        balances: BALANCES.iter(state).map(Result::unwrap).collect(),
        supply: SUPPLY.iter(state).map(Result::unwrap).collect(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn bank_matches_a_btreemap_model(holdings in initial_holdings(), ops in prop::collection::vec(op(), 1..60)) {
        let bank = bank();
        check_prefixes(&bank.state_prefixes()).unwrap();

        // Genesis from the generated holdings (merged per address, zeros skipped).
        let mut model = Model::default();
        for (who, stake_amount, atom_amount) in &holdings {
            for coin in [stake(*stake_amount), atom(*atom_amount)] {
                let total = model.get(party(*who), &coin.denom) + coin.amount;
                model.set(party(*who), &coin.denom, total);
                let supply = model.supply.get(&coin.denom).copied().unwrap_or(0) + coin.amount;
                model.set_supply(&coin.denom, supply);
            }
        }
        let mut grouped: BTreeMap<Address, Vec<Coin>> = BTreeMap::new();
        for ((address, denom), amount) in &model.balances {
            grouped.entry(*address).or_default().push(Coin::new(denom.clone(), *amount));
        }
        let genesis = Genesis {
            balances: grouped.into_iter().map(|(address, coins)| GenesisBalance { address, coins }).collect(),
            supply: Some(model.supply.iter().map(|(d, a)| Coin::new(d.clone(), *a)).collect()),
            issuance: Vec::new(),
        };
        let mut state = MemoryState::new();
        bank.init_genesis(&mut state, &genesis).unwrap();

        for (step, op) in ops.iter().enumerate() {
            let before = state.clone();
            let mut next = model.clone();
            let expected = next.apply(op);
            let got = run(&bank, &mut state, op);
            match (&expected, &got) {
                (Ok(events), Ok(())) => {
                    model = next;
                    let new_events = &state.events[before.events.len()..];
                    prop_assert_eq!(new_events.len(), *events, "step {}: {:?}", step, op);
                }
                (Err(code), Err(err)) => {
                    prop_assert_eq!(*code, err.code(), "step {}: {:?}: {}", step, op, err);
                    prop_assert_eq!(&state, &before, "step {}: rejected {:?} changed state", step, op);
                }
                _ => prop_assert!(false, "step {}: {:?}: model {:?}, bank {:?}", step, op, expected, got),
            }
            let actual = stored(&state);
            prop_assert_eq!(&actual.balances, &model.balances, "step {}: {:?}", step, op);
            prop_assert_eq!(&actual.supply, &model.supply, "step {}: {:?}", step, op);
            prop_assert!(state.entries.keys().all(|k| k.starts_with(b"bank/balance") || k.starts_with(b"bank/supply") || k.starts_with(b"bank/issuance")));
            if let Err(violation) = bank.check_invariants(&state) {
                prop_assert!(false, "step {}: {:?}: {}", step, op, violation);
            }
        }

        // The final state survives export → JSON → init unchanged.
        let json = serde_json::to_vec(&bank.export_genesis(&state).unwrap()).unwrap();
        let mut rebuilt = MemoryState::new();
        bank.init_genesis(&mut rebuilt, &serde_json::from_slice(&json).unwrap()).unwrap();
        prop_assert_eq!(rebuilt.entries, state.entries);
    }
}
