//! Events rewards emits (kinds `rewards.<name>`). Addresses are bech32 (`<prefix>1…`), amounts
//! decimal tokens of the bond denomination, rates ppb. The query keys
//! ([`conclave_core::TypedEvent::is_indexed`]) are the accounts an event is about (candidate,
//! delegator, operator, recipient); amounts are values, and `community_pool_spent`'s authority is
//! always the parameter authority. The two block-wide events have no account, so each indexes
//! one attribute for `/block_search` to find it by: `inflation_updated` its new `inflation_ppb`,
//! `distributed` its `fees`. A node that wants every attribute sets `[events] index = "all"`
//! (docs/indexing.md).

use conclave_core::{typed_event, Address};

typed_event! {
    /// `rewards.inflation_updated`: an epoch moved the inflation toward the bonded goal.
    InflationUpdated = "rewards.inflation_updated", indexed [inflation_ppb] {
        /// The new annual inflation.
        inflation_ppb: u64,
        /// The bonded ratio it moved by.
        bonded_ratio_ppb: u64,
        /// Tokens a year at this inflation and supply.
        annual_provisions: u128,
    }
}

typed_event! {
    /// `rewards.distributed`: one block's rewards.
    Distributed = "rewards.distributed", indexed [fees] {
        /// Fees collected since the last distribution.
        fees: u128,
        /// Tokens minted for this block.
        minted: u128,
        /// To the community pool (tax, and the rounding dust of whole tokens).
        community: u128,
        /// The proposer's bonus.
        proposer_bonus: u128,
        /// To the validators that signed the previous block, by power.
        validators: u128,
    }
}

typed_event! {
    /// `rewards.validator_rewarded`: one validator's part of a block's rewards.
    ValidatorRewarded = "rewards.validator_rewarded", indexed [candidate] {
        /// The candidate.
        candidate: Address,
        /// Its part (bonus included).
        amount: u128,
        /// Of which the proposer's bonus.
        proposer_bonus: u128,
        /// Of which its operator's commission.
        commission: u128,
        /// Of which its delegators', by shares.
        delegators: u128,
    }
}

typed_event! {
    /// `rewards.claimed`: a delegator took its rewards from one candidate.
    Claimed = "rewards.claimed", indexed [delegator, candidate] {
        /// The delegator.
        delegator: Address,
        /// The candidate.
        candidate: Address,
        /// Tokens paid.
        amount: u128,
    }
}

typed_event! {
    /// `rewards.commission_withdrawn`: an operator took its commission.
    CommissionWithdrawn = "rewards.commission_withdrawn", indexed [operator] {
        /// The operator (candidate).
        operator: Address,
        /// Tokens paid.
        amount: u128,
    }
}

typed_event! {
    /// `rewards.community_pool_spent`: the parameter authority paid from the community pool.
    CommunityPoolSpent = "rewards.community_pool_spent", indexed [recipient] {
        /// Who received the tokens.
        recipient: Address,
        /// Tokens paid, in the bond denomination.
        amount: u128,
        /// Who spent them (the parameter authority).
        authority: Address,
    }
}
