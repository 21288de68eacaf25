//! The mempool view: the last committed state plus the nonce bumps and fees of transactions
//! accepted since. CheckTx runs the ante checks against it, so a sender can queue several
//! transactions with consecutive nonces, and a replay is refused even before it is committed.
//! Reset at every Commit; CometBFT then re-checks the remaining mempool transactions.

use conclave_store::Snapshot;

use crate::ante::{check_and_pay, check_stateless, is_fatal, Mode};
use crate::app::{App, AppError};
use crate::error::RuntimeError;
use crate::layer::{Committed, Layer};
use crate::params::{RuntimeParams, CHAIN_ID, PARAMS};
use crate::signatures::VerifiedSignatures;
use crate::types::TxResult;
use conclave_core::TxCode;

/// CheckTx state.
pub struct Mempool {
    state: Layer<Committed>,
    /// Chain id and params of the committed state; `None` before genesis is committed.
    config: Option<(String, RuntimeParams)>,
}

impl Mempool {
    /// A view over `snapshot`.
    pub fn new(snapshot: Snapshot) -> Self {
        let base = Committed(snapshot);
        let config = match (CHAIN_ID.get(&base), PARAMS.get(&base)) {
            (Ok(Some(chain_id)), Ok(Some(params))) => Some((chain_id, params)),
            _ => None,
        };
        Self { state: Layer::new(base), config }
    }

    /// The committed runtime params, once genesis is committed.
    pub fn params(&self) -> Option<&RuntimeParams> {
        self.config.as_ref().map(|(_, params)| params)
    }

    /// Drops pending effects and starts over from `snapshot`.
    pub fn reset(&mut self, snapshot: Snapshot) {
        *self = Self::new(snapshot);
    }

    /// Runs the ante checks; on success keeps the nonce bump and fee in the view.
    pub fn check<A: App>(
        &mut self,
        app: &A,
        bytes: &[u8],
        verified: &VerifiedSignatures,
    ) -> Result<TxResult, RuntimeError> {
        let Some((chain_id, params)) = &self.config else {
            return Ok(reject(AppError::tx(TxCode::WrongChainId, "the chain has not committed its genesis yet"), 0));
        };
        let height = self.state.base().0.version().saturating_add(1);
        let checked = match check_stateless(app, params, chain_id, height, bytes, Mode::Full(verified)) {
            Ok(checked) => checked,
            Err(error) => return Ok(reject(error, 0)),
        };
        let gas_wanted = checked.tx.body.gas_limit;
        // CometBFT ignores CheckTx events: the fee event is not even formatted.
        let mut attempt = Layer::discarding_events(&self.state);
        if let Err(error) = check_and_pay(app, &mut attempt, &checked) {
            if is_fatal(&error) {
                return Err(RuntimeError::App(error));
            }
            return Ok(reject(error, gas_wanted));
        }
        let (writes, _events) = attempt.into_parts();
        self.state.absorb(writes, Vec::new());
        Ok(TxResult {
            code: 0,
            codespace: String::new(),
            log: String::new(),
            gas_wanted,
            gas_used: checked.base_gas,
            events: Vec::new(),
        })
    }
}

fn reject(error: AppError, gas_wanted: u64) -> TxResult {
    TxResult {
        code: error.code,
        codespace: error.codespace.to_string(),
        log: error.log,
        gas_wanted,
        gas_used: 0,
        events: Vec::new(),
    }
}
