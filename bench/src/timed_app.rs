//! The benchmarks' application: the app-template chain ([`AppChain`]) itself, wrapped only to
//! time the begin- and end-block hooks and leave their durations in [`Control`], so a
//! benchmark can separate them from staging and commit (the `staking` and `slashing`
//! benchmarks). Parameter changes go through the modules' `UpdateParams`, signed by the
//! genesis authority, as on a real chain.
//!
//! The active set is the chain's: rotation elects it at genesis from the registrations.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use appchain::AppChain;
use conclave_core::module::Module;
use conclave_core::{Address, BlockInfo, Coin, StateRead, StateWrite, TxContext};
use conclave_runtime::{App, AppError, EndBlockOutput, ErrorKind, FeeError, ValidatorUpdate};

pub(crate) use appchain::{Genesis, Msg};

/// What the benchmark shares with the app inside the runtime.
#[derive(Debug, Default)]
pub(crate) struct ControlState {
    /// Duration of the last begin-block hook (the chain's whole begin-block).
    pub(crate) last_begin_block: Option<Duration>,
    /// The rewards module's part of it (minting and distribution).
    pub(crate) last_rewards_begin_block: Option<Duration>,
    /// Duration of the last message's execution (`deliver`).
    pub(crate) last_deliver: Option<Duration>,
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

/// Everything is the chain's; the block hooks are timed.
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
        let start = Instant::now();
        let result = self.chain.deliver(ctx, state, msg);
        self.control()?.last_deliver = Some(start.elapsed());
        result
    }

    /// The chain's begin-block, module by module in `AppChain::begin_block`'s order, so the
    /// rewards module's part can be timed alone (`tests::the_bench_app_is_the_template_chain`
    /// checks that the order still gives the chain's app hashes).
    fn begin_block(&self, block: &BlockInfo, state: &mut impl StateWrite) -> Result<(), AppError> {
        let chain = &self.chain;
        let start = Instant::now();
        chain.rotation.begin_block(block, state)?;
        chain.bank.begin_block(block, state)?;
        let rewards_start = Instant::now();
        chain.rewards.begin_block(block, state)?;
        let rewards = rewards_start.elapsed();
        chain.slashing.begin_block(block, state)?;
        chain.staking.begin_block(block, state)?;
        chain.voting.begin_block(block, state)?;
        let elapsed = start.elapsed();
        let mut control = self.control()?;
        control.last_begin_block = Some(elapsed);
        control.last_rewards_begin_block = Some(rewards);
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

#[cfg(test)]
mod tests {
    use super::*;
    use appchain::GenesisValidator;
    use conclave_core::BlockIdFlag;
    use conclave_runtime::{GenesisState, RuntimeGenesis};
    use conclave_testkit::{TestAccount, TestChain};

    fn genesis() -> GenesisState<Genesis> {
        let operators: Vec<TestAccount> = (0..4).map(|i| TestAccount::named(&format!("order-{i}"))).collect();
        let balances: Vec<_> = operators.iter().map(|o| (o.address, 1_000_000_000u128)).collect();
        let validators: Vec<GenesisValidator> = operators
            .iter()
            .enumerate()
            .map(|(i, o)| GenesisValidator {
                operator: o.address,
                consensus_key: TestAccount::named(&format!("order-cons-{i}")).public_key,
                moniker: format!("v{i}"),
                self_bond: 10_000_000,
            })
            .collect();
        let mut app = Genesis::for_network("stake", &balances).with_validators(&validators, 5);
        app.slashing.params.signed_blocks_window = 10;
        GenesisState { runtime: RuntimeGenesis::default(), app }
    }

    /// The per-module begin-block above must stay the chain's: the same blocks (with a
    /// validator missing, so rewards and slashing both work) give the same app hashes.
    #[test]
    fn the_bench_app_is_the_template_chain() {
        let absent = TestAccount::named("order-cons-3").public_key;
        let mut chain = TestChain::builder(AppChain::try_new().unwrap(), genesis()).build();
        let (app, _) = BenchApp::new().unwrap();
        let mut bench = TestChain::builder(app, genesis()).build();
        chain.set_vote(&absent, BlockIdFlag::Absent);
        bench.set_vote(&absent, BlockIdFlag::Absent);
        chain.produce_empty_blocks(30);
        bench.produce_empty_blocks(30);
        assert_eq!(chain.app_hashes(), bench.app_hashes());
    }
}
