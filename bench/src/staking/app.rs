//! The benchmark's application: the app-template chain ([`AppChain`]) itself, wrapped to add
//! two bench-only things:
//! - [`Control::raise_cap`]: when set, the next begin-block rewrites staking's parameters with
//!   a new `max_completions_per_block` (what a governance parameter change will do; staking has
//!   no parameter-change entry point yet);
//! - the end-block hook is timed and its duration left in [`Control`], so the benchmark can
//!   separate it from staging and commit.
//!
//! The active set is the chain's: rotation elects it at genesis from the registrations.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use appchain::AppChain;
use conclave_core::{Address, BlockInfo, Coin, StateRead, StateWrite, TxContext};
use conclave_runtime::{App, AppError, EndBlockOutput, ErrorKind, FeeError, ValidatorUpdate};

pub(crate) use appchain::{Genesis, Msg};

/// What the benchmark shares with the app inside the runtime.
#[derive(Debug, Default)]
pub(crate) struct ControlState {
    /// Set: the next begin-block sets `max_completions_per_block` to this, then clears it.
    pub(crate) raise_cap: Option<u32>,
    /// Duration of the last end-block hook (the chain's whole end-block).
    pub(crate) last_end_block: Option<Duration>,
}

/// Shared handle on [`ControlState`].
pub(crate) type Control = Arc<Mutex<ControlState>>;

/// The app-template chain, instrumented.
#[derive(Clone, Debug)]
pub(crate) struct BenchApp {
    chain: AppChain,
    control: Control,
}

impl BenchApp {
    /// The app and the handle the benchmark keeps.
    pub(crate) fn new() -> anyhow::Result<(Self, Control)> {
        let chain = AppChain::try_new().map_err(|e| anyhow::anyhow!("app-template chain: {e:?}"))?;
        let control = Control::default();
        Ok((Self { chain, control: Arc::clone(&control) }, control))
    }

    fn control(&self) -> Result<std::sync::MutexGuard<'_, ControlState>, AppError> {
        self.control.lock().map_err(|_| AppError {
            codespace: "bench",
            code: 1,
            log: "control lock poisoned".into(),
            kind: ErrorKind::Fatal,
        })
    }
}

/// Everything is the chain's, except the two instrumented hooks.
impl App for BenchApp {
    type Msg = Msg;
    type Genesis = Genesis;

    fn state_prefixes(&self) -> Vec<&'static str> {
        self.chain.state_prefixes()
    }

    fn init_genesis(&self, state: &mut impl StateWrite, genesis: &Genesis) -> Result<(), AppError> {
        self.chain.init_genesis(state, genesis)
    }

    fn genesis_validators(&self, state: &impl StateRead) -> Result<Vec<ValidatorUpdate>, AppError> {
        self.chain.genesis_validators(state)
    }

    fn export_genesis(&self, state: &impl StateRead) -> Result<Genesis, AppError> {
        self.chain.export_genesis(state)
    }

    fn validate(&self, msg: &Msg) -> Result<(), AppError> {
        self.chain.validate(msg)
    }

    fn deliver(&self, ctx: &TxContext<'_>, state: &mut impl StateWrite, msg: &Msg) -> Result<(), AppError> {
        self.chain.deliver(ctx, state, msg)
    }

    fn begin_block(&self, block: &BlockInfo, state: &mut impl StateWrite) -> Result<(), AppError> {
        self.chain.begin_block(block, state)?;
        let cap = self.control()?.raise_cap.take();
        if let Some(cap) = cap {
            let mut params = conclave_staking::state::PARAMS.load(state).map_err(|e| AppError::from_state(&e))?;
            params.max_completions_per_block = cap;
            conclave_staking::state::PARAMS.put(state, &params).map_err(|e| AppError::from_state(&e))?;
        }
        Ok(())
    }

    fn end_block(&self, block: &BlockInfo, state: &mut impl StateWrite) -> Result<EndBlockOutput, AppError> {
        let start = Instant::now();
        let output = self.chain.end_block(block, state)?;
        let elapsed = start.elapsed();
        self.control()?.last_end_block = Some(elapsed);
        Ok(output)
    }

    fn collect_fee(&self, state: &mut impl StateWrite, payer: &Address, fee: &Coin) -> Result<(), FeeError> {
        self.chain.collect_fee(state, payer, fee)
    }

    fn query(&self, state: &impl StateRead, path: &str, data: &[u8]) -> Result<Vec<u8>, AppError> {
        self.chain.query(state, path, data)
    }

    fn check_invariants(&self, state: &impl StateRead) -> Result<(), String> {
        self.chain.check_invariants(state)
    }
}
