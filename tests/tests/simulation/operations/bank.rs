//! Bank operations: send and multi-send of part of the sender's balance.

use appchain::{Msg, DENOM};
use conclave_core::Coin;
use rand::Rng;

use super::{up_to, Generator, Proposal, BASE_GAS, MULTI_SEND_GAS_PER_OUTPUT};
use crate::simulation::view;

impl Generator<'_> {
    pub(super) fn send(&mut self) -> Proposal {
        let from = self.any_account();
        let balance = view::balance(self.chain, &self.address(from));
        let amount = up_to(self.rng, balance / 10);
        let to = self.recipient(from);
        Some((from, Msg::Bank(conclave_bank::Msg::Send { to, amount: Coin::new(DENOM, amount) }), BASE_GAS))
    }

    pub(super) fn multi_send(&mut self) -> Proposal {
        let from = self.any_account();
        let balance = view::balance(self.chain, &self.address(from));
        let count = self.rng.random_range(1..=5u64);
        let outputs = (0..count)
            .map(|_| conclave_bank::Output {
                to: self.recipient(from),
                amount: Coin::new(DENOM, up_to(self.rng, balance / 20)),
            })
            .collect();
        let gas = BASE_GAS + MULTI_SEND_GAS_PER_OUTPUT * count;
        Some((from, Msg::Bank(conclave_bank::Msg::MultiSend { outputs }), gas))
    }
}
