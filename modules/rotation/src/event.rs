//! Events the rotation module emits (kinds `rotation.<name>`). Keys are 64 hex characters,
//! addresses 40; numbers decimal. The query keys ([`TypedEvent::is_indexed`]) are the validator
//! (its operator, and in `validator_update` the consensus key the update is for: CometBFT knows
//! validators by key, and a key rotation updates two keys of one operator), the epoch of an
//! election (its only identity) and why one was skipped. Powers, counts and heights are values
//! no search needs (a node that wants every attribute sets `[events] index = "all"`;
//! docs/indexing.md).

use conclave_core::{Address, TypedEvent};

/// `rotation.set_elected`: an epoch's election produced a new set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetElected {
    /// The epoch that ended.
    pub epoch: u64,
    /// The height whose end-block elected it (0: genesis).
    pub height: u64,
    /// First height the set signs (`height + 2`; genesis: the first block).
    pub from_height: u64,
    /// Number of validators.
    pub validators: usize,
    /// Total capped power.
    pub total_power: u64,
    /// Number of validator updates sent to CometBFT.
    pub updates: usize,
}

impl TypedEvent for SetElected {
    const KIND: &'static str = "rotation.set_elected";

    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("epoch", self.epoch.to_string()),
            ("height", self.height.to_string()),
            ("from_height", self.from_height.to_string()),
            ("validators", self.validators.to_string()),
            ("total_power", self.total_power.to_string()),
            ("updates", self.updates.to_string()),
        ]
    }

    fn is_indexed(key: &str) -> bool {
        key == "epoch"
    }
}

/// `rotation.validator_update`: one update sent to CometBFT (power 0 removes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidatorUpdated {
    /// The key's operator.
    pub operator: Address,
    /// The consensus key (hex).
    pub consensus_key: String,
    /// New power.
    pub power: u64,
}

impl TypedEvent for ValidatorUpdated {
    const KIND: &'static str = "rotation.validator_update";

    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("operator", self.operator.to_string()),
            ("consensus_key", self.consensus_key.clone()),
            ("power", self.power.to_string()),
        ]
    }

    fn is_indexed(key: &str) -> bool {
        matches!(key, "operator" | "consensus_key")
    }
}

/// `rotation.power_capped`: an elected validator's power was cut by a cap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PowerCapped {
    /// The validator's operator.
    pub operator: Address,
    /// Its vote weight (uncapped power).
    pub votes: u64,
    /// The power CometBFT sees.
    pub power: u64,
}

impl TypedEvent for PowerCapped {
    const KIND: &'static str = "rotation.power_capped";

    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("operator", self.operator.to_string()),
            ("votes", self.votes.to_string()),
            ("power", self.power.to_string()),
        ]
    }

    fn is_indexed(key: &str) -> bool {
        key == "operator"
    }
}

/// `rotation.validator_removed`: a jailed or tombstoned member left the set before its
/// epoch's end (its power-0 update is in the same block's updates).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidatorRemoved {
    /// The validator's operator.
    pub operator: Address,
    /// The height whose end-block removed it.
    pub height: u64,
    /// First height the set signs without it.
    pub from_height: u64,
    /// Members left.
    pub validators: usize,
}

impl TypedEvent for ValidatorRemoved {
    const KIND: &'static str = "rotation.validator_removed";

    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("operator", self.operator.to_string()),
            ("height", self.height.to_string()),
            ("from_height", self.from_height.to_string()),
            ("validators", self.validators.to_string()),
        ]
    }

    fn is_indexed(key: &str) -> bool {
        key == "operator"
    }
}

/// `rotation.removal_refused`: a member to remove was the set's last one; it stays, since
/// CometBFT cannot run with an empty set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemovalRefused {
    /// The validator's operator.
    pub operator: Address,
    /// The height whose end-block kept it.
    pub height: u64,
}

impl TypedEvent for RemovalRefused {
    const KIND: &'static str = "rotation.removal_refused";

    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![("operator", self.operator.to_string()), ("height", self.height.to_string())]
    }

    fn is_indexed(key: &str) -> bool {
        key == "operator"
    }
}

/// `rotation.election_skipped`: a safety rail kept the current set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElectionSkipped {
    /// The epoch that ended.
    pub epoch: u64,
    /// The height of the end-block.
    pub height: u64,
    /// `empty`, `below_min_validators` or `total_power_too_large`.
    pub reason: &'static str,
    /// How many validators the election found.
    pub elected: usize,
    /// `params.min_validators`.
    pub min_validators: u32,
}

impl TypedEvent for ElectionSkipped {
    const KIND: &'static str = "rotation.election_skipped";

    fn attributes(&self) -> Vec<(&'static str, String)> {
        vec![
            ("epoch", self.epoch.to_string()),
            ("height", self.height.to_string()),
            ("reason", self.reason.to_owned()),
            ("elected", self.elected.to_string()),
            ("min_validators", self.min_validators.to_string()),
        ]
    }

    fn is_indexed(key: &str) -> bool {
        matches!(key, "epoch" | "reason")
    }
}
