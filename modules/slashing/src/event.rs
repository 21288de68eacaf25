//! Events slashing emits (kinds `slashing.<name>`). Addresses are bech32 (`<prefix>1…`), amounts
//! decimal, times nanoseconds. Every slash is also described entry by entry by the
//! candidates' module (`staking.slash_candidate`, `staking.slash_unbonding`,
//! `staking.slash_redelegation`, then `staking.slash`) and pool by pool by the bank
//! (`bank.burn`), so an indexer can rebuild every delegator's loss. The query keys
//! ([`conclave_core::TypedEvent::is_indexed`]) are the validator (its operator, or for ignored
//! evidence its consensus address, the evidence's only identity) and the kind of a slash or of an
//! ignored evidence (`reason`); heights, fractions, amounts and refusal texts are values no
//! search needs (a node that wants every attribute sets `[events] index = "all"`;
//! docs/indexing.md).

use conclave_core::{typed_event, Address};

typed_event! {
    /// `slashing.slashed`: a validator's stake was cut.
    Slashed = "slashing.slashed", indexed [operator, reason] {
        /// The operator.
        operator: Address,
        /// `downtime` or `double_sign`.
        reason: &'static str,
        /// The missed block or the evidence's height.
        fault_height: u64,
        /// The height whose stake was slashed.
        infraction_height: u64,
        /// The fraction, in ppb.
        fraction_ppb: u64,
        /// Tokens at the infraction height.
        base_tokens: u128,
        /// Burned in all.
        burned: u128,
        /// Burned from its own tokens.
        from_candidate: u128,
        /// Burned from unbonding entries.
        from_unbondings: u128,
        /// Burned at redelegation destinations.
        from_redelegations: u128,
    }
}

typed_event! {
    /// `slashing.slash_refused`: the candidates' module refused a slash (e.g. its token
    /// history at that height was pruned); the jail and the removal still happen.
    SlashRefused = "slashing.slash_refused", indexed [operator] {
        /// The operator.
        operator: Address,
        /// Why, with its code.
        reason: String,
    }
}

typed_event! {
    /// `slashing.jailed`: a validator was jailed for downtime.
    Jailed = "slashing.jailed", indexed [operator] {
        /// The operator.
        operator: Address,
        /// Blocks missed in the window.
        missed: u64,
        /// The most it could miss.
        max_missed: u64,
        /// Jailed until (block time, ns).
        until: u64,
    }
}

typed_event! {
    /// `slashing.tombstoned`: a validator was jailed for good for a double sign.
    Tombstoned = "slashing.tombstoned", indexed [operator] {
        /// The operator.
        operator: Address,
        /// The evidence's height.
        fault_height: u64,
    }
}

typed_event! {
    /// `slashing.unjailed`: an operator took its candidate out of jail.
    Unjailed = "slashing.unjailed", indexed [operator] {
        /// The operator.
        operator: Address,
    }
}

typed_event! {
    /// `slashing.evidence_ignored`: evidence that punishes nothing.
    EvidenceIgnored = "slashing.evidence_ignored", indexed [validator, reason] {
        /// The consensus address, hex.
        validator: String,
        /// The evidence's height.
        fault_height: u64,
        /// `expired` (older than both evidence limits) or `tombstoned` (already punished).
        reason: &'static str,
    }
}
