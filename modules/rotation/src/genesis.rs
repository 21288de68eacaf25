//! Genesis: parameters, and either the exported set and history (import) or nothing, in which
//! case the genesis set is elected from staking's genesis state.

use conclave_core::At;
use conclave_core::{StateRead, StateWrite};

use crate::expected::CandidateRegistry;
use serde::{Deserialize, Serialize};

use crate::error::RotationError;
use crate::params::Params;
use crate::state::{CURRENT, HISTORY, PARAMS};
use crate::types::SetRecord;
use crate::Rotation;

/// The `rotation` genesis section.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Genesis {
    /// Parameters.
    #[serde(default)]
    pub params: Params,
    /// The current set (export). Absent: elect the genesis set from staking's state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<SetRecord>,
    /// The set history (export), by `from_height`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<SetRecord>,
}

fn invalid(message: impl Into<String>) -> RotationError {
    RotationError::InvalidGenesis(message.into())
}

pub(crate) fn init<R: CandidateRegistry>(
    rotation: &Rotation<R>,
    state: &mut impl StateWrite,
    g: &Genesis,
) -> Result<(), RotationError> {
    g.params.validate().map_err(invalid)?;
    if PARAMS.get(state)?.is_some() {
        return Err(invalid("rotation state already exists; run genesis on a fresh state"));
    }
    PARAMS.put(state, &g.params)?;
    match &g.current {
        Some(current) => {
            CURRENT.put(state, current)?;
            let mut last = None;
            for record in &g.history {
                if last.is_some_and(|h| record.from_height <= h) {
                    return Err(invalid("history must be sorted by from_height, without duplicates"));
                }
                last = Some(record.from_height);
                HISTORY.put(state, &record.from_height, record)?;
            }
        }
        None => {
            if !g.history.is_empty() {
                return Err(invalid("history given without current"));
            }
            // The registry's genesis must already be written (the app's genesis order).
            rotation.run_election(state, &g.params, At::GENESIS, 0)?;
            crate::epoch::record_changes(state, None)?;
        }
    }
    Ok(())
}

pub(crate) fn export(state: &impl StateRead) -> Result<Genesis, RotationError> {
    let params = PARAMS.load(state)?;
    let current = CURRENT.get(state)?;
    let mut history = Vec::new();
    for item in HISTORY.iter(state) {
        history.push(item?.1);
    }
    Ok(Genesis { params, current, history })
}
