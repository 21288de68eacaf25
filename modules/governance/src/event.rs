//! Events governance emits (kinds `governance.<name>`). Addresses are bech32 (`<prefix>1…`),
//! amounts decimal tokens of the bond denomination, times nanoseconds of block time. The query
//! keys ([`conclave_core::TypedEvent::is_indexed`]) are the proposal id, the accounts (proposer,
//! depositor, voter, delegator, delegate) and a vote's option; an outcome is its event's kind.
//! Tallies, amounts, times and texts are values no search needs (a node that wants every
//! attribute sets `[events] index = "all"`; docs/indexing.md).
//! `governance.params_updated` is emitted by `conclave_core::authority::update_params`.

use conclave_core::{typed_event, Address};

typed_event! {
    /// `governance.submitted`: a proposal was submitted (its deposit period starts).
    Submitted = "governance.submitted", indexed [proposal, proposer] {
        /// The proposal.
        proposal: u64,
        /// Who submitted it.
        proposer: Address,
        /// How many messages it executes if it passes (0: a text proposal).
        messages: u64,
        /// What the messages are, comma-separated (the router's descriptions).
        kinds: String,
        /// The end of its deposit period.
        deposit_end: u64,
    }
}

typed_event! {
    /// `governance.deposit`: tokens were escrowed for a proposal.
    Deposited = "governance.deposit", indexed [proposal, depositor] {
        /// The proposal.
        proposal: u64,
        /// The depositor.
        depositor: Address,
        /// Tokens added.
        amount: u128,
        /// The proposal's deposits now.
        total: u128,
    }
}

typed_event! {
    /// `governance.voting_started`: deposits reached `min_deposit`; the stake is snapshotted.
    VotingStarted = "governance.voting_started", indexed [proposal] {
        /// The proposal.
        proposal: u64,
        /// When voting ends.
        voting_end: u64,
        /// Until when validators may vote.
        validators_until: u64,
        /// Σ tokens of the snapshotted candidates (the quorum's base).
        total_stake: u128,
        /// How many candidates were snapshotted.
        candidates: u64,
    }
}

typed_event! {
    /// `governance.vote`: a voter voted (or changed its vote).
    Voted = "governance.vote", indexed [proposal, voter, option] {
        /// The proposal.
        proposal: u64,
        /// The voter.
        voter: Address,
        /// Its option.
        option: crate::types::VoteOption,
    }
}

typed_event! {
    /// `governance.delegated`: a voter gave its governance power to a delegate.
    Delegated = "governance.delegated", indexed [delegator, delegate] {
        /// The voter.
        delegator: Address,
        /// Its new delegate.
        delegate: Address,
    }
}

typed_event! {
    /// `governance.undelegated`: a voter took its governance power back (or moved it:
    /// `delegated` follows).
    Undelegated = "governance.undelegated", indexed [delegator, delegate] {
        /// The voter.
        delegator: Address,
        /// Its former delegate.
        delegate: Address,
    }
}

macro_rules! outcome_event {
    ($(#[$doc:meta])* $name:ident = $kind:literal) => {
        typed_event! {
            $(#[$doc])*
            $name = $kind, indexed [proposal] {
                /// The proposal.
                proposal: u64,
                /// Yes (tokens at the snapshot).
                yes: u128,
                /// No.
                no: u128,
                /// Abstain.
                abstain: u128,
                /// No with veto.
                no_with_veto: u128,
                /// The snapshot's total stake.
                total_stake: u128,
            }
        }
    };
}

outcome_event! {
    /// `governance.passed`: it passed and every message executed.
    Passed = "governance.passed"
}
outcome_event! {
    /// `governance.rejected`: no quorum, or the threshold was not met.
    Rejected = "governance.rejected"
}
outcome_event! {
    /// `governance.vetoed`: no-with-veto reached `veto_ppb` of the votes cast.
    Vetoed = "governance.vetoed"
}

typed_event! {
    /// `governance.failed`: it passed but a message failed; nothing of it was applied.
    Failed = "governance.failed", indexed [proposal] {
        /// The proposal.
        proposal: u64,
        /// Yes.
        yes: u128,
        /// No.
        no: u128,
        /// Abstain.
        abstain: u128,
        /// No with veto.
        no_with_veto: u128,
        /// The snapshot's total stake.
        total_stake: u128,
        /// The failing message's index.
        message: u64,
        /// `codespace code N: log` of its error.
        error: String,
    }
}

typed_event! {
    /// `governance.dropped`: the deposit period ended below `min_deposit`.
    Dropped = "governance.dropped", indexed [proposal] {
        /// The proposal.
        proposal: u64,
        /// Its deposits (refunded).
        total_deposit: u128,
    }
}

typed_event! {
    /// `governance.deposits_refunded`: a proposal's deposits went back to their depositors.
    DepositsRefunded = "governance.deposits_refunded", indexed [proposal] {
        /// The proposal.
        proposal: u64,
        /// Tokens refunded in all.
        amount: u128,
        /// How many depositors.
        depositors: u64,
    }
}

typed_event! {
    /// `governance.deposits_burned`: a vetoed proposal's deposits were destroyed.
    DepositsBurned = "governance.deposits_burned", indexed [proposal] {
        /// The proposal.
        proposal: u64,
        /// Tokens burned.
        amount: u128,
    }
}
