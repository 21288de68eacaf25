//! Slashing's genesis section: parameters, signing records, missed-block bitmaps and the
//! history. `init(export(s))` rebuilds `s` key for key.
//!
//! ```json
//! { "params": { "signed_blocks_window": 10000, ... },
//!   "signing_infos": [ { "operator": "<hex>", "info": { "start_height": 5, ... } } ],
//!   "missed": [ { "operator": "<hex>", "chunk": 0, "bits": 5 } ],
//!   "history": [ { "operator": "<hex>", "record": { "reason": "downtime", ... } } ] }
//! ```

use serde::{Deserialize, Serialize};

use conclave_core::{Address, StateRead, StateWrite};

use crate::error::SlashingError;
use crate::params::Params;
use crate::state::{HISTORY, MISSED, PARAMS, SIGNING};
use crate::types::{SigningInfo, SlashRecord};

/// The slashing genesis section.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Genesis {
    /// Parameters.
    #[serde(default)]
    pub params: Params,
    /// Signing records (from an export).
    #[serde(default)]
    pub signing_infos: Vec<GenesisSigningInfo>,
    /// Non-empty bitmap chunks (from an export).
    #[serde(default)]
    pub missed: Vec<GenesisMissed>,
    /// Past punishments (from an export).
    #[serde(default)]
    pub history: Vec<GenesisRecord>,
}

/// One signing record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisSigningInfo {
    /// The operator.
    pub operator: Address,
    /// Its record.
    pub info: SigningInfo,
}

/// One bitmap chunk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisMissed {
    /// The operator.
    pub operator: Address,
    /// The chunk (64 blocks of the window).
    pub chunk: u64,
    /// Its bits (never 0).
    pub bits: u64,
}

/// One punishment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisRecord {
    /// The operator.
    pub operator: Address,
    /// The punishment.
    pub record: SlashRecord,
}

fn invalid(message: impl Into<String>) -> SlashingError {
    SlashingError::InvalidGenesis(message.into())
}

pub(crate) fn init(state: &mut impl StateWrite, g: &Genesis) -> Result<(), SlashingError> {
    g.params.validate().map_err(invalid)?;
    PARAMS.put(state, &g.params)?;
    for (i, s) in g.signing_infos.iter().enumerate() {
        if SIGNING.get(state, &s.operator)?.is_some() {
            return Err(invalid(format!("signing_infos[{i}]: {} appears twice", s.operator)));
        }
        SIGNING.put(state, &s.operator, &s.info)?;
    }
    let chunks = g.params.signed_blocks_window.div_ceil(crate::liveness::CHUNK_BITS);
    for (i, m) in g.missed.iter().enumerate() {
        if m.bits == 0 || m.chunk >= chunks {
            return Err(invalid(format!("missed[{i}]: chunk {} of {chunks} with bits {}", m.chunk, m.bits)));
        }
        if MISSED.get(state, &(m.operator, m.chunk))?.is_some() {
            return Err(invalid(format!("missed[{i}]: chunk {} of {} appears twice", m.chunk, m.operator)));
        }
        MISSED.put(state, &(m.operator, m.chunk), &m.bits)?;
    }
    for h in &g.history {
        HISTORY.put(state, &(h.operator, h.record.height, h.record.reason.code()), &h.record)?;
    }
    Ok(())
}

pub(crate) fn export(state: &impl StateRead) -> Result<Genesis, SlashingError> {
    let params = PARAMS.load(state)?;
    let mut signing_infos = Vec::new();
    for entry in SIGNING.iter(state) {
        let (operator, info) = entry?;
        signing_infos.push(GenesisSigningInfo { operator, info });
    }
    let mut missed = Vec::new();
    for entry in MISSED.iter(state) {
        let ((operator, chunk), bits) = entry?;
        missed.push(GenesisMissed { operator, chunk, bits });
    }
    let mut history = Vec::new();
    for entry in HISTORY.iter(state) {
        let ((operator, _, _), record) = entry?;
        history.push(GenesisRecord { operator, record });
    }
    Ok(Genesis { params, signing_infos, missed, history })
}
