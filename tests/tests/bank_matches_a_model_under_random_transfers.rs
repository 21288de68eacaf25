//! Random transfers and multi-sends on the test chain, compared with a plain model of balances
//! after every block; the test chain checks the bank invariant (supply = sum of balances) after
//! every block too.

mod common;

use std::collections::BTreeMap;

use appchain::Msg;
use common::*;
use conclave_bank::Output;
use conclave_core::{Address, Coin};
use conclave_testkit::TxOptions;
use proptest::prelude::*;

const FEE: u128 = 200;

#[derive(Clone, Debug)]
enum Op {
    Send { from: usize, to: usize, amount: u128 },
    MultiSend { from: usize, outputs: Vec<(usize, u128)> },
}

fn amount() -> impl Strategy<Value = u128> {
    prop_oneof![Just(0u128), 1u128..1_000, Just(FUNDS / 2), Just(FUNDS * 2)]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0usize..4, 0usize..4, amount()).prop_map(|(from, to, amount)| Op::Send { from, to, amount }),
        (0usize..4, proptest::collection::vec((0usize..4, amount()), 0..4))
            .prop_map(|(from, outputs)| Op::MultiSend { from, outputs }),
    ]
}

/// The model: stake balances, and what each op does under the chain's rules.
struct Model {
    balances: BTreeMap<Address, u128>,
    nonces: Vec<u64>,
}

impl Model {
    fn apply(&mut self, from: Address, from_index: usize, outputs: &[(Address, u128)]) {
        // Stateless validation (before the fee): outputs 1..=64, no zero amounts.
        if outputs.is_empty() || outputs.iter().any(|(_, a)| *a == 0) {
            return;
        }
        // Fee and nonce.
        let balance = self.balances.get(&from).copied().unwrap_or(0);
        if balance < FEE {
            return;
        }
        self.balances.insert(from, balance - FEE);
        *self.balances.entry(fee_collector()).or_default() += FEE;
        self.nonces[from_index] += 1;
        // Messages: all or nothing, with a running balance.
        let mut next = self.balances.clone();
        for (to, amount) in outputs {
            let have = next.get(&from).copied().unwrap_or(0);
            if *to == from || have < *amount {
                return;
            }
            next.insert(from, have - amount);
            *next.entry(*to).or_default() += amount;
        }
        self.balances = next;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn chain_balances_follow_the_model(blocks in proptest::collection::vec(proptest::collection::vec(op(), 1..4), 1..12)) {
        let accounts = accounts();
        let mut chain = chain();
        let mut model = Model {
            balances: accounts.iter().map(|a| (a.address, FUNDS)).collect(),
            nonces: vec![0; accounts.len()],
        };
        for ops in blocks {
            // Each block begins with rewards collecting the fees of the block before.
            model.balances.insert(fee_collector(), 0);
            let mut txs = Vec::new();
            for op in &ops {
                let (from, outputs): (usize, Vec<(usize, u128)>) = match op {
                    Op::Send { from, to, amount } => (*from, vec![(*to, *amount)]),
                    Op::MultiSend { from, outputs } => (*from, outputs.clone()),
                };
                let msg = match op {
                    Op::Send { to, amount, .. } => send(&accounts[*to], *amount),
                    Op::MultiSend { .. } => Msg::Bank(conclave_bank::Msg::MultiSend {
                        outputs: outputs
                            .iter()
                            .map(|(to, amount)| Output { to: accounts[*to].address, amount: Coin::new("stake", *amount) })
                            .collect(),
                    }),
                };
                txs.push(accounts[from].sign("test-chain", model.nonces[from], vec![msg], &TxOptions::default()));
                let resolved: Vec<(Address, u128)> = outputs.iter().map(|(to, a)| (accounts[*to].address, *a)).collect();
                model.apply(accounts[from].address, from, &resolved);
            }
            chain.produce_block(txs);
            for (address, expected) in &model.balances {
                prop_assert_eq!(balance(&chain, address, "stake"), *expected);
            }
            let supply: Coin = chain.query_json("bank/supply", &serde_json::json!({ "denom": "stake" })).unwrap();
            // The funded accounts plus the genesis validator's self-bond (in staking's pool),
            // plus what rewards minted: nothing else changes the supply.
            let totals: serde_json::Value = chain.query_json("rewards/totals", &serde_json::json!({})).unwrap();
            let minted: u128 = totals["minted"].as_str().unwrap().parse().unwrap();
            prop_assert_eq!(supply.amount, FUNDS * accounts.len() as u128 + VALIDATOR_SELF_BOND + minted);
        }
    }
}
