//! Query routing. Paths (a leading `/` is ignored):
//! - `store/key`: `data` is a raw state key; the value is returned raw, with a proof on request;
//! - `auth/account` (`{"address"}` → `{"address","nonce"}`), `auth/params`, `auth/chain_id`;
//! - `tx/simulate`: runs a transaction without its signature check ([`crate::simulate`]);
//! - `<module>/<method>`: routed to the app with JSON in and out.
//!
//! `height` 0 means the latest committed state; height H answers from the state after block H,
//! whose root is the app hash in the header of block H+1.

use serde::{Deserialize, Serialize};

use conclave_core::Address;
use conclave_store::Snapshot;

use crate::app::App;
use crate::error::{QueryCode, QUERY_CODESPACE};
use crate::layer::Committed;
use crate::params::{CHAIN_ID, NONCES, PARAMS};
use crate::types::{QueryRequest, QueryResponse};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccountRequest {
    address: Address,
}

/// An account as `auth/account` reports it.
#[derive(Serialize, Deserialize, Debug, PartialEq, Eq)]
pub struct AccountInfo {
    /// The address.
    pub address: Address,
    /// Its next nonce.
    pub nonce: u64,
}

fn failure(code: QueryCode, log: impl Into<String>, height: u64) -> QueryResponse {
    QueryResponse {
        code: code as u32,
        codespace: QUERY_CODESPACE.into(),
        log: log.into(),
        height,
        ..QueryResponse::default()
    }
}

fn json<T: Serialize>(value: &T) -> Vec<u8> {
    conclave_core::module::query_response(value)
}

/// Answers `request` from the retained version it names.
pub fn query<A: App>(app: &A, versions: &crate::handle::Versions, request: &QueryRequest) -> QueryResponse {
    let latest = versions.latest();
    let height = if request.height == 0 { latest } else { request.height };
    let Some(snapshot): Option<Snapshot> = versions.get(height).filter(|_| height != 0) else {
        return failure(
            QueryCode::HeightUnavailable,
            format!("height {height} is not available: retained heights are {}", versions.describe()),
            height,
        );
    };
    let path = request.path.trim_start_matches('/');
    if path == "store/key" {
        let (value, proof) = if request.prove {
            let (value, proof) = snapshot.prove(&request.data);
            (value, Some(borsh::to_vec(&proof).unwrap_or_default()))
        } else {
            (snapshot.get(&request.data), None)
        };
        return QueryResponse {
            key: request.data.clone(),
            value: value.unwrap_or_default(),
            proof,
            height,
            ..QueryResponse::default()
        };
    }
    if request.prove {
        return failure(QueryCode::ProofUnsupported, "proofs are served for path store/key only", height);
    }
    let state = Committed(snapshot);
    let answer: Result<Vec<u8>, (u32, String, String)> = match path {
        "auth/account" => match serde_json::from_slice::<AccountRequest>(&request.data) {
            Ok(req) => NONCES
                .get(&state, &req.address)
                .map(|nonce| json(&AccountInfo { address: req.address, nonce: nonce.unwrap_or(0) }))
                .map_err(|e| (QueryCode::BadRequest as u32, QUERY_CODESPACE.into(), e.to_string())),
            Err(e) => Err((
                QueryCode::BadRequest as u32,
                QUERY_CODESPACE.into(),
                format!("expected {{\"address\": \"<hex>\"}}: {e}"),
            )),
        },
        "auth/params" => PARAMS
            .load(&state)
            .map(|p| json(&p))
            .map_err(|e| (QueryCode::BadRequest as u32, QUERY_CODESPACE.into(), e.to_string())),
        "auth/chain_id" => CHAIN_ID
            .load(&state)
            .map(|c| json(&c))
            .map_err(|e| (QueryCode::BadRequest as u32, QUERY_CODESPACE.into(), e.to_string())),
        "tx/simulate" => match crate::simulate::simulate(app, &state, height, &request.data) {
            Ok(Ok(simulation)) => Ok(json(&simulation)),
            Ok(Err((code, log))) => Err((code, QUERY_CODESPACE.into(), log)),
            Err(error) => {
                tracing::error!(%error, "tx/simulate could not read the state");
                Err((QueryCode::StateUnavailable as u32, QUERY_CODESPACE.into(), error.to_string()))
            }
        },
        _ if path.contains('/') => {
            app.query(&state, path, &request.data).map_err(|e| (e.code, e.codespace.to_string(), e.log))
        }
        _ => Err((QueryCode::UnknownPath as u32, QUERY_CODESPACE.into(), format!("unknown query path {path:?}"))),
    };
    match answer {
        Ok(value) => QueryResponse { value, height, ..QueryResponse::default() },
        Err((code, codespace, log)) => QueryResponse { code, codespace, log, height, ..QueryResponse::default() },
    }
}
