//! The records rewards stores. Amounts owed to delegators are kept in **scaled units**
//! (`× SCALE`), so per-share accounting loses nothing: every scaled unit is owed to a
//! candidate's delegators (`outstanding_scaled`), to one delegator (`earned_scaled`), or is
//! dust (`Totals::dust_scaled`), and the rewards pool holds exactly their sum (invariant).

use borsh::{BorshDeserialize, BorshSerialize};
use conclave_core::BlockTime;
use serde::{Deserialize, Serialize};

/// Scaled units per token unit: `10^18`.
pub const SCALE: u128 = 1_000_000_000_000_000_000;

/// The issuance state.
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Minter {
    /// Current annual inflation, ppb of the supply.
    pub inflation_ppb: u64,
    /// Tokens issued per year at the current inflation and the supply of the last update.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub annual_provisions: u128,
    /// Block time of the last inflation update (0: not yet started).
    pub last_update: BlockTime,
    /// Block time of the last mint (0: not yet started).
    pub last_mint: BlockTime,
    /// What the last mint's rounding held back: `annual × elapsed mod YEAR_NANOS`, carried
    /// into the next mint so issuance over time is exact.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub carry: u128,
}

/// A candidate's rewards.
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CandidateRewards {
    /// Cumulative reward per share, scaled: what one share earned since the chain began.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub reward_per_share: u128,
    /// Scaled units given to its delegators and not yet settled into their `earned_scaled`.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub outstanding_scaled: u128,
    /// Commission not yet withdrawn by its operator, in tokens.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub commission: u128,
}

/// One delegator's rewards at one candidate.
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoteRewards {
    /// The candidate's `reward_per_share` when this was last settled.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub index: u128,
    /// Settled and not yet claimed, scaled.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub earned_scaled: u128,
}

/// What came in and went out, for the conservation invariant.
#[derive(Clone, Debug, Default, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Totals {
    /// Tokens minted.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub minted: u128,
    /// Fees collected.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub fees: u128,
    /// Paid out: claims, commission withdrawals and community-pool spends.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub paid: u128,
    /// Rounding remainders not yet a whole token, scaled; moved to the community pool a
    /// whole token at a time.
    #[serde(with = "conclave_core::coin::amount_string")]
    pub dust_scaled: u128,
}
