//! Queries (`slashing/<path>`).
//!
//! | path | request | response |
//! |---|---|---|
//! | `params` | `{}` | [`crate::Params`] |
//! | `signing_info` | `{"operator"}` | [`SigningInfoAnswer`]: the record, the window's thresholds, and where the candidate stands |
//! | `history` | `{"operator", "start_after"?: height, "limit"?}` | [`HistoryPage`]: punishments, oldest first |
//! | `can_unjail` | `{"operator"}` | `Preflight`: may it unjail in the next block, and if not, why and from when |

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use conclave_core::dry_run::DryRun;
use conclave_core::module::{parse_query, query_response};
use conclave_core::{Address, Preflight, StateRead};

use crate::error::SlashingError;
use crate::expected::{Candidates, Standing, ValidatorSets};
use crate::state::{HISTORY, PARAMS, SIGNING};
use crate::types::{SigningInfo, SlashRecord};
use crate::Slashing;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OperatorReq {
    operator: Address,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HistoryReq {
    operator: Address,
    #[serde(default)]
    start_after: Option<u64>,
    #[serde(default)]
    limit: Option<u32>,
}

/// The `signing_info` answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigningInfoAnswer {
    /// The operator.
    pub operator: Address,
    /// Its record (absent: never counted).
    pub info: Option<SigningInfo>,
    /// `params.signed_blocks_window`.
    pub window: u64,
    /// The most blocks it may miss in a window.
    pub max_missed: u64,
    /// `free`, `jailed` or `tombstoned`.
    pub standing: String,
    /// When its jail ends (block time, ns), if jailed.
    pub jailed_until: Option<u64>,
}

/// One page of a validator's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPage {
    /// Punishments, oldest first.
    pub items: Vec<SlashRecord>,
    /// The `start_after` of the next page, if there may be one.
    pub next: Option<u64>,
}

fn request<T: DeserializeOwned>(data: &[u8]) -> Result<T, SlashingError> {
    if data.iter().all(u8::is_ascii_whitespace) {
        return parse_query(b"{}").map_err(SlashingError::InvalidQuery);
    }
    parse_query(data).map_err(SlashingError::InvalidQuery)
}

impl<C: Candidates, V: ValidatorSets> Slashing<C, V> {
    /// Whether `operator` could unjail in the next block, and if not, why and from when.
    pub fn can_unjail(&self, state: &impl StateRead, operator: &Address) -> Result<Preflight, SlashingError> {
        let at = self.candidates.next_block(state).map_err(|e| SlashingError::from_candidates::<C>(&e))?;
        let mut dry = DryRun::new(state);
        match self.unjail(&mut dry, at, operator) {
            Err(SlashingError::State(e)) => Err(SlashingError::State(e)),
            other => Ok(Preflight::from_result(other, SlashingError::earliest_time)),
        }
    }

    pub(crate) fn answer(&self, state: &impl StateRead, path: &str, data: &[u8]) -> Result<Vec<u8>, SlashingError> {
        Ok(match path {
            "params" => query_response(&PARAMS.load(state)?),
            "signing_info" => {
                let req: OperatorReq = request(data)?;
                let params = PARAMS.load(state)?;
                let standing = self
                    .candidates
                    .standing(state, &req.operator)
                    .map_err(|e| SlashingError::from_candidates::<C>(&e))?;
                let (standing, jailed_until) = match standing {
                    Standing::Free => ("free", None),
                    Standing::Jailed { until } => ("jailed", Some(until.0)),
                    Standing::Tombstoned => ("tombstoned", None),
                };
                query_response(&SigningInfoAnswer {
                    operator: req.operator,
                    info: SIGNING.get(state, &req.operator)?,
                    window: params.signed_blocks_window,
                    max_missed: params.max_missed_blocks(),
                    standing: standing.to_string(),
                    jailed_until,
                })
            }
            "history" => {
                let req: HistoryReq = request(data)?;
                let limit = usize::try_from(req.limit.unwrap_or(50).clamp(1, 200)).unwrap_or(50);
                let iter = match req.start_after {
                    Some(height) => HISTORY.iter_from(state, &(req.operator, height.saturating_add(1), 0)),
                    None => HISTORY.iter_prefix(state, &req.operator),
                };
                // A page ends at a block boundary, so a cursor by height never splits a block's
                // two records (a downtime and a double sign in the same block).
                let mut items: Vec<SlashRecord> = Vec::new();
                let mut full = false;
                for entry in iter {
                    let ((operator, height, _), record) = entry?;
                    if operator != req.operator {
                        break;
                    }
                    if items.len() >= limit && items.last().is_some_and(|last| last.height != height) {
                        full = true;
                        break;
                    }
                    items.push(record);
                }
                let next = if full { items.last().map(|r| r.height) } else { None };
                query_response(&HistoryPage { items, next })
            }
            "can_unjail" => {
                let req: OperatorReq = request(data)?;
                query_response(&self.can_unjail(state, &req.operator)?)
            }
            _ => return Err(SlashingError::UnknownQuery { path: path.chars().take(64).collect() }),
        })
    }
}
