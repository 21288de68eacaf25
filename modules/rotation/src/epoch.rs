//! The election at an epoch's end: read the candidates from the registry, apply the rails,
//! write the statuses and keys, record the set and return CometBFT's updates.

use std::collections::BTreeSet;

use conclave_core::event::emit;
use conclave_core::{Address, At, BlockInfo, StateRead, StateWrite};

use crate::elect::{cap_powers, diff, share_cap, total_power, Entrant, Member, ValidatorUpdate};
use crate::error::RotationError;
use crate::event;
use crate::expected::{CandidateRegistry, RankCursor};
use crate::params::{Params, MAX_TOTAL_POWER};
use crate::state::{CURRENT, HISTORY, PARAMS, REMOVALS};
use crate::types::SetRecord;
use crate::Rotation;

/// Why an election kept the current set.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// No eligible candidate.
    Empty,
    /// Fewer eligible candidates than `min_validators`.
    BelowMinValidators,
    /// The capped total power exceeds CometBFT's `MaxInt64 / 8`.
    TotalPowerTooLarge,
}

impl SkipReason {
    /// The name used in events and queries.
    pub fn name(self) -> &'static str {
        match self {
            SkipReason::Empty => "empty",
            SkipReason::BelowMinValidators => "below_min_validators",
            SkipReason::TotalPowerTooLarge => "total_power_too_large",
        }
    }
}

/// The safety rails: `Some(reason)` when `elected` must not replace the current set.
pub fn rails(elected: &[Member], params: &Params) -> Option<SkipReason> {
    if elected.is_empty() {
        Some(SkipReason::Empty)
    } else if elected.len() < usize::try_from(params.min_validators).unwrap_or(usize::MAX) {
        Some(SkipReason::BelowMinValidators)
    } else if elected.iter().try_fold(0u64, |acc, m| acc.checked_add(m.power)).is_none_or(|t| t > MAX_TOTAL_POWER) {
        Some(SkipReason::TotalPowerTooLarge)
    } else {
        None
    }
}

/// Page size of the power-index scan.
const PAGE: usize = 200;

/// Who would be elected now (read only): the first `max_validators` eligible candidates of
/// the registry's ranking (vote weight descending, then operator ascending), capped.
///
/// Eligible: what the registry's ranking returns (its rules: status, minimum self-bond),
/// with votes and a self-bond cap of at least 1 power.
pub fn elect<R: CandidateRegistry>(
    registry: &R,
    state: &impl StateRead,
    params: &Params,
) -> Result<Vec<Member>, RotationError> {
    let registry_error = |e: R::Error| RotationError::from_registry::<R>(&e);
    let power_reduction = registry.power_reduction(state).map_err(registry_error)?;
    let seats = usize::try_from(params.max_validators).unwrap_or(usize::MAX);
    let mut entrants: Vec<Entrant> = Vec::new();
    let mut cursor: Option<RankCursor> = None;
    'scan: loop {
        let page = registry.ranking(state, cursor, PAGE).map_err(registry_error)?;
        for c in &page.contenders {
            let bond_cap = c
                .self_bond
                .saturating_mul(u128::from(params.max_self_bond_multiple))
                .checked_div(power_reduction)
                .unwrap_or(0);
            let bond_cap = u64::try_from(bond_cap).unwrap_or(u64::MAX);
            if bond_cap == 0 || c.votes == 0 {
                continue;
            }
            entrants.push(Entrant { operator: c.operator, consensus_key: c.consensus_key, votes: c.votes, bond_cap });
            if entrants.len() >= seats {
                break 'scan;
            }
        }
        match page.next {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    Ok(cap_powers(&entrants, params))
}

impl<R: CandidateRegistry> Rotation<R> {
    /// Schedules `operator`'s removal from the set at the end of this block: a validator
    /// jailed or tombstoned mid-epoch must stop signing at once, not at the epoch's end.
    /// Returns whether it was a member (a candidate outside the set needs nothing).
    pub fn schedule_removal(&self, state: &mut impl StateWrite, operator: &Address) -> Result<bool, RotationError> {
        let member = CURRENT.get(state)?.is_some_and(|r| r.validators.iter().any(|m| m.operator == *operator));
        if member {
            REMOVALS.put(state, operator, &())?;
        }
        Ok(member)
    }

    /// The end-block hook: removes the members scheduled for removal in this block, then, at
    /// an epoch's last height, elects the next set; returns CometBFT's updates (effective at
    /// `height + 2`), one per changed key, from the set before this block to the set after.
    /// This module's [`conclave_core::Module::end_block`] returns these as CometBFT's type.
    pub fn end_block_updates(
        &self,
        block: &BlockInfo,
        state: &mut impl StateWrite,
    ) -> Result<Vec<ValidatorUpdate>, RotationError> {
        let params = PARAMS.load(state)?;
        let at = At::block(block);
        let before = CURRENT.get(state)?;
        self.apply_removals(state, &params, at)?;
        if params.is_epoch_end(block.height) {
            self.run_election(state, &params, at, params.epoch_of(block.height))?;
        }
        record_changes(state, before)
    }

    /// Takes the scheduled removals out of the current set (never its last member), and
    /// re-applies the share cap to the members left when there are enough of them for the cap
    /// to hold (`members × max_power_share ≥ 100 %`; below that no set of powers satisfies it,
    /// and the elected powers stay). Self-bond caps only shrink with the cap, so they still hold.
    fn apply_removals(&self, state: &mut impl StateWrite, params: &Params, at: At) -> Result<(), RotationError> {
        let pending = REMOVALS.iter(state).map(|r| r.map(|(operator, ())| operator)).collect::<Result<Vec<_>, _>>()?;
        if pending.is_empty() {
            return Ok(());
        }
        for operator in &pending {
            REMOVALS.delete(state, operator)?;
        }
        let Some(mut record) = CURRENT.get(state)? else { return Ok(()) };
        let mut removed = Vec::new();
        for operator in pending {
            let Some(position) = record.validators.iter().position(|m| m.operator == operator) else { continue };
            if record.validators.len() <= 1 {
                emit(state, &event::RemovalRefused { operator, height: at.height })?;
                continue;
            }
            record.validators.remove(position);
            removed.push(operator);
        }
        if removed.is_empty() {
            return Ok(());
        }
        let seats = u128::try_from(record.validators.len()).unwrap_or(u128::MAX);
        if seats.saturating_mul(u128::from(params.max_power_share_ppb)) >= u128::from(crate::params::PPB_ONE) {
            let powers: Vec<u64> = record.validators.iter().map(|m| m.power).collect();
            if let Some(cap) = share_cap(&powers, params.max_power_share_ppb) {
                for m in &mut record.validators {
                    m.power = m.power.min(cap);
                }
            }
        }
        record.from_height = at.height.saturating_add(2);
        record.total_power = total_power(&record.validators);
        let validators = record.validators.len();
        CURRENT.put(state, &record)?;
        for operator in removed {
            emit(
                state,
                &event::ValidatorRemoved { operator, height: at.height, from_height: record.from_height, validators },
            )?;
        }
        Ok(())
    }

    /// Elects, applies the rails and, if the set may change, writes it as the current set
    /// (statuses, keys, events). `at.height == 0` is genesis: the set signs from the first
    /// block. The history and the updates are [`record_changes`]'s.
    pub(crate) fn run_election(
        &self,
        state: &mut impl StateWrite,
        params: &Params,
        at: At,
        epoch: u64,
    ) -> Result<(), RotationError> {
        let registry_error = |e: R::Error| RotationError::from_registry::<R>(&e);
        let elected = elect(&self.registry, state, params)?;
        if let Some(reason) = rails(&elected, params) {
            emit(
                state,
                &event::ElectionSkipped {
                    epoch,
                    height: at.height,
                    reason: reason.name(),
                    elected: elected.len(),
                    min_validators: params.min_validators,
                },
            )?;
            return Ok(());
        }
        let old = CURRENT.get(state)?.map(|r| r.validators).unwrap_or_default();
        let updates = diff(&old, &elected)
            .map_err(|key| RotationError::DuplicateConsensusKey { key: conclave_core::state::hex(&key) })?;

        // Keys: every elected validator's pending key becomes current (the set above already
        // uses it), and so does a leaving member's.
        let elected_ops: BTreeSet<Address> = elected.iter().map(|m| m.operator).collect();
        for op in elected_ops.iter().chain(old.iter().map(|m| &m.operator)) {
            self.registry.apply_pending_key(state, at, op).map_err(registry_error)?;
        }
        // Statuses: leaving members still active become candidates; entering ones active.
        for m in &old {
            if !elected_ops.contains(&m.operator)
                && self.registry.is_active(state, &m.operator).map_err(registry_error)?
            {
                self.registry.deactivate(state, at, &m.operator).map_err(registry_error)?;
            }
        }
        for m in &elected {
            if !self.registry.is_active(state, &m.operator).map_err(registry_error)? {
                self.registry.activate(state, at, &m.operator).map_err(registry_error)?;
            }
        }

        let from_height = if at.height == 0 { 0 } else { at.height.saturating_add(2) };
        let record = SetRecord {
            epoch,
            elected_at: at.height,
            from_height,
            total_power: total_power(&elected),
            validators: elected,
        };
        CURRENT.put(state, &record)?;
        for m in &record.validators {
            if m.power < m.votes {
                emit(state, &event::PowerCapped { operator: m.operator, votes: m.votes, power: m.power })?;
            }
        }
        emit(
            state,
            &event::SetElected {
                epoch,
                height: at.height,
                from_height,
                validators: record.validators.len(),
                total_power: record.total_power,
                updates: updates.len(),
            },
        )?;
        Ok(())
    }
}

/// Compares the current set with the one `before` this block's changes: records the current
/// set in the history (by the first height it signs) if any key changed, emits one
/// `rotation.validator_update` per update, and returns the updates (sorted by key, each key
/// once, as CometBFT requires).
pub(crate) fn record_changes(
    state: &mut impl StateWrite,
    before: Option<SetRecord>,
) -> Result<Vec<ValidatorUpdate>, RotationError> {
    let Some(after) = CURRENT.get(state)? else { return Ok(Vec::new()) };
    let old = before.map(|r| r.validators).unwrap_or_default();
    let updates = diff(&old, &after.validators)
        .map_err(|key| RotationError::DuplicateConsensusKey { key: conclave_core::state::hex(&key) })?;
    if updates.is_empty() {
        return Ok(updates);
    }
    HISTORY.put(state, &after.from_height, &after)?;
    for u in &updates {
        let operator = after
            .validators
            .iter()
            .chain(old.iter())
            .find(|m| m.consensus_key == u.pub_key)
            .map_or(Address([0; 20]), |m| m.operator);
        emit(
            state,
            &event::ValidatorUpdated { operator, consensus_key: conclave_core::state::hex(&u.pub_key), power: u.power },
        )?;
    }
    Ok(updates)
}

/// The set signing at `height`: the history record with the largest `from_height ≤ height`.
pub fn set_at(state: &impl StateRead, height: u64) -> Result<Option<SetRecord>, RotationError> {
    let lower = HISTORY.storage_key(&0);
    let upper = HISTORY.storage_key(&height);
    match state.last_raw(std::ops::Bound::Included(&lower), std::ops::Bound::Included(&upper))? {
        Some((key, value)) => {
            let record: SetRecord =
                borsh::from_slice(&value).map_err(|e| conclave_core::StateError::corrupt(&key, e))?;
            Ok(Some(record))
        }
        None => Ok(None),
    }
}

/// At the chain's first block: the set that signs it is InitChain's, which is `current`
/// ([`crate::Rotation::genesis_validators`]), so `current` signs from `height` on.
///
/// This matters only for a chain imported from an export: when the exporting chain's last
/// block changed the set, `current` was recorded to sign from two heights later, with the
/// previous set in between; the imported chain has no "in between" (CometBFT starts it with
/// `current`). Records keyed above `height` are dropped (only `current`'s own, for an import
/// at the next height; every later one, for an import that restarts at height 1) and
/// `current` is recorded at `height`. The import itself writes the export unchanged, so its
/// root is the exporting chain's app hash; the rebase is part of the first block.
pub(crate) fn rebase_on_first_block(state: &mut impl StateWrite, height: u64) -> Result<(), RotationError> {
    let Some(mut current) = CURRENT.get(state)? else { return Ok(()) };
    if current.from_height <= height {
        return Ok(());
    }
    let mut later = Vec::new();
    for item in HISTORY.iter_rev(state) {
        let (from_height, _) = item?;
        if from_height <= height {
            break;
        }
        later.push(from_height);
    }
    for from_height in later {
        HISTORY.delete(state, &from_height)?;
    }
    current.from_height = height;
    HISTORY.put(state, &height, &current)?;
    CURRENT.put(state, &current)?;
    Ok(())
}
