//! Tally benchmark: 100,000 voters over 100 validators, 10 % of them voting themselves
//! (plus 2 % delegating to one of those, and 1 % moving stake mid-vote), through the real
//! bank, staking (with governance's hooks) and voting modules on a `MemoryState`.
//!
//! `cargo run --release -p conclave-governance --example tally_bench` prints
//! `tally_ms=<median>` over 21 tallies (and the setup's figures).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::arithmetic_side_effects)]

use std::time::Instant;

use conclave_bank::{Bank as BankModule, GenesisBalance};
use conclave_core::{Address, BlockInfo, BlockTime, Coin, MemoryState, Module, TxContext};
use conclave_governance::{Governance, Hooks, Msg, VoteOption};
use conclave_staking::{At, CommissionRates, Description, Staking};
use conclave_voting::Voting;

const VALIDATORS: u32 = 100;
const VOTERS: u32 = 100_000;
const DENOM: &str = "stake";

fn account(i: u32) -> Address {
    let mut key = [0u8; 32];
    key[..4].copy_from_slice(&i.to_be_bytes());
    key[31] = 1;
    Address::from_public_key(&key)
}
fn operator(i: u32) -> Address {
    account(1_000_000 + i)
}

fn main() {
    let accounts =
        conclave_staking::bank_module_accounts().into_iter().chain(conclave_governance::bank_module_accounts());
    let bank = BankModule::new(accounts).unwrap();
    let staking = Staking::with_hooks(bank.clone(), Hooks).unwrap();
    let voting = Voting::new(staking.clone());
    let governance = Governance::new(staking.clone(), bank.clone()).unwrap();
    let mut state = MemoryState::new();
    let setup = Instant::now();
    let balances = (0..VOTERS)
        .map(account)
        .chain((0..VALIDATORS).map(operator))
        .map(|address| GenesisBalance { address, coins: vec![Coin::new(DENOM, 1_000_000_000_000)] })
        .collect();
    bank.init_genesis(&mut state, &conclave_bank::Genesis { balances, supply: None, issuance: Vec::new() }).unwrap();
    let staking_params = conclave_staking::Params { min_self_bond: 1, ..conclave_staking::Params::default() };
    staking
        .init_genesis(&mut state, &conclave_staking::Genesis { params: staking_params, ..Default::default() })
        .unwrap();
    voting.init_genesis(&mut state, &conclave_voting::Genesis::default()).unwrap();
    let params = conclave_governance::Params { min_deposit: 10, ..conclave_governance::Params::default() };
    governance.init_genesis(&mut state, &conclave_governance::Genesis { params, ..Default::default() }).unwrap();
    let block = BlockInfo::new("bench", 1, BlockTime::from_seconds(1_000));
    let ctx = |signer| TxContext { block: &block, signer, signer_key: [0; 32], tx_index: 0, msg_index: 0 };
    for v in 0..VALIDATORS {
        let key = ed25519_consensus::SigningKey::from([
            (v % 251) as u8 + 1,
            (v / 251) as u8 + 1,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
            7,
        ])
        .verification_key()
        .to_bytes();
        let register = conclave_staking::Msg::RegisterCandidate {
            consensus_key: key,
            commission: CommissionRates {
                rate_ppb: 50_000_000,
                max_rate_ppb: 500_000_000,
                max_change_rate_ppb: 10_000_000,
            },
            description: Description { moniker: format!("v{v}"), ..Description::default() },
            self_bond: 1_000_000,
        };
        staking.deliver(&ctx(operator(v)), &mut state, &register).unwrap();
        staking.set_active(&mut state, At::block(&block), &operator(v)).unwrap();
    }
    // Each voter bonds to 1–3 validators.
    for i in 0..VOTERS {
        for k in 0..(1 + i % 3) {
            let candidate = operator((i.wrapping_mul(7).wrapping_add(k * 31)) % VALIDATORS);
            let msg = conclave_voting::Msg::Vote { candidate, amount: 1_000 + u128::from(i % 977) };
            voting.deliver(&ctx(account(i)), &mut state, &msg).unwrap();
        }
    }
    let submit = Msg::Submit { title: "bench".into(), summary: String::new(), messages: vec![], deposit: 10 };
    governance.deliver(&ctx(account(0)), &mut state, &submit).unwrap();
    for v in 0..VALIDATORS {
        governance.deliver(&ctx(operator(v)), &mut state, &Msg::Vote { proposal: 1, option: VoteOption::Yes }).unwrap();
    }
    let mut direct = 0;
    let mut delegating = 0;
    for i in 0..VOTERS {
        if i % 10 == 0 {
            let option = VoteOption::ALL[(i / 10 % 4) as usize];
            governance.deliver(&ctx(account(i)), &mut state, &Msg::Vote { proposal: 1, option }).unwrap();
            direct += 1;
        } else if i % 50 == 1 {
            let to = Some(account(i - 1)); // a direct voter
            governance.deliver(&ctx(account(i)), &mut state, &Msg::Delegate { to }).unwrap();
            delegating += 1;
        } else if i % 100 == 3 {
            let candidate = operator(i.wrapping_mul(7) % VALIDATORS);
            let msg = conclave_voting::Msg::Vote { candidate, amount: 500 };
            voting.deliver(&ctx(account(i)), &mut state, &msg).unwrap();
        }
    }
    println!(
        "setup: {VOTERS} voters, {VALIDATORS} validators, {direct} voting themselves, {delegating} delegating, {} state entries, {} ms",
        state.entries.len(),
        setup.elapsed().as_millis()
    );
    let mut times = Vec::new();
    let mut tally = None;
    for _ in 0..21 {
        let started = Instant::now();
        tally = Some(governance.tally(&state, 1).unwrap());
        times.push(started.elapsed().as_micros());
    }
    times.sort_unstable();
    let median = times[times.len() / 2];
    println!("tally: {:?}", tally.unwrap());
    println!("tally_ms={}.{:03}", median / 1000, median % 1000);
}
