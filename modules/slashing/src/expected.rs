//! What slashing needs from other modules, as traits slashing owns. The app gives
//! [`crate::Slashing::new`] implementations; `conclave-staking`'s `Staking` is
//! [`Candidates`] and `conclave-rotation`'s `Rotation` is [`ValidatorSets`], behind this
//! crate's default features (`staking_adapter.rs`, `rotation_adapter.rs`).
//!
//! Slashing decides *when* to punish and keeps the signing records; the candidates' module
//! takes the stake and keeps their status; the validator-set module knows who signed which
//! height and takes a punished validator out of the set.

use std::fmt::Debug;

use conclave_core::{Address, At, BlockTime, ConsensusAddress, ModuleError, Ratio, StateRead, StateWrite};

/// Where a candidate stands, as far as slashing cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Neither jailed nor tombstoned (it may sign: active, candidate or exited).
    Free,
    /// Jailed until block time `until`.
    Jailed {
        /// When the jail time is over.
        until: BlockTime,
    },
    /// Punished for good (double sign).
    Tombstoned,
}

/// What one slash took, in tokens.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Slashed {
    /// The candidate's tokens at the infraction height (the base).
    pub base_tokens: u128,
    /// `ceil(base × fraction)`.
    pub target: u128,
    /// Burned from the candidate's own tokens.
    pub from_candidate: u128,
    /// Burned from unbonding entries begun at or after the infraction.
    pub from_unbondings: u128,
    /// Burned at the destinations of redelegations begun at or after the infraction.
    pub from_redelegations: u128,
}

/// The candidates slashing punishes.
pub trait Candidates: Clone + Debug {
    /// The module's error: slashing reports it with that module's codespace and code.
    type Error: ModuleError;

    /// The block time (ns) at which a time rule behind `error` stops refusing, if it is one.
    fn earliest_time(error: &Self::Error) -> Option<u64>;

    /// Where `operator` stands.
    fn standing(&self, state: &impl StateRead, operator: &Address) -> Result<Standing, Self::Error>;

    /// Takes `fraction` of `operator`'s stake at `infraction_height` (with the unbondings and
    /// redelegations begun at or after it); amounts round up.
    fn slash(
        &self,
        state: &mut impl StateWrite,
        at: At,
        operator: &Address,
        infraction_height: u64,
        fraction: Ratio,
    ) -> Result<Slashed, Self::Error>;

    /// Jails `operator` until `until` (it can take no seat meanwhile).
    fn jail(
        &self,
        state: &mut impl StateWrite,
        at: At,
        operator: &Address,
        until: BlockTime,
    ) -> Result<(), Self::Error>;

    /// Jails `operator` for good.
    fn tombstone(&self, state: &mut impl StateWrite, at: At, operator: &Address) -> Result<(), Self::Error>;

    /// Frees a jailed `operator` once its time is over and its self-bond suffices.
    fn unjail(&self, state: &mut impl StateWrite, at: At, operator: &Address) -> Result<(), Self::Error>;

    /// The block a pre-flight dry run executes in (the one after the last block seen).
    fn next_block(&self, state: &impl StateRead) -> Result<At, Self::Error>;
}

/// The validator sets by height.
pub trait ValidatorSets: Clone + Debug {
    /// The module's error: slashing reports it with that module's codespace and code.
    type Error: ModuleError;

    /// The validators that sign `height`: each consensus address with its operator.
    fn signers_at(&self, state: &impl StateRead, height: u64) -> Result<Vec<(ConsensusAddress, Address)>, Self::Error>;

    /// Takes `operator` out of the set at the end of this block (jailed or tombstoned).
    fn remove(&self, state: &mut impl StateWrite, operator: &Address) -> Result<(), Self::Error>;
}
