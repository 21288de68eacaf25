//! Shared fixtures: a small app composing bank + staking + voting (with test-only messages
//! that stand in for the later slashing and rotation modules), MemoryState helpers, keys.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use borsh::{BorshDeserialize, BorshSerialize};
use conclave_bank::{Bank, GenesisBalance};
use conclave_core::error::ModuleError;
use conclave_core::{
    Address, BlockInfo, BlockTime, Coin, MemoryState, Module, Ratio, StateRead, StateWrite, TxContext,
};
use conclave_runtime::{App, AppError, EndBlockOutput, FeeError, GenesisState, RuntimeGenesis};
use conclave_staking::{At, CommissionRates, Description, Staking, StakingError};
use conclave_testkit::{TestAccount, TestChain};
use conclave_voting::{Voting, VotingError};
use serde::{Deserialize, Serialize};

/// Test-only hooks standing in for the slashing and rotation modules.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum Hook {
    /// `Staking::slash`.
    Slash { candidate: Address, infraction_height: u64, numerator: u128, denominator: u128 },
    /// `Staking::set_active`.
    SetActive { candidate: Address },
    /// `Staking::jail` for `seconds`.
    Jail { candidate: Address, seconds: u64 },
    /// `Staking::tombstone`.
    Tombstone { candidate: Address },
}

/// The test app's messages.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub enum Msg {
    /// Tag 0.
    Bank(conclave_bank::Msg),
    /// Tag 1.
    Staking(conclave_staking::Msg),
    /// Tag 2.
    Voting(conclave_voting::Msg),
    /// Tag 3: test hooks.
    Hook(Hook),
}

/// The test app's genesis.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Genesis {
    #[serde(default)]
    pub bank: conclave_bank::Genesis,
    #[serde(default)]
    pub staking: conclave_staking::Genesis,
    #[serde(default)]
    pub voting: conclave_voting::Genesis,
}

/// bank + staking + voting.
#[derive(Clone, Debug)]
pub struct TestApp {
    pub bank: Bank,
    pub staking: Staking<Bank>,
    pub voting: Voting<Staking<Bank>>,
}

impl Default for TestApp {
    fn default() -> Self {
        let bank = Bank::new(conclave_staking::bank_module_accounts()).unwrap();
        let staking = Staking::new(bank.clone()).unwrap();
        let voting = Voting::new(staking.clone());
        Self { bank, staking, voting }
    }
}

impl TestApp {
    fn hook(&self, block: &BlockInfo, state: &mut impl StateWrite, hook: &Hook) -> Result<(), StakingError> {
        let at = At::block(block);
        match hook {
            Hook::Slash { candidate, infraction_height, numerator, denominator } => self
                .staking
                .slash(
                    state,
                    at,
                    candidate,
                    *infraction_height,
                    Ratio { numerator: *numerator, denominator: *denominator },
                )
                .map(drop),
            Hook::SetActive { candidate } => self.staking.set_active(state, at, candidate),
            Hook::Jail { candidate, seconds } => {
                self.staking.jail(state, at, candidate, block.time.plus_nanos(seconds * 1_000_000_000))
            }
            Hook::Tombstone { candidate } => self.staking.tombstone(state, at, candidate),
        }
    }
}

impl App for TestApp {
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
        Ok(())
    }

    fn export_genesis(&self, state: &impl StateRead) -> Result<Genesis, AppError> {
        Ok(Genesis {
            bank: self.bank.export_genesis(state)?,
            staking: self.staking.export_genesis(state)?,
            voting: self.voting.export_genesis(state)?,
        })
    }

    fn validate(&self, msg: &Msg) -> Result<(), AppError> {
        match msg {
            Msg::Bank(m) => Ok(self.bank.validate(m)?),
            Msg::Staking(m) => Ok(self.staking.validate(m)?),
            Msg::Voting(m) => Ok(self.voting.validate(m)?),
            Msg::Hook(_) => Ok(()),
        }
    }

    fn deliver(&self, ctx: &TxContext<'_>, state: &mut impl StateWrite, msg: &Msg) -> Result<(), AppError> {
        match msg {
            Msg::Bank(m) => Ok(self.bank.deliver(ctx, state, m)?),
            Msg::Staking(m) => Ok(self.staking.deliver(ctx, state, m)?),
            Msg::Voting(m) => Ok(self.voting.deliver(ctx, state, m)?),
            Msg::Hook(h) => Ok(self.hook(ctx.block, state, h)?),
        }
    }

    fn begin_block(&self, _block: &BlockInfo, _state: &mut impl StateWrite) -> Result<(), AppError> {
        Ok(())
    }

    fn end_block(&self, block: &BlockInfo, state: &mut impl StateWrite) -> Result<EndBlockOutput, AppError> {
        self.staking.end_block(block, state)?;
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
                code: conclave_runtime::QueryCode::UnknownPath as u32,
                log: format!("unknown module {module:?}"),
                kind: conclave_runtime::ErrorKind::Rejected,
            }),
        }
    }

    fn check_invariants(&self, state: &impl StateRead) -> Result<(), String> {
        self.bank.check_invariants(state)?;
        self.staking.check_invariants(state)
    }
}

/// Initial balance of each funded account.
pub const FUNDS: u128 = 1_000_000_000_000;

/// A valid ed25519 consensus key derived from `n`.
pub fn cons_key(n: u8) -> [u8; 32] {
    ed25519_consensus::SigningKey::from([n; 32]).verification_key().to_bytes()
}

/// A default commission: 10 % rate, 50 % max, 2 % max change.
pub fn commission() -> CommissionRates {
    CommissionRates { rate_ppb: 100_000_000, max_rate_ppb: 500_000_000, max_change_rate_ppb: 20_000_000 }
}

/// A description with `name`.
pub fn description(name: &str) -> Description {
    Description { moniker: name.into(), ..Description::default() }
}

/// Test params: 100 s unbonding, tiny power reduction, 3 completions per block.
pub fn staking_params() -> conclave_staking::Params {
    conclave_staking::Params {
        unbonding_period_nanos: 100 * 1_000_000_000,
        min_self_bond: 1_000,
        power_reduction: 100,
        max_completions_per_block: 3,
        ..conclave_staking::Params::default()
    }
}

/// A genesis funding `accounts` with [`FUNDS`] stake.
pub fn genesis(accounts: &[Address]) -> Genesis {
    Genesis {
        bank: conclave_bank::Genesis {
            balances: accounts
                .iter()
                .map(|a| GenesisBalance { address: *a, coins: vec![Coin::new("stake", FUNDS)] })
                .collect(),
            supply: None,
            issuance: Vec::new(),
        },
        staking: conclave_staking::Genesis { params: staking_params(), ..Default::default() },
        voting: conclave_voting::Genesis::default(),
    }
}

/// The test chain with the named accounts funded.
pub fn chain(names: &[&str]) -> (TestChain<TestApp>, Vec<TestAccount>) {
    let accounts: Vec<TestAccount> = names.iter().map(|n| TestAccount::named(n)).collect();
    let addrs: Vec<Address> = accounts.iter().map(|a| a.address).collect();
    let g = GenesisState { runtime: RuntimeGenesis::default(), app: genesis(&addrs) };
    (TestChain::builder(TestApp::default(), g).build(), accounts)
}

/// A MemoryState initialised with the genesis, for library-level tests.
pub fn memory(accounts: &[Address]) -> (TestApp, MemoryState) {
    memory_with(accounts, |_| {})
}

/// [`memory`] with the genesis edited first.
pub fn memory_with(accounts: &[Address], edit: impl FnOnce(&mut Genesis)) -> (TestApp, MemoryState) {
    let app = TestApp::default();
    let mut state = MemoryState::new();
    let mut genesis = genesis(accounts);
    edit(&mut genesis);
    app.init_genesis(&mut state, &genesis).unwrap();
    (app, state)
}

/// An account address from `n`.
pub fn addr(n: u8) -> Address {
    Address::from_public_key(&[n; 32])
}

/// A block at `height`, time `seconds`.
pub fn block(height: u64, seconds: u64) -> BlockInfo {
    BlockInfo::new("test", height, BlockTime::from_seconds(seconds))
}

/// Delivers a voting message at `block` for `signer`.
pub fn vote_msg(
    app: &TestApp,
    state: &mut MemoryState,
    b: &BlockInfo,
    signer: Address,
    msg: conclave_voting::Msg,
) -> Result<(), VotingError> {
    let ctx = TxContext { block: b, signer, signer_key: [0; 32], tx_index: 0, msg_index: 0 };
    app.voting.validate(&msg)?;
    app.voting.deliver(&ctx, state, &msg)
}

/// Delivers a staking message at `block` for `signer` with account key `[signer_key; 32]`-derived.
pub fn staking_msg(
    app: &TestApp,
    state: &mut MemoryState,
    b: &BlockInfo,
    signer: Address,
    signer_key: [u8; 32],
    msg: conclave_staking::Msg,
) -> Result<(), StakingError> {
    let ctx = TxContext { block: b, signer, signer_key, tx_index: 0, msg_index: 0 };
    app.staking.validate(&msg)?;
    app.staking.deliver(&ctx, state, &msg)
}

/// Registers `operator` with consensus key `cons_key(key)` and `self_bond`.
pub fn register(
    app: &TestApp,
    state: &mut MemoryState,
    b: &BlockInfo,
    operator: Address,
    key: u8,
    self_bond: u128,
) -> Result<(), StakingError> {
    staking_msg(
        app,
        state,
        b,
        operator,
        [0xEE; 32],
        conclave_staking::Msg::RegisterCandidate {
            consensus_key: cons_key(key),
            commission: commission(),
            description: description("validator"),
            self_bond,
        },
    )
}

/// Asserts a rejection with `(codespace, code)` and no state change.
pub fn assert_rejected<E: ModuleError>(
    result: Result<(), E>,
    codespace: &str,
    code: u32,
    state: &MemoryState,
    before: &MemoryState,
) {
    let err = result.expect_err("expected a rejection");
    assert_eq!((err.codespace(), err.code()), (codespace, code), "wrong code for {err}");
    assert_eq!(state, before, "a rejected operation changed state or emitted events");
}

/// Checks bank and staking invariants.
pub fn check(app: &TestApp, state: &MemoryState) {
    app.check_invariants(state).unwrap();
}

/// Stake of `delegator` at `candidate` (tokens).
pub fn stake(state: &MemoryState, delegator: &Address, candidate: &Address) -> u128 {
    conclave_staking::ledger::stake_of(state, delegator, candidate).unwrap()
}

/// Balance in `stake`.
pub fn balance(state: &impl StateRead, a: &Address) -> u128 {
    conclave_bank::balance(state, a, "stake").unwrap()
}

/// Total supply of `stake`.
pub fn supply(state: &impl StateRead) -> u128 {
    conclave_bank::supply(state, "stake").unwrap()
}
