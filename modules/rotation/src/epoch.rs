//! The election at an epoch's end: read the candidates from staking, apply the rails, write
//! the statuses and keys, record the set and return CometBFT's updates.

use std::collections::BTreeSet;

use conclave_core::event::emit;
use conclave_core::{Address, BlockInfo, StateRead, StateWrite};
use conclave_staking::ledger::{candidate, self_bond};
use conclave_staking::query::candidates_by_power;
use conclave_staking::{At, Status};

use crate::elect::{cap_powers, diff, total_power, Entrant, Member, ValidatorUpdate};
use crate::error::RotationError;
use crate::event;
use crate::params::{Params, MAX_TOTAL_POWER};
use crate::state::{CURRENT, HISTORY, PARAMS};
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
/// staking's power index (power descending, then operator ascending), capped.
///
/// Eligible: status candidate or active (the index already excludes jailed, tombstoned and
/// exited candidates; checked again), self-bond ≥ staking's `min_self_bond`, and a self-bond
/// cap of at least 1 power.
pub fn elect(state: &impl StateRead, params: &Params) -> Result<Vec<Member>, RotationError> {
    let staking_params = conclave_staking::ledger::params(state)?;
    let seats = usize::try_from(params.max_validators).unwrap_or(usize::MAX);
    let mut entrants: Vec<Entrant> = Vec::new();
    let mut cursor: Option<conclave_staking::query::PowerCursor> = None;
    'scan: loop {
        let page = candidates_by_power(state, cursor.as_ref(), PAGE)?;
        let Some(&(last_power, last_op)) = page.last() else { break };
        for (votes, operator) in &page {
            let c = candidate(state, operator)?;
            if !matches!(c.status, Status::Candidate | Status::Active) {
                continue;
            }
            let bond = self_bond(state, &c)?;
            if bond < staking_params.min_self_bond {
                continue;
            }
            let bond_cap = bond
                .saturating_mul(u128::from(params.max_self_bond_multiple))
                .checked_div(staking_params.power_reduction)
                .unwrap_or(0);
            let bond_cap = u64::try_from(bond_cap).unwrap_or(u64::MAX);
            if bond_cap == 0 || *votes == 0 {
                continue;
            }
            entrants.push(Entrant {
                operator: *operator,
                consensus_key: c.pending_consensus_key.unwrap_or(c.consensus_key),
                votes: *votes,
                bond_cap,
            });
            if entrants.len() >= seats {
                break 'scan;
            }
        }
        if page.len() < PAGE {
            break;
        }
        cursor = Some(conclave_staking::query::PowerCursor { power: last_power, candidate: last_op });
    }
    Ok(cap_powers(&entrants, params))
}

impl Rotation {
    /// The end-block hook: at an epoch's last height, elects the next set and returns
    /// CometBFT's updates (effective at `height + 2`); otherwise returns nothing. This module's
    /// [`conclave_core::Module::end_block`] returns these as CometBFT's type.
    pub fn end_block_updates(
        &self,
        block: &BlockInfo,
        state: &mut impl StateWrite,
    ) -> Result<Vec<ValidatorUpdate>, RotationError> {
        let params = PARAMS.load(state)?;
        if !params.is_epoch_end(block.height) {
            return Ok(Vec::new());
        }
        self.run_election(state, &params, At::block(block), params.epoch_of(block.height))
    }

    /// Elects, applies the rails and, if the set may change, writes it (statuses, keys, record,
    /// history, events). `at.height == 0` is genesis: the set signs from the first block.
    pub(crate) fn run_election(
        &self,
        state: &mut impl StateWrite,
        params: &Params,
        at: At,
        epoch: u64,
    ) -> Result<Vec<ValidatorUpdate>, RotationError> {
        let elected = elect(state, params)?;
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
            return Ok(Vec::new());
        }
        let old = CURRENT.get(state)?.map(|r| r.validators).unwrap_or_default();
        let updates = diff(&old, &elected)
            .map_err(|key| RotationError::DuplicateConsensusKey { key: conclave_core::state::hex(&key) })?;

        // Keys: every elected validator's pending key becomes current (the set above already
        // uses it), and so does a leaving member's.
        let elected_ops: BTreeSet<Address> = elected.iter().map(|m| m.operator).collect();
        for op in elected_ops.iter().chain(old.iter().map(|m| &m.operator)) {
            self.staking.apply_pending_key(state, at, op)?;
        }
        // Statuses: leaving members still active become candidates; entering ones active.
        for m in &old {
            if !elected_ops.contains(&m.operator) && candidate(state, &m.operator)?.status == Status::Active {
                self.staking.set_inactive(state, at, &m.operator)?;
            }
        }
        for m in &elected {
            if candidate(state, &m.operator)?.status == Status::Candidate {
                self.staking.set_active(state, at, &m.operator)?;
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
        if !updates.is_empty() {
            HISTORY.put(state, &from_height, &record)?;
        }
        for m in &record.validators {
            if m.power < m.votes {
                emit(state, &event::PowerCapped { operator: m.operator, votes: m.votes, power: m.power })?;
            }
        }
        for u in &updates {
            let operator = record
                .validators
                .iter()
                .chain(old.iter())
                .find(|m| m.consensus_key == u.pub_key)
                .map_or(Address([0; 20]), |m| m.operator);
            emit(
                state,
                &event::ValidatorUpdated {
                    operator,
                    consensus_key: conclave_core::state::hex(&u.pub_key),
                    power: u.power,
                },
            )?;
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
        Ok(updates)
    }
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
