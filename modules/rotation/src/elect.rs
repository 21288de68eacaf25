//! The election as pure functions: the power cap and the difference between two sets.
//! `epoch.rs` feeds them from staking's state; the property tests compare them with a model.

use std::collections::{BTreeMap, BTreeSet};

use borsh::{BorshDeserialize, BorshSerialize};
use conclave_core::Address;
use serde::{Deserialize, Serialize};

use crate::params::{Params, PPB_ONE};

/// A candidate that passed the eligibility checks, in election order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entrant {
    /// Operator address.
    pub operator: Address,
    /// The consensus key it will sign with (its pending key, if it has one).
    pub consensus_key: [u8; 32],
    /// Its vote weight: staking's power (`tokens / power_reduction`).
    pub votes: u64,
    /// `self_bond × max_self_bond_multiple / power_reduction`, rounded down.
    pub bond_cap: u64,
}

/// One validator of a set, with the power CometBFT sees.
#[derive(
    Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize, Serialize, Deserialize,
)]
#[serde(deny_unknown_fields)]
pub struct Member {
    /// Operator address.
    pub operator: Address,
    /// Consensus key (hex in JSON).
    #[serde(with = "hex_key")]
    pub consensus_key: [u8; 32],
    /// Capped voting power.
    pub power: u64,
    /// Uncapped vote weight at election.
    pub votes: u64,
}

/// A validator update for CometBFT: ed25519 key and power (0 removes).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ValidatorUpdate {
    /// ed25519 public key.
    pub pub_key: [u8; 32],
    /// New power; 0 removes the validator.
    pub power: u64,
}

impl ValidatorUpdate {
    /// As CometBFT's update. Powers are capped at `MaxInt64 / 8` (CometBFT's `MaxTotalVotingPower`)
    /// by the election, so they fit in `i64`.
    pub fn for_consensus(self) -> conclave_core::ValidatorUpdate {
        conclave_core::ValidatorUpdate { pub_key: self.pub_key, power: i64::try_from(self.power).unwrap_or(i64::MAX) }
    }
}

/// The share cap: the largest integer `T` with `T × 10^9 ≤ share_ppb × Σ min(pᵢ, T)`, found by
/// binary search (the left side grows faster than the right, so the condition holds exactly
/// on `0..=T*`). Returns `None` when no cap is needed (`max p` already satisfies it).
pub fn share_cap(powers: &[u64], share_ppb: u64) -> Option<u64> {
    let fits = |t: u64| -> bool {
        // ≤ 10 000 powers of < 2^64: the sum and both products fit in u128 (saturating anyway).
        let sum = powers.iter().fold(0u128, |acc, &p| acc.saturating_add(u128::from(p.min(t))));
        u128::from(t).saturating_mul(u128::from(PPB_ONE)) <= u128::from(share_ppb).saturating_mul(sum)
    };
    let max = powers.iter().copied().max()?;
    if fits(max) {
        return None;
    }
    // fits(0) holds, fits(max) does not: the answer is in 0..max.
    let (mut lo, mut hi) = (0u64, max);
    while hi.saturating_sub(lo) > 1 {
        let mid = lo.saturating_add(hi.saturating_sub(lo) / 2);
        if fits(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some(lo)
}

/// Applies both caps to entrants already chosen (at most `max_validators`, in order):
/// 1. `pᵢ = min(votesᵢ, bond_capᵢ)` (self-bond multiple);
/// 2. `pᵢ = min(pᵢ, T)` with `T` from [`share_cap`] (water-filling, rounding down).
///
/// With at least `⌈10^9 / share_ppb⌉` entrants (guaranteed by `min_validators`), `T ≥ 1`, so
/// nobody ends at 0 power.
pub fn cap_powers(entrants: &[Entrant], params: &Params) -> Vec<Member> {
    let bonded: Vec<u64> = entrants.iter().map(|e| e.votes.min(e.bond_cap)).collect();
    let cap = share_cap(&bonded, params.max_power_share_ppb).unwrap_or(u64::MAX);
    entrants
        .iter()
        .zip(bonded)
        .map(|(e, p)| Member {
            operator: e.operator,
            consensus_key: e.consensus_key,
            power: p.min(cap),
            votes: e.votes,
        })
        .collect()
}

/// Total power of a set (saturating).
pub fn total_power(set: &[Member]) -> u64 {
    set.iter().fold(0u64, |acc, m| acc.saturating_add(m.power))
}

/// The updates turning `old` into `new`, by consensus key: power 0 for keys leaving (members of
/// `old` only), the new power for keys that are new or whose power changed, nothing for the
/// rest. Sorted by key; no key twice. A key rotation is a removal of the old key plus an
/// addition of the new one. Errors if a key appears twice in either set.
pub fn diff(old: &[Member], new: &[Member]) -> Result<Vec<ValidatorUpdate>, [u8; 32]> {
    let index = |set: &[Member]| -> Result<BTreeMap<[u8; 32], u64>, [u8; 32]> {
        let mut map = BTreeMap::new();
        for m in set {
            if map.insert(m.consensus_key, m.power).is_some() {
                return Err(m.consensus_key);
            }
        }
        Ok(map)
    };
    let (old, new) = (index(old)?, index(new)?);
    let keys: BTreeSet<[u8; 32]> = old.keys().chain(new.keys()).copied().collect();
    let mut updates = Vec::new();
    for key in keys {
        match (old.get(&key), new.get(&key)) {
            (Some(_), None) => updates.push(ValidatorUpdate { pub_key: key, power: 0 }),
            (Some(a), Some(b)) if a == b => {}
            (_, Some(&power)) => updates.push(ValidatorUpdate { pub_key: key, power }),
            (None, None) => {}
        }
    }
    Ok(updates)
}

/// Hex (de)serialisation of a 32-byte key.
pub mod hex_key {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    /// Serialises as 64 lowercase hex characters.
    pub fn serialize<S: Serializer>(key: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&conclave_core::state::hex(key))
    }

    /// Parses 64 hex characters.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let text = String::deserialize(d)?;
        if text.len() != 64 {
            return Err(D::Error::custom("a key is 64 hex characters"));
        }
        let mut out = [0u8; 32];
        hex::decode_to_slice(&text, &mut out).map_err(D::Error::custom)?;
        Ok(out)
    }
}
