//! The benchmark's application: bank + staking + voting, composed as the modules' own tests
//! compose them (`modules/voting/tests/common`), with two bench-only additions that stand in
//! for modules that do not exist yet:
//! - genesis field `active`: operators moved to `Active` after the modules' genesis (what the
//!   rotation module will do), so some stake sits in the bonded pool;
//! - [`Control::raise_cap`]: when set, the next begin-block rewrites staking's parameters with
//!   a new `max_completions_per_block` (what a governance parameter change will do; staking has
//!   no parameter-change entry point yet).
//!
//! The end-block hook times the modules' end-block hooks (staking, then voting) and leaves the
//! duration in [`Control`], so the benchmark can separate them from staging and commit.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use borsh::{BorshDeserialize, BorshSerialize};
use conclave_bank::Bank;
use conclave_core::{Address, BlockInfo, Coin, Module, StateRead, StateWrite, TxContext};
use conclave_runtime::{App, AppError, EndBlockOutput, ErrorKind, FeeError, QueryCode};
use conclave_staking::{At, Staking};
use conclave_voting::Voting;
use serde::{Deserialize, Serialize};

/// The benchmark app's messages (borsh tags 0, 1, 2).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub(crate) enum Msg {
    /// Tag 0.
    Bank(conclave_bank::Msg),
    /// Tag 1.
    Staking(conclave_staking::Msg),
    /// Tag 2.
    Voting(conclave_voting::Msg),
}

/// The benchmark app's genesis.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Genesis {
    #[serde(default)]
    pub(crate) bank: conclave_bank::Genesis,
    #[serde(default)]
    pub(crate) staking: conclave_staking::Genesis,
    #[serde(default)]
    pub(crate) voting: conclave_voting::Genesis,
    /// Operators set `Active` after the modules' genesis (stand-in for the rotation module).
    #[serde(default)]
    pub(crate) active: Vec<Address>,
}

/// What the benchmark shares with the app inside the runtime.
#[derive(Debug, Default)]
pub(crate) struct ControlState {
    /// Set: the next begin-block sets `max_completions_per_block` to this, then clears it.
    pub(crate) raise_cap: Option<u32>,
    /// Duration of the last end-block hook (staking + voting).
    pub(crate) last_end_block: Option<Duration>,
}

/// Shared handle on [`ControlState`].
pub(crate) type Control = Arc<Mutex<ControlState>>;

/// bank + staking + voting.
#[derive(Clone, Debug)]
pub(crate) struct BenchApp {
    bank: Bank,
    staking: Staking,
    voting: Voting,
    control: Control,
}

impl BenchApp {
    /// The app and the handle the benchmark keeps.
    pub(crate) fn new() -> anyhow::Result<(Self, Control)> {
        let bank = Bank::new(Staking::module_accounts()).map_err(|e| anyhow::anyhow!("bank: {e}"))?;
        let staking = Staking::new(bank.clone()).map_err(|e| anyhow::anyhow!("staking: {e}"))?;
        let voting = Voting::new(staking.clone());
        let control = Control::default();
        Ok((Self { bank, staking, voting, control: Arc::clone(&control) }, control))
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

impl App for BenchApp {
    type Msg = Msg;
    type Genesis = Genesis;

    fn state_prefixes(&self) -> Vec<&'static str> {
        let mut p: Vec<&'static str> = conclave_runtime::params::RUNTIME_PREFIXES.to_vec();
        p.extend(self.bank.state_prefixes());
        p.extend(self.staking.state_prefixes());
        p.extend(self.voting.state_prefixes());
        p
    }

    fn init_genesis(&self, state: &mut impl StateWrite, g: &Genesis) -> Result<(), AppError> {
        self.bank.init_genesis(state, &g.bank)?;
        self.staking.init_genesis(state, &g.staking)?;
        self.voting.init_genesis(state, &g.voting)?;
        for operator in &g.active {
            self.staking.set_active(state, At::GENESIS, operator)?;
        }
        Ok(())
    }

    fn export_genesis(&self, state: &impl StateRead) -> Result<Genesis, AppError> {
        Ok(Genesis {
            bank: self.bank.export_genesis(state)?,
            staking: self.staking.export_genesis(state)?,
            voting: self.voting.export_genesis(state)?,
            active: Vec::new(),
        })
    }

    fn validate(&self, msg: &Msg) -> Result<(), AppError> {
        match msg {
            Msg::Bank(m) => Ok(self.bank.validate(m)?),
            Msg::Staking(m) => Ok(self.staking.validate(m)?),
            Msg::Voting(m) => Ok(self.voting.validate(m)?),
        }
    }

    fn deliver(&self, ctx: &TxContext<'_>, state: &mut impl StateWrite, msg: &Msg) -> Result<(), AppError> {
        match msg {
            Msg::Bank(m) => Ok(self.bank.deliver(ctx, state, m)?),
            Msg::Staking(m) => Ok(self.staking.deliver(ctx, state, m)?),
            Msg::Voting(m) => Ok(self.voting.deliver(ctx, state, m)?),
        }
    }

    fn begin_block(&self, block: &BlockInfo, state: &mut impl StateWrite) -> Result<(), AppError> {
        self.bank.begin_block(block, state)?;
        self.staking.begin_block(block, state)?;
        self.voting.begin_block(block, state)?;
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
        self.staking.end_block(block, state)?;
        self.voting.end_block(block, state)?;
        let elapsed = start.elapsed();
        self.control()?.last_end_block = Some(elapsed);
        Ok(EndBlockOutput::default())
    }

    fn collect_fee(&self, state: &mut impl StateWrite, payer: &Address, fee: &Coin) -> Result<(), FeeError> {
        self.bank.collect_fee(state, payer, fee).map_err(|e| match e {
            conclave_bank::BankError::InsufficientFunds { .. } => FeeError::InsufficientFunds(e.to_string()),
            other => FeeError::Other(other.into()),
        })
    }

    fn query(&self, state: &impl StateRead, path: &str, data: &[u8]) -> Result<Vec<u8>, AppError> {
        let (module, method) = path.split_once('/').unwrap_or((path, ""));
        match module {
            "bank" => Ok(self.bank.query(state, method, data)?),
            "staking" => Ok(self.staking.query(state, method, data)?),
            "voting" => Ok(self.voting.query(state, method, data)?),
            _ => Err(AppError {
                codespace: "query",
                code: QueryCode::UnknownPath as u32,
                log: format!("unknown module {module:?}"),
                kind: ErrorKind::Rejected,
            }),
        }
    }

    fn check_invariants(&self, state: &impl StateRead) -> Result<(), String> {
        self.bank.check_invariants(state)?;
        self.staking.check_invariants(state)
    }
}
