//! Queries (`upgrade/<path>`).
//!
//! | path | request | response |
//! |---|---|---|
//! | `plan` | `{}` | [`PlanAnswer`]: the pending plan, or `null` |
//! | `applied` | `{"name"}` | [`AppliedAnswer`]: the height it was applied at, or `null` |

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use conclave_core::module::{parse_query, query_response};
use conclave_core::StateRead;

use crate::error::UpgradeError;
use crate::plan::Plan;
use crate::state::{APPLIED, PLAN};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Empty {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NameReq {
    name: String,
}

/// The `plan` answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanAnswer {
    /// The pending plan, if any.
    pub plan: Option<Plan>,
}

/// The `applied` answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedAnswer {
    /// The upgrade asked about.
    pub name: String,
    /// The height it was applied at; `null` if it was not.
    pub height: Option<u64>,
}

fn request<T: DeserializeOwned>(data: &[u8]) -> Result<T, UpgradeError> {
    let data: &[u8] = if data.iter().all(u8::is_ascii_whitespace) { b"{}" } else { data };
    parse_query(data).map_err(UpgradeError::InvalidQuery)
}

/// Answers `path` with JSON bytes.
pub(crate) fn answer(state: &impl StateRead, path: &str, data: &[u8]) -> Result<Vec<u8>, UpgradeError> {
    match path {
        "plan" => {
            let Empty {} = request(data)?;
            Ok(query_response(&PlanAnswer { plan: PLAN.get(state)? }))
        }
        "applied" => {
            let NameReq { name } = request(data)?;
            let height = APPLIED.get(state, &name)?;
            Ok(query_response(&AppliedAnswer { name, height }))
        }
        _ => Err(UpgradeError::UnknownQuery { path: path.to_string() }),
    }
}
