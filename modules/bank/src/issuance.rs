//! What changed each denomination's supply since genesis: the supply a chain started with,
//! and everything minted and burned since. The invariant `supply = genesis + minted − burned`
//! (`crate::invariants`) is how "the supply changes only by what is minted and burned" is
//! checked: a transfer that created or destroyed coins would break it.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

/// One denomination's issuance record (stored at `bank/issuance` ‖ denom).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Issuance {
    /// The supply at genesis (of the chain that first started; an export keeps it).
    #[serde(with = "conclave_core::coin::amount_string")]
    pub genesis: u128,
    /// Everything minted since.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub minted: u128,
    /// Everything burned since.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub burned: u128,
}

impl Issuance {
    /// `genesis + minted − burned`, or `None` if that is not a `u128` (a broken record).
    pub fn expected_supply(&self) -> Option<u128> {
        self.genesis.checked_add(self.minted)?.checked_sub(self.burned)
    }
}
