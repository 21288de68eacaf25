//! Queries: JSON in, JSON out, at paths relative to the module (`rotation/<path>`).
//!
//! | path | request | response |
//! |---|---|---|
//! | `params` | `{}` | [`Params`] |
//! | `validators` | `{}` | [`SetRecord`] or `null`: the last set sent to CometBFT (signs from `from_height`) |
//! | `validators_at` | `{"height": h}` | [`SetRecord`] or `null`: the set that signs height `h` |
//! | `preview` | `{}` | [`Preview`]: who would be elected if the epoch ended now |
//! | `epoch` | `{}` | [`EpochInfo`] of the next block |

use conclave_core::module::{parse_query, query_response};
use conclave_core::StateRead;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::elect::{diff, total_power, Member};
use crate::epoch::{elect, rails, set_at, SkipReason};
use crate::error::RotationError;
use crate::expected::CandidateRegistry;
use crate::params::Params;
use crate::state::{CURRENT, PARAMS};
use crate::types::SetRecord;

/// Request of `validators_at`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeightRequest {
    /// The height.
    pub height: u64,
}

/// Request of the queries that take no parameters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

/// Response of `preview`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Preview {
    /// The epoch that would end.
    pub epoch: u64,
    /// The validators that would be elected, capped.
    pub validators: Vec<Member>,
    /// Their total power.
    pub total_power: u64,
    /// Set when a rail would keep the current set instead.
    pub skipped: Option<SkipReason>,
    /// How many updates CometBFT would receive.
    pub updates: usize,
}

/// Response of `epoch`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EpochInfo {
    /// Epoch number (from 0).
    pub number: u64,
    /// First height.
    pub start_height: u64,
    /// Last height: its end-block runs the election.
    pub end_height: u64,
    /// `params.epoch_length`.
    pub epoch_length: u64,
    /// The height the epoch's set would start signing (`end_height + 2`).
    pub next_set_from_height: u64,
}

fn request<T: DeserializeOwned>(data: &[u8]) -> Result<T, RotationError> {
    if data.iter().all(u8::is_ascii_whitespace) {
        return parse_query(b"{}").map_err(RotationError::InvalidQuery);
    }
    parse_query(data).map_err(RotationError::InvalidQuery)
}

/// The epoch of the next block (the registry records the last block it saw).
pub fn epoch_info<R: CandidateRegistry>(registry: &R, state: &impl StateRead) -> Result<EpochInfo, RotationError> {
    let params = PARAMS.load(state)?;
    let height = registry.next_height(state).map_err(|e| RotationError::from_registry::<R>(&e))?;
    let number = params.epoch_of(height);
    let (start_height, end_height) = params.epoch_bounds(number);
    Ok(EpochInfo {
        number,
        start_height,
        end_height,
        epoch_length: params.epoch_length,
        next_set_from_height: end_height.saturating_add(2),
    })
}

/// The `preview` answer.
pub fn preview<R: CandidateRegistry>(registry: &R, state: &impl StateRead) -> Result<Preview, RotationError> {
    let params: Params = PARAMS.load(state)?;
    let validators = elect(registry, state, &params)?;
    let skipped = rails(&validators, &params);
    let old = CURRENT.get(state)?.map(|r| r.validators).unwrap_or_default();
    let updates = if skipped.is_some() {
        0
    } else {
        diff(&old, &validators)
            .map_err(|key| RotationError::DuplicateConsensusKey { key: conclave_core::state::hex(&key) })?
            .len()
    };
    Ok(Preview {
        epoch: epoch_info(registry, state)?.number,
        total_power: total_power(&validators),
        validators,
        skipped,
        updates,
    })
}

pub(crate) fn answer<R: CandidateRegistry>(
    registry: &R,
    state: &impl StateRead,
    path: &str,
    data: &[u8],
) -> Result<Vec<u8>, RotationError> {
    Ok(match path {
        "params" => {
            request::<NoParams>(data)?;
            query_response(&PARAMS.load(state)?)
        }
        "validators" => {
            request::<NoParams>(data)?;
            query_response(&CURRENT.get(state)?)
        }
        "validators_at" => {
            let req: HeightRequest = request(data)?;
            let record: Option<SetRecord> = set_at(state, req.height)?;
            query_response(&record)
        }
        "preview" => {
            request::<NoParams>(data)?;
            query_response(&preview(registry, state)?)
        }
        "epoch" => {
            request::<NoParams>(data)?;
            query_response(&epoch_info(registry, state)?)
        }
        _ => return Err(RotationError::UnknownQuery { path: path.to_owned() }),
    })
}
