//! `tx/simulate`: runs a transaction on the latest committed state, as the next block would,
//! and reports its code and gas, without its signature check and without keeping anything.
//!
//! Wallets use it to estimate gas (`--gas auto`) and to refuse, before signing, a transaction
//! that would fail and still pay its fee. Everything but the signature runs as in
//! FinalizeBlock: size, decoding, chain id, gas limit, fee denomination (and, unless the
//! request says `check_min_fee: false`, the minimum fee), timeout, nonce, fee payment, and
//! every message, metered. The block's hooks do not run, so a result can differ from the real
//! block's when a begin-block changes what the transaction touches (a slash, a payout).

use serde::{Deserialize, Serialize};

use conclave_core::{BlockInfo, BlockTime, Event, StateRead};

use crate::ante::Mode;
use crate::app::App;
use crate::error::{QueryCode, RuntimeError};
use crate::layer::Layer;
use crate::params::{CHAIN_ID, PARAMS};

/// The `tx/simulate` request (JSON).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SimulateRequest {
    /// The encoded transaction, hex; its signature bytes are ignored (zeros will do).
    pub tx: String,
    /// The block time to run at, nanoseconds since the epoch (the client passes the latest
    /// block's: the runtime keeps no clock of its own).
    pub time: BlockTime,
    /// Whether the fee must cover gas × `min_gas_price` (false while estimating the gas).
    #[serde(default = "yes")]
    pub check_min_fee: bool,
}

fn yes() -> bool {
    true
}

/// What a simulated transaction did.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Simulation {
    /// The height it ran at (the latest committed height + 1).
    pub height: u64,
    /// 0 on success, else the code within `codespace`.
    pub code: u32,
    /// The codespace of a failure (the module name or `tx`); empty on success.
    pub codespace: String,
    /// What went wrong, if anything.
    pub log: String,
    /// The transaction's gas limit.
    pub gas_wanted: u64,
    /// Gas used, signature check included.
    pub gas_used: u64,
    /// The events it emitted.
    pub events: Vec<Event>,
}

/// Answers `tx/simulate` over `committed` (the state after block `height`). `Err` is a bad
/// request (code, log); a fatal state error is a [`RuntimeError`].
pub fn simulate<A: App, S: StateRead>(
    app: &A,
    committed: &S,
    height: u64,
    data: &[u8],
) -> Result<Result<Simulation, (u32, String)>, RuntimeError> {
    let request: SimulateRequest = match serde_json::from_slice(data) {
        Ok(request) => request,
        Err(e) => return Ok(Err((QueryCode::BadRequest as u32, bad_request(e)))),
    };
    let bytes = match hex::decode(request.tx.trim_start_matches("0x")) {
        Ok(bytes) => bytes,
        Err(e) => return Ok(Err((QueryCode::BadRequest as u32, format!("tx is not hex: {e}")))),
    };
    let chain_id = CHAIN_ID.load(committed)?;
    let params = PARAMS.load(committed)?;
    let block = BlockInfo::new(chain_id, height.saturating_add(1), request.time);
    let mut scratch = Layer::new(committed);
    let mut block_gas = 0;
    let mode = Mode::Simulate { min_fee: request.check_min_fee };
    let result = crate::runtime::execute_tx(app, &mut scratch, &block, &params, &bytes, 0, &mut block_gas, mode)?;
    Ok(Ok(Simulation {
        height: block.height,
        code: result.code,
        codespace: result.codespace,
        log: result.log,
        gas_wanted: result.gas_wanted,
        gas_used: result.gas_used,
        events: result.events,
    }))
}

fn bad_request(error: serde_json::Error) -> String {
    format!(
        "expected {{\"tx\": \"<hex of the encoded transaction>\", \"time\": <block time, ns>, \"check_min_fee\": <bool, optional>}}: {error}"
    )
}
