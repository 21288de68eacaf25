//! Rotation's invariants, checked by tests after every block (never on chain: they read every
//! active candidate).
//!
//! 1. the current set is well formed: distinct operators and consensus keys, every power at
//!    least 1 and at most its uncapped vote weight, `total_power` their sum, at most
//!    `max_validators` members;
//! 2. the history is keyed by each record's `from_height`, and its last record holds the same
//!    members and powers as the current set (history is written whenever the set changes);
//! 3. the registry agrees: every active candidate is a member of the current set under the
//!    same consensus key (only an election makes a candidate active, and it applies pending
//!    keys).
//!    The converse does not hold: a member that exits mid-epoch (self-bond below the
//!    minimum) keeps its seat until the epoch ends; a jailed or tombstoned one leaves at the
//!    end of its block;
//! 4. no removal is left pending between blocks.

use std::collections::BTreeSet;

use conclave_core::StateRead;

use crate::expected::CandidateRegistry;
use crate::state::{CURRENT, HISTORY, PARAMS, REMOVALS};

fn e(err: impl std::fmt::Display) -> String {
    err.to_string()
}

/// Checks the invariants; the error describes the first violation found.
pub fn check(registry: &impl CandidateRegistry, state: &impl StateRead) -> Result<(), String> {
    let Some(params) = PARAMS.get(state).map_err(e)? else {
        return Ok(());
    };
    let current = CURRENT.get(state).map_err(e)?;
    let members = current.as_ref().map(|r| r.validators.as_slice()).unwrap_or_default();

    // 1. The current set.
    if let Some(record) = &current {
        let (mut operators, mut keys, mut total) = (BTreeSet::new(), BTreeSet::new(), 0u64);
        for m in members {
            if !operators.insert(m.operator) || !keys.insert(m.consensus_key) {
                return Err(format!("current set lists operator {} or its key twice", m.operator));
            }
            if m.power == 0 || m.power > m.votes {
                return Err(format!("member {} has power {} for {} votes", m.operator, m.power, m.votes));
            }
            total = total.checked_add(m.power).ok_or("current set power overflows")?;
        }
        if total != record.total_power {
            return Err(format!("current set total_power {} but its powers sum to {total}", record.total_power));
        }
        if members.len() > params.max_validators as usize {
            return Err(format!("current set has {} members, max_validators {}", members.len(), params.max_validators));
        }
    }

    // 2. The history.
    let mut last = None;
    for item in HISTORY.iter(state) {
        let (from_height, record) = item.map_err(e)?;
        if record.from_height != from_height {
            return Err(format!("history record stored at {from_height} says from_height {}", record.from_height));
        }
        last = Some(record);
    }
    let seats = |validators: &[crate::Member]| -> BTreeSet<([u8; 32], u64)> {
        validators.iter().map(|m| (m.consensus_key, m.power)).collect()
    };
    match (&current, &last) {
        (Some(current), Some(last)) if seats(&current.validators) != seats(&last.validators) => {
            return Err(format!(
                "the last history record (from height {}) differs from the current set (elected at {})",
                last.from_height, current.elected_at
            ));
        }
        (Some(current), None) => {
            return Err(format!("a current set (elected at {}) but no history", current.elected_at));
        }
        (None, Some(last)) => return Err(format!("history (from height {}) but no current set", last.from_height)),
        _ => {}
    }

    // 4. Removals are done by the end-block that scheduled them.
    if let Some(entry) = REMOVALS.iter(state).next() {
        let (operator, ()) = entry.map_err(e)?;
        return Err(format!("the removal of {operator} is still pending after its block"));
    }

    // 3. The registry's active candidates are members, under their current key.
    for (operator, consensus_key) in registry.active_candidates(state).map_err(e)? {
        match members.iter().find(|m| m.operator == operator) {
            None => return Err(format!("candidate {operator} is active but not in the current set")),
            Some(m) if m.consensus_key != consensus_key => {
                return Err(format!("active candidate {operator} has a consensus key its seat does not"));
            }
            Some(_) => {}
        }
    }
    Ok(())
}
