//! Events staking emits: enough for an indexer to rebuild every candidate, every delegator's
//! shares and every entry without reading state. Amounts are decimal strings, addresses bech32
//! (`<prefix>1…`), times nanoseconds. The query keys ([`conclave_core::TypedEvent::is_indexed`])
//! are who and what an event is about: the candidate, the delegator, a redelegation's source
//! and destination, an entry's `id`, and a status change's `to`. Amounts, shares, rates, keys,
//! heights, times and descriptions are values, and `staking.bond` / `staking.unbond` come with
//! most transactions (their `reason` is searched through the entry event beside them), so
//! indexing those would write keys on every node that no search needs (a node that wants every
//! attribute, such as a PostgreSQL indexer, sets `[events] index = "all"`; docs/indexing.md).

use conclave_core::{typed_event, Address};

typed_event! {
    /// `staking.candidate_registered`: a new candidate (its self-bond follows as `staking.bond`).
    CandidateRegistered = "staking.candidate_registered", indexed [candidate] {
        /// The operator (candidate id).
        candidate: Address,
        /// Consensus key, hex.
        consensus_key: String,
        /// Commission rate (ppb).
        commission_rate_ppb: u64,
        /// Max rate (ppb).
        commission_max_rate_ppb: u64,
        /// Max change per edit (ppb).
        commission_max_change_rate_ppb: u64,
        /// Moniker.
        moniker: String,
    }
}

typed_event! {
    /// `staking.candidate_edited`: description and/or commission changed (values after).
    CandidateEdited = "staking.candidate_edited", indexed [candidate] {
        /// The candidate.
        candidate: Address,
        /// Commission rate after (ppb).
        commission_rate_ppb: u64,
        /// Moniker after.
        moniker: String,
        /// Identity after.
        identity: String,
        /// Website after.
        website: String,
        /// Details after.
        details: String,
    }
}

typed_event! {
    /// `staking.consensus_key_rotated`: a new key is pending until the next epoch.
    ConsensusKeyRotated = "staking.consensus_key_rotated", indexed [candidate] {
        /// The candidate.
        candidate: Address,
        /// Current key, hex.
        old_key: String,
        /// Pending key, hex.
        new_key: String,
    }
}

typed_event! {
    /// `staking.consensus_key_applied`: the pending key became the consensus key.
    ConsensusKeyApplied = "staking.consensus_key_applied", indexed [candidate] {
        /// The candidate.
        candidate: Address,
        /// Previous key, hex (still known for evidence).
        old_key: String,
        /// New key, hex.
        new_key: String,
    }
}

typed_event! {
    /// `staking.status_changed`: a lifecycle transition.
    StatusChanged = "staking.status_changed", indexed [candidate, to] {
        /// The candidate.
        candidate: Address,
        /// Previous status.
        from: String,
        /// New status.
        to: String,
        /// Its tokens (moved between pools when bondedness changed).
        tokens: u128,
        /// Jail end (ns; meaningful when `to` is `jailed`).
        jailed_until: u64,
    }
}

typed_event! {
    /// `staking.bond`: tokens added to a candidate, shares minted to a delegator.
    /// `reason` is `delegate`, `redelegate` (the arriving half) or `cancel_unbonding`.
    Bond = "staking.bond", indexed [delegator, candidate] {
        /// The delegator.
        delegator: Address,
        /// The candidate.
        candidate: Address,
        /// Tokens added.
        amount: u128,
        /// Shares minted.
        shares: u128,
        /// The delegator's shares at the candidate after.
        delegator_shares: u128,
        /// Candidate tokens after.
        candidate_tokens: u128,
        /// Candidate shares after.
        candidate_shares: u128,
        /// Why.
        reason: String,
    }
}

typed_event! {
    /// `staking.unbond`: shares burned, tokens removed from a candidate. `reason` is
    /// `undelegate` (an unbonding entry follows) or `redelegate` (the leaving half).
    Unbond = "staking.unbond", indexed [delegator, candidate] {
        /// The delegator.
        delegator: Address,
        /// The candidate.
        candidate: Address,
        /// Tokens removed.
        amount: u128,
        /// Shares burned.
        shares: u128,
        /// The delegator's shares at the candidate after.
        delegator_shares: u128,
        /// Candidate tokens after.
        candidate_tokens: u128,
        /// Candidate shares after.
        candidate_shares: u128,
        /// Why.
        reason: String,
    }
}

typed_event! {
    /// `staking.unbonding_started`: a new unbonding entry.
    UnbondingStarted = "staking.unbonding_started", indexed [id, delegator, candidate] {
        /// Entry id.
        id: u64,
        /// The delegator.
        delegator: Address,
        /// The candidate left.
        candidate: Address,
        /// Tokens.
        amount: u128,
        /// Creation height.
        creation_height: u64,
        /// Completion time (ns).
        completion_time: u64,
    }
}

typed_event! {
    /// `staking.unbonding_cancelled`: part or all of an entry went back to its candidate
    /// (a `staking.bond` with reason `cancel_unbonding` follows).
    UnbondingCancelled = "staking.unbonding_cancelled", indexed [id, delegator, candidate] {
        /// Entry id.
        id: u64,
        /// The delegator.
        delegator: Address,
        /// The candidate.
        candidate: Address,
        /// Tokens taken from the entry.
        amount: u128,
        /// Entry balance after (0: entry removed).
        balance: u128,
    }
}

typed_event! {
    /// `staking.unbonding_completed`: an entry's balance returned to its delegator.
    UnbondingCompleted = "staking.unbonding_completed", indexed [id, delegator, candidate] {
        /// Entry id.
        id: u64,
        /// The delegator.
        delegator: Address,
        /// The candidate.
        candidate: Address,
        /// Tokens paid out.
        amount: u128,
    }
}

typed_event! {
    /// `staking.redelegation_started`: stake moved at once (`staking.unbond` and `staking.bond`
    /// with reason `redelegate` precede it).
    RedelegationStarted = "staking.redelegation_started", indexed [id, delegator, source, destination] {
        /// Entry id.
        id: u64,
        /// The delegator.
        delegator: Address,
        /// Source candidate.
        source: Address,
        /// Destination candidate.
        destination: Address,
        /// Tokens moved.
        amount: u128,
        /// Destination shares minted.
        shares_dst: u128,
        /// Creation height.
        creation_height: u64,
        /// Completion time (ns).
        completion_time: u64,
    }
}

typed_event! {
    /// `staking.redelegation_matured`: the entry stopped being slashable and was removed.
    RedelegationMatured = "staking.redelegation_matured", indexed [id, delegator] {
        /// Entry id.
        id: u64,
        /// The delegator.
        delegator: Address,
    }
}

typed_event! {
    /// `staking.slash`: the summary of one `slash` call. The parts follow as
    /// `staking.slash_candidate`, `staking.slash_unbonding` and `staking.slash_redelegation`.
    Slash = "staking.slash", indexed [candidate] {
        /// The candidate.
        candidate: Address,
        /// Infraction height.
        infraction_height: u64,
        /// Fraction numerator.
        fraction_numerator: u128,
        /// Fraction denominator.
        fraction_denominator: u128,
        /// Tokens at the infraction (the base).
        base_tokens: u128,
        /// Target: `ceil(base × fraction)`.
        target: u128,
        /// Tokens burned in total.
        burned: u128,
    }
}

typed_event! {
    /// `staking.slash_candidate`: tokens burned from the candidate (every delegator's stake shrinks
    /// proportionally; shares unchanged).
    SlashCandidate = "staking.slash_candidate", indexed [candidate] {
        /// The candidate.
        candidate: Address,
        /// Tokens burned.
        amount: u128,
        /// Candidate tokens after.
        candidate_tokens: u128,
    }
}

typed_event! {
    /// `staking.slash_unbonding`: tokens burned from one unbonding entry.
    SlashUnbonding = "staking.slash_unbonding", indexed [id, delegator, candidate] {
        /// Entry id.
        id: u64,
        /// Its delegator.
        delegator: Address,
        /// The slashed candidate.
        candidate: Address,
        /// Tokens burned.
        amount: u128,
        /// Entry balance after (0: entry removed).
        balance: u128,
    }
}

typed_event! {
    /// `staking.slash_redelegation`: shares taken at the destination for one redelegation entry
    /// and their tokens burned.
    SlashRedelegation = "staking.slash_redelegation", indexed [id, delegator, source, destination] {
        /// Entry id.
        id: u64,
        /// Its delegator.
        delegator: Address,
        /// The slashed (source) candidate.
        source: Address,
        /// Where the shares were taken.
        destination: Address,
        /// Tokens burned.
        amount: u128,
        /// Destination shares burned.
        shares: u128,
        /// The delegator's shares at the destination after.
        delegator_shares: u128,
        /// Destination tokens after.
        candidate_tokens: u128,
        /// Destination shares after.
        candidate_shares: u128,
    }
}
