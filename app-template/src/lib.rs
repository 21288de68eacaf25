//! `appchain`: a complete chain built from Conclave's SDK and modules, and the template teams
//! copy to start their own.
//!
//! Everything the chain is made of is in this file, in plain Rust: the message enum with its
//! wire tags ([`Msg`]), the genesis sections ([`Genesis`]), and [`AppChain`], which routes each
//! message to its module with one `match` and calls the block hooks in a visible order.
//! To add a module: add a field to [`AppChain`], a variant to [`Msg`] with the next tag, a
//! section to [`Genesis`], and a line in each hook.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use conclave_core::{Address, BlockInfo, Coin, Module, StateRead, StateWrite, TxContext};
use conclave_runtime::{App, AppError, EndBlockOutput, FeeError, ValidatorUpdate};

/// The chain's denomination: fees, balances and stake (a new network's genesis uses it
/// throughout; `scripts/new-chain.sh --denom` sets it).
pub const DENOM: &str = "stake";

/// The human-readable prefix of this chain's bech32 addresses, which read
/// `<ADDRESS_PREFIX>1…` (docs/addresses.md).
pub const ADDRESS_PREFIX: &str = "appchain";

/// The bank: balances, supply, module accounts, fees.
pub type Bank = conclave_bank::Bank;
/// Staking over the bank, telling rewards (which settles what the shares earned) and then
/// governance (which snapshots a voter's stake for the proposals in their voting period) of
/// every share change.
pub type Staking = conclave_staking::Staking<Bank, (conclave_rewards::Hooks, conclave_governance::Hooks)>;
/// Voting over staking's ledger.
pub type Voting = conclave_voting::Voting<Staking>;
/// Rotation electing from staking's candidates.
pub type Rotation = conclave_rotation::Rotation<Staking>;
/// Slashing punishing staking's candidates and removing them from rotation's set.
pub type Slashing = conclave_slashing::Slashing<Staking, Rotation>;
/// Rewards paid on staking's shares, minted and paid through the bank, by rotation's sets.
pub type Rewards = conclave_rewards::Rewards<Staking, Bank, Rotation>;
/// Proposals, deposits, the delegation-voting tally and governance delegation; the chain's
/// parameter authority (its module account).
pub type Governance = conclave_governance::Governance<Staking, Bank>;
/// Software-upgrade plans: the halt at a plan's height, and the migrations this version runs.
pub type Upgrade = conclave_upgrade::Upgrade;

/// The upgrades this version of the chain implements: register each one's migration here
/// (`.with_handler("v2", migrate_to_v2)`; `|_, _| Ok(())` for one without a state change) in
/// the release that ships it. At a scheduled plan's height a node stops unless this list has
/// the plan's name or its operator passed `--allow-upgrade NAME` (docs/modules/upgrade.md).
pub fn upgrades() -> Upgrade {
    Upgrade::new()
}

/// Every message the chain accepts. The explicit discriminant of each variant is its wire tag
/// (borsh `use_discriminant`): never reuse or change one; a new module takes the next free
/// tag. A tag no variant has is reported as "unknown message" (code 3), not as malformed. As
/// JSON (`query tx`), a message is `{ "<module>": <the module's message> }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, BorshSerialize, BorshDeserialize)]
#[serde(rename_all = "snake_case")]
#[borsh(use_discriminant = true)]
#[repr(u8)]
pub enum Msg {
    /// Bank messages.
    Bank(conclave_bank::Msg) = 0,
    /// Staking messages (the validator side: register, edit, rotate the key; update params).
    Staking(conclave_staking::Msg) = 1,
    /// Voting messages (the delegator side: vote, unvote, set votes, redelegate, undelegate,
    /// cancel an unbonding; update params).
    Voting(conclave_voting::Msg) = 2,
    /// Rotation messages (update params).
    Rotation(conclave_rotation::Msg) = 3,
    /// Slashing messages (unjail; update params).
    Slashing(conclave_slashing::Msg) = 4,
    /// Rewards messages (claim, withdraw commission; update params, community-pool spend).
    Rewards(conclave_rewards::Msg) = 5,
    /// Upgrade messages (schedule, cancel; the parameter authority's).
    Upgrade(conclave_upgrade::Msg) = 6,
    /// Governance messages (submit, deposit, vote, delegate; update params).
    Governance(conclave_governance::Msg) = 7,
}

impl Msg {
    /// `module.message` of a message only the parameter authority may sign (what a governance
    /// proposal may carry), or `None` for a message any account may sign.
    pub fn authority_only(&self) -> Option<&'static str> {
        use conclave_rewards::Msg as RewardsMsg;
        use conclave_upgrade::Msg as UpgradeMsg;
        match self {
            Msg::Staking(conclave_staking::Msg::UpdateParams { .. }) => Some("staking.update_params"),
            Msg::Voting(conclave_voting::Msg::UpdateParams { .. }) => Some("voting.update_params"),
            Msg::Rotation(conclave_rotation::Msg::UpdateParams { .. }) => Some("rotation.update_params"),
            Msg::Slashing(conclave_slashing::Msg::UpdateParams { .. }) => Some("slashing.update_params"),
            Msg::Rewards(RewardsMsg::UpdateParams { .. }) => Some("rewards.update_params"),
            Msg::Rewards(RewardsMsg::CommunityPoolSpend { .. }) => Some("rewards.community_pool_spend"),
            Msg::Upgrade(UpgradeMsg::ScheduleUpgrade { .. }) => Some("upgrade.schedule_upgrade"),
            Msg::Upgrade(UpgradeMsg::CancelUpgrade) => Some("upgrade.cancel_upgrade"),
            Msg::Governance(conclave_governance::Msg::UpdateParams { .. }) => Some("governance.update_params"),
            _ => None,
        }
    }
}

/// The genesis `app` section: one field per module.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Genesis {
    /// Balances.
    #[serde(default)]
    pub bank: conclave_bank::Genesis,
    /// Staking parameters, candidates (records, or registrations bonded from bank balances)
    /// and the stake ledger. The genesis validators must be candidates here (see
    /// [`Genesis::with_validators`]).
    #[serde(default)]
    pub staking: conclave_staking::Genesis,
    /// Voting parameters and initial votes (bonded from bank balances).
    #[serde(default)]
    pub voting: conclave_voting::Genesis,
    /// Rotation parameters (the genesis set is elected from staking's genesis state), or an
    /// exported set and history.
    #[serde(default)]
    pub rotation: conclave_rotation::Genesis,
    /// Slashing parameters (and, from an export, signing records and history).
    #[serde(default)]
    pub slashing: conclave_slashing::Genesis,
    /// Issuance and distribution parameters, the starting inflation (and, from an export,
    /// every record).
    #[serde(default)]
    pub rewards: conclave_rewards::Genesis,
    /// The pending upgrade plan and the upgrades applied (a new chain has neither).
    #[serde(default)]
    pub upgrade: conclave_upgrade::Genesis,
    /// Governance parameters (and, from an export, proposals, deposits, votes, delegations).
    /// The chain's `runtime.authority` must be [`conclave_governance::authority_address`] for
    /// proposals to change parameters.
    #[serde(default)]
    pub governance: conclave_governance::Genesis,
}

/// A node that starts as a validator: its operator account (funded in the bank genesis with
/// at least `self_bond`) and its CometBFT consensus key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenesisValidator {
    /// The operator account, which bonds `self_bond` from its balance at genesis.
    pub operator: Address,
    /// `pub_key.value` of the node's `priv_validator_key.json` (ed25519).
    pub consensus_key: [u8; 32],
    /// The candidate's moniker.
    pub moniker: String,
    /// Self-bond, in the bond denomination (at least staking's `min_self_bond`).
    pub self_bond: u128,
}

impl Genesis {
    /// A new network's genesis: `balances` funded in `denom`, which is also staking's bond
    /// denomination; every other parameter at its default.
    pub fn for_network(denom: &str, balances: &[(Address, u128)]) -> Self {
        let balances = balances
            .iter()
            .map(|(address, amount)| conclave_bank::GenesisBalance {
                address: *address,
                coins: vec![Coin::new(denom, *amount)],
            })
            .collect();
        let mut genesis =
            Genesis { bank: conclave_bank::Genesis { balances, ..Default::default() }, ..Genesis::default() };
        genesis.staking.params.bond_denom = denom.to_string();
        genesis
    }

    /// Registers `validators` as staking candidates (commission 10 %, at most 20 %, changing by
    /// at most 1 % per edit: `tx staking register`'s defaults) and sets rotation's parameters
    /// for a chain of that many validators ([`rotation_params`]). The genesis set is then
    /// elected from these registrations, which [`AppChain`] requires.
    pub fn with_validators(mut self, validators: &[GenesisValidator], epoch_length: u64) -> Self {
        self.staking.registrations.extend(validators.iter().map(|v| conclave_staking::GenesisRegistration {
            operator: v.operator,
            consensus_key: v.consensus_key,
            commission: conclave_staking::CommissionRates {
                rate_ppb: 100_000_000,
                max_rate_ppb: 200_000_000,
                max_change_rate_ppb: 10_000_000,
            },
            description: conclave_staking::Description { moniker: v.moniker.clone(), ..Default::default() },
            self_bond: v.self_bond,
        }));
        self.rotation.params = rotation_params(self.staking.registrations.len(), epoch_length);
        self
    }
}

/// Rotation parameters for a chain of `validators` genesis validators: the module's defaults,
/// except that a network smaller than the default `min_validators` (4) lowers it to its size
/// and raises the power-share cap to `⌈100 % / size⌉` (the module requires
/// `min_validators × share ≥ 100 %`). Below 4 validators no share cap can keep everyone under
/// a third; such networks are for development (docs/running.md).
pub fn rotation_params(validators: usize, epoch_length: u64) -> conclave_rotation::Params {
    let defaults = conclave_rotation::Params::default();
    let size = u32::try_from(validators).unwrap_or(u32::MAX).max(1);
    let min_validators = defaults.min_validators.min(size);
    let share = conclave_rotation::params::PPB_ONE.div_ceil(u64::from(min_validators));
    conclave_rotation::Params {
        epoch_length,
        min_validators,
        max_power_share_ppb: defaults.max_power_share_ppb.max(share),
        ..defaults
    }
}

/// The chain: its modules and their wiring.
///
/// Staking and voting hold copies of the bank configuration (its module accounts), so build
/// it with [`AppChain::new`] (or `AppChain::default()`, the same), never field by field.
#[derive(Clone, Debug)]
pub struct AppChain {
    /// Balances, supply, module accounts (the fee collector and staking's three pools), fees.
    pub bank: Bank,
    /// Candidates, the stake ledger and its pools, unbonding and redelegation queues.
    pub staking: Staking,
    /// The delegator side: vote sets, redelegations, undelegations, pre-flight queries.
    pub voting: Voting,
    /// Epochs and the validator-set election (CometBFT's validator updates).
    pub rotation: Rotation,
    /// Double signs and downtime: slash, jail, tombstone, unjail.
    pub slashing: Slashing,
    /// Issuance, fees and rewards to signers, commission and claims.
    pub rewards: Rewards,
    /// Upgrade plans; what this binary may execute ([`upgrades`], and the node's
    /// `--allow-upgrade`, see [`AppChain::allowing_upgrades`]).
    pub upgrade: Upgrade,
    /// Proposals that execute authority-only messages of the other modules (routed by
    /// [`AppChain`]'s [`conclave_governance::ProposalRouter`]), tallied by delegation voting.
    pub governance: Governance,
}

impl AppChain {
    /// The chain's modules: a bank with staking's and rewards' module accounts, staking over
    /// it (telling rewards of share changes), voting and rotation over staking, slashing over
    /// staking and rotation, rewards over staking, the bank and rotation. Fails only if the
    /// module accounts are misconfigured (a programming error, caught by this crate's tests).
    pub fn try_new() -> Result<Self, AppError> {
        let accounts = conclave_staking::bank_module_accounts()
            .into_iter()
            .chain(conclave_rewards::bank_module_accounts())
            .chain(conclave_governance::bank_module_accounts());
        let bank = Bank::new(accounts)?;
        let staking = Staking::with_hooks(bank.clone(), (conclave_rewards::Hooks, conclave_governance::Hooks))?;
        let voting = Voting::new(staking.clone());
        let rotation = Rotation::new(staking.clone());
        let slashing = Slashing::new(staking.clone(), rotation.clone());
        let rewards = Rewards::new(staking.clone(), bank.clone(), rotation.clone())?;
        let governance = Governance::new(staking.clone(), bank.clone())?;
        Ok(Self { bank, staking, voting, rotation, slashing, rewards, upgrade: upgrades(), governance })
    }

    /// The chain as a node runs it whose operator allowed `names` (`start --allow-upgrade`):
    /// at a plan's height for one of them, it applies the plan without a migration instead
    /// of stopping.
    pub fn allowing_upgrades<N: Into<String>>(mut self, names: impl IntoIterator<Item = N>) -> Self {
        self.upgrade = self.upgrade.allowing(names);
        self
    }

    /// [`AppChain::try_new`]; the configuration is static and tested, so it cannot fail.
    #[allow(clippy::expect_used)]
    pub fn new() -> Self {
        Self::try_new().expect("the app-template module accounts are valid (tested)")
    }
}

impl Default for AppChain {
    fn default() -> Self {
        Self::new()
    }
}

impl App for AppChain {
    type Msg = Msg;
    type Genesis = Genesis;

    fn state_prefixes(&self) -> Vec<&'static str> {
        let mut prefixes: Vec<&'static str> = conclave_runtime::params::RUNTIME_PREFIXES.to_vec();
        prefixes.extend(self.bank.state_prefixes());
        prefixes.extend(self.staking.state_prefixes());
        prefixes.extend(self.voting.state_prefixes());
        prefixes.extend(self.rotation.state_prefixes());
        prefixes.extend(self.slashing.state_prefixes());
        prefixes.extend(self.rewards.state_prefixes());
        prefixes.extend(self.upgrade.state_prefixes());
        prefixes.extend(self.governance.state_prefixes());
        prefixes
    }

    fn init_genesis(&self, state: &mut impl StateWrite, genesis: &Genesis) -> Result<(), AppError> {
        // Order matters: registrations bond self-bonds from bank balances, and votes bond from
        // bank balances to candidates staking has registered.
        self.bank.init_genesis(state, &genesis.bank)?;
        self.staking.init_genesis(state, &genesis.staking)?;
        self.voting.init_genesis(state, &genesis.voting)?;
        // Rotation last: it elects the genesis set from the stake written above.
        self.rotation.init_genesis(state, &genesis.rotation)?;
        self.slashing.init_genesis(state, &genesis.slashing)?;
        self.rewards.init_genesis(state, &genesis.rewards)?;
        self.upgrade.init_genesis(state, &genesis.upgrade)?;
        // Governance after the bank (its escrow must hold exactly the deposits) and staking.
        self.governance.init_genesis(state, &genesis.governance)?;
        Ok(())
    }

    fn genesis_validators(&self, state: &impl StateRead) -> Result<Vec<ValidatorUpdate>, AppError> {
        // The set must come from staking: a validator CometBFT runs but staking does not know
        // could never be voted out or slashed (rotation only sends updates for keys it
        // elected). So a genesis that elects nobody is refused, as the Cosmos SDK does.
        let set = self.rotation.genesis_validators(state)?;
        if set.is_empty() {
            let min = self.rotation.export_genesis(state)?.params.min_validators;
            return Err(conclave_rotation::RotationError::InvalidGenesis(format!(
                "the genesis elects no validator set: rotation needs at least {min} eligible candidate(s) \
                 (params.min_validators); register each genesis validator in staking.registrations with its \
                 consensus key and a self-bond of at least staking's min_self_bond (appchaind init and localnet do)"
            ))
            .into());
        }
        Ok(set.into_iter().map(conclave_rotation::ValidatorUpdate::for_consensus).collect())
    }

    fn export_genesis(&self, state: &impl StateRead) -> Result<Genesis, AppError> {
        // Staking exports the whole ledger as records (vote sets included); voting exports its
        // parameters only, so importing the export rebuilds the state key for key.
        Ok(Genesis {
            bank: self.bank.export_genesis(state)?,
            staking: self.staking.export_genesis(state)?,
            voting: self.voting.export_genesis(state)?,
            rotation: self.rotation.export_genesis(state)?,
            slashing: self.slashing.export_genesis(state)?,
            rewards: self.rewards.export_genesis(state)?,
            upgrade: self.upgrade.export_genesis(state)?,
            governance: self.governance.export_genesis(state)?,
        })
    }

    fn validate(&self, msg: &Msg) -> Result<(), AppError> {
        match msg {
            Msg::Bank(msg) => Ok(self.bank.validate(msg)?),
            Msg::Staking(msg) => Ok(self.staking.validate(msg)?),
            Msg::Voting(msg) => Ok(self.voting.validate(msg)?),
            Msg::Rotation(msg) => Ok(self.rotation.validate(msg)?),
            Msg::Slashing(msg) => Ok(self.slashing.validate(msg)?),
            Msg::Rewards(msg) => Ok(self.rewards.validate(msg)?),
            Msg::Upgrade(msg) => Ok(self.upgrade.validate(msg)?),
            Msg::Governance(msg) => Ok(self.governance.validate(msg)?),
        }
    }

    fn deliver(&self, ctx: &TxContext<'_>, state: &mut impl StateWrite, msg: &Msg) -> Result<(), AppError> {
        match msg {
            Msg::Bank(msg) => Ok(self.bank.deliver(ctx, state, msg)?),
            Msg::Staking(msg) => Ok(self.staking.deliver(ctx, state, msg)?),
            Msg::Voting(msg) => Ok(self.voting.deliver(ctx, state, msg)?),
            Msg::Rotation(msg) => Ok(self.rotation.deliver(ctx, state, msg)?),
            Msg::Slashing(msg) => Ok(self.slashing.deliver(ctx, state, msg)?),
            Msg::Rewards(msg) => Ok(self.rewards.deliver(ctx, state, msg)?),
            Msg::Upgrade(msg) => Ok(self.upgrade.deliver(ctx, state, msg)?),
            // Through the router: a proposal's messages are checked at submission.
            Msg::Governance(msg) => Ok(self.governance.deliver_routed(ctx, state, msg, self)?),
        }
    }

    fn begin_block(&self, block: &BlockInfo, state: &mut impl StateWrite) -> Result<(), AppError> {
        // Begin block: upgrade first, so a block at a plan's height runs wholly under one
        // version: a binary that does not implement the plan stops the node here, before any
        // other module touches the block; one that does runs its migration before every other
        // hook. Then rotation (at the chain's first block only, so an imported set signs
        // from there); bank; rewards (mint, and distribute the fees and issuance to the
        // signers of the previous block) before slashing, as Cosmos's simapp orders
        // distribution before slashing, so rewards go to the stake that earned them before
        // it is slashed; slashing (the block's evidence and the previous block's commit:
        // slashes, jails, and removals rotation sends at end-block); staking and voting
        // (nothing here today).
        self.upgrade.begin_block(block, state)?;
        self.rotation.begin_block(block, state)?;
        self.bank.begin_block(block, state)?;
        self.rewards.begin_block(block, state)?;
        self.slashing.begin_block(block, state)?;
        self.staking.begin_block(block, state)?;
        self.voting.begin_block(block, state)?;
        Ok(())
    }

    fn end_block(&self, block: &BlockInfo, state: &mut impl StateWrite) -> Result<EndBlockOutput, AppError> {
        // End block, in this order (as Cosmos's x/staking: power changes only at end-block,
        // and the mature-unbonding queue is processed after the set update):
        // 0. governance first (as Cosmos's simapp orders x/gov before x/staking): proposals
        //    whose deposit or voting period ended are dropped, tallied and, if passed,
        //    executed through this app's router, so a parameter they change is in force for
        //    the rest of this end-block (e.g. rotation's epoch check below);
        // 1. bank and voting (no end-block work today);
        // 2. validator-set updates: rotation removes the validators slashing jailed in this
        //    block and, at an epoch's end, elects the set; it returns CometBFT's updates;
        // 3. staking's queues last: matured unbondings are paid out and matured redelegations
        //    removed only *after* the set update, so stake leaving the set this block is still
        //    slashable for it. It also records the block for pre-flight queries.
        let mut output = EndBlockOutput::default();
        output.absorb(self.governance.end_block_routed(block, state, self)?);
        output.absorb(self.bank.end_block(block, state)?);
        output.absorb(self.voting.end_block(block, state)?);
        output.absorb(self.rotation.end_block(block, state)?);
        output.absorb(self.staking.end_block(block, state)?);
        Ok(output)
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
            Bank::NAME => Ok(self.bank.query(state, method, data)?),
            Staking::NAME => Ok(self.staking.query(state, method, data)?),
            Voting::NAME => Ok(self.voting.query(state, method, data)?),
            Rotation::NAME => Ok(self.rotation.query(state, method, data)?),
            Slashing::NAME => Ok(self.slashing.query(state, method, data)?),
            Rewards::NAME => Ok(self.rewards.query(state, method, data)?),
            Upgrade::NAME => Ok(self.upgrade.query(state, method, data)?),
            Governance::NAME => Ok(self.governance.query(state, method, data)?),
            _ => Err(AppError {
                codespace: conclave_runtime::error::QUERY_CODESPACE,
                code: conclave_runtime::QueryCode::UnknownPath as u32,
                log: format!("unknown module {module:?}"),
                kind: conclave_runtime::ErrorKind::Rejected,
            }),
        }
    }

    fn check_invariants(&self, state: &impl StateRead) -> Result<(), String> {
        self.bank.check_invariants(state)?;
        self.staking.check_invariants(state)?;
        self.voting.check_invariants(state)?;
        self.rotation.check_invariants(state)?;
        self.slashing.check_invariants(state)?;
        self.rewards.check_invariants(state)?;
        self.upgrade.check_invariants(state)?;
        self.governance.check_invariants(state)
    }
}

/// Governance's proposals carry this chain's messages: only those the parameter authority
/// alone may sign ([`Msg::authority_only`]); they run as the authority (the governance module
/// account), validated and delivered exactly as a transaction's messages are.
impl conclave_governance::ProposalRouter for AppChain {
    fn check_proposal_message(&self, bytes: &[u8]) -> Result<String, String> {
        let msg: Msg = borsh::from_slice(bytes).map_err(|e| format!("not a message of this chain: {e}"))?;
        let Some(name) = msg.authority_only() else {
            return Err(format!(
                "{msg:?} may not be proposed: a proposal executes as the parameter authority, so it carries only \
                 messages the authority alone may sign (update_params of a module, community_pool_spend, \
                 schedule_upgrade, cancel_upgrade)"
            ));
        };
        self.validate(&msg).map_err(|e| format!("{name} is invalid: {} ({} code {})", e.log, e.codespace, e.code))?;
        Ok(name.to_string())
    }

    fn execute_proposal_message(
        &self,
        ctx: &TxContext<'_>,
        state: &mut impl StateWrite,
        bytes: &[u8],
    ) -> Result<(), conclave_governance::ExecutionError> {
        let refused = |e: AppError| conclave_governance::ExecutionError {
            fatal: e.kind == conclave_runtime::ErrorKind::Fatal,
            codespace: e.codespace.to_string(),
            code: e.code,
            log: e.log,
        };
        let msg: Msg = borsh::from_slice(bytes).map_err(|e| {
            conclave_governance::ExecutionError::refused("tx", conclave_core::TxCode::Malformed.code(), e.to_string())
        })?;
        if msg.authority_only().is_none() {
            // Checked at submission; kept here so no path can run another message as the authority.
            return Err(conclave_governance::ExecutionError::refused("governance", 9, "not an authority-only message"));
        }
        self.validate(&msg).map_err(refused)?;
        self.deliver(ctx, state, &msg).map_err(refused)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_prefixes_do_not_collide() {
        let prefixes = AppChain::default().state_prefixes();
        conclave_core::prefix::check_prefixes(&prefixes).unwrap();
    }

    #[test]
    fn the_bank_has_the_staking_pools() {
        let app = AppChain::try_new().unwrap();
        for account in conclave_staking::bank_module_accounts() {
            assert!(app.bank.module_account(account.name).is_some(), "{}", account.name);
        }
    }

    #[test]
    fn wire_tags_are_pinned() {
        let a = Address([7; 20]);
        let staking = Msg::Staking(conclave_staking::Msg::RotateConsensusKey { new_key: [1; 32] });
        let voting = Msg::Voting(conclave_voting::Msg::Unvote { candidate: a });
        assert_eq!(borsh::to_vec(&staking).unwrap()[..2], [1, 2]);
        assert_eq!(borsh::to_vec(&voting).unwrap()[..2], [2, 1]);
        for msg in [staking, voting] {
            assert_eq!(borsh::from_slice::<Msg>(&borsh::to_vec(&msg).unwrap()).unwrap(), msg);
        }
    }

    fn init_chain(genesis: &Genesis) -> Result<conclave_runtime::InitChainResponse, conclave_runtime::RuntimeError> {
        let store = conclave_store::Store::open_in_memory(conclave_store::StoreConfig::default()).unwrap();
        let state = conclave_runtime::GenesisState { runtime: Default::default(), app: genesis.clone() };
        conclave_runtime::Runtime::new(AppChain::default(), store).init_chain(conclave_runtime::InitChainRequest::new(
            "t",
            conclave_core::BlockTime(0),
            1,
            serde_json::to_vec(&state).unwrap(),
        ))
    }

    #[test]
    fn a_genesis_that_elects_no_validator_is_refused() {
        let err = init_chain(&Genesis::default()).unwrap_err().to_string();
        assert!(err.contains("elects no validator set") && err.contains("staking.registrations"), "{err}");
    }

    #[test]
    fn registered_genesis_validators_are_the_initial_set() {
        let validators: Vec<GenesisValidator> = (1..=5u8)
            .map(|i| GenesisValidator {
                operator: Address([i; 20]),
                consensus_key: ed25519_consensus::SigningKey::from([i; 32]).verification_key().to_bytes(),
                moniker: format!("v{i}"),
                self_bond: 2_000_000 * u128::from(i),
            })
            .collect();
        let balances = validators
            .iter()
            .map(|v| conclave_bank::GenesisBalance {
                address: v.operator,
                coins: vec![Coin::new("stake", v.self_bond)],
            })
            .collect();
        let genesis = Genesis { bank: conclave_bank::Genesis { balances, ..Default::default() }, ..Genesis::default() }
            .with_validators(&validators, 10);
        assert_eq!(genesis.rotation.params, rotation_params(5, 10));
        let init = init_chain(&genesis).unwrap();
        let mut powers: Vec<(Vec<u8>, i64)> = init.validators.iter().map(|v| (v.pub_key.to_vec(), v.power)).collect();
        powers.sort();
        let mut expected: Vec<(Vec<u8>, i64)> = validators
            .iter()
            .map(|v| (v.consensus_key.to_vec(), i64::try_from(v.self_bond / 1_000_000).unwrap()))
            .collect();
        expected.sort();
        // Powers 2, 4, 6, 8, 10 (self-bond / 10^6) under the 25 % share cap: capping at
        // ⌊30 / 4⌋ = 7 leaves a total of 26, then ⌊26 / 4⌋ = 6, a total of 24 and a fixpoint.
        let capped: Vec<(Vec<u8>, i64)> = expected.into_iter().map(|(k, p)| (k, p.min(6))).collect();
        assert_eq!(powers, capped);
    }

    #[test]
    fn small_networks_lower_min_validators_and_raise_the_share() {
        let one = rotation_params(1, 5);
        assert_eq!((one.min_validators, one.max_power_share_ppb, one.epoch_length), (1, 1_000_000_000, 5));
        assert_eq!(rotation_params(3, 5).max_power_share_ppb, 333_333_334);
        let four = rotation_params(4, 5);
        assert_eq!((four.min_validators, four.max_power_share_ppb), (4, 250_000_000));
        assert_eq!(rotation_params(16, 5), conclave_rotation::Params { epoch_length: 5, ..Default::default() });
        for n in 1..=16 {
            rotation_params(n, 1).validate().unwrap();
        }
    }

    #[test]
    fn a_new_network_bonds_in_its_own_denomination() {
        let operator = Address([3; 20]);
        let validator = GenesisValidator {
            operator,
            consensus_key: ed25519_consensus::SigningKey::from([3; 32]).verification_key().to_bytes(),
            moniker: "v".into(),
            self_bond: 5_000_000,
        };
        let genesis = Genesis::for_network("ucoin", &[(operator, 10_000_000)]).with_validators(&[validator], 10);
        assert_eq!(genesis.staking.params.bond_denom, "ucoin");
        let init = init_chain(&genesis).unwrap();
        assert_eq!(init.validators.len(), 1);
    }

    #[test]
    fn unknown_tag_is_reported_as_unknown_message() {
        let err = borsh::from_slice::<Msg>(&[9]).unwrap_err();
        assert_eq!(conclave_core::tx::unknown_tag(&err), Some(9));
        let rotation = Msg::Rotation(conclave_rotation::Msg::UpdateParams { params: Default::default() });
        assert_eq!(borsh::to_vec(&rotation).unwrap()[..2], [3, 0]);
    }

    #[test]
    fn upgrade_and_community_pool_spend_tags_are_pinned() {
        assert_eq!(borsh::to_vec(&Msg::Upgrade(conclave_upgrade::Msg::CancelUpgrade)).unwrap(), [6, 1]);
        let spend = Msg::Rewards(conclave_rewards::Msg::CommunityPoolSpend { recipient: Address([1; 20]), amount: 5 });
        assert_eq!(borsh::to_vec(&spend).unwrap()[..2], [5, 3]);
        let json = serde_json::to_value(Msg::Upgrade(conclave_upgrade::Msg::CancelUpgrade)).unwrap();
        assert_eq!(json, serde_json::json!({ "upgrade": "cancel_upgrade" }));
    }

    #[test]
    fn the_node_flag_allows_upgrades() {
        let app = AppChain::default();
        assert!(!app.upgrade.permits("v2"));
        let app = app.allowing_upgrades(["v2"]);
        assert!(app.upgrade.permits("v2") && !app.upgrade.permits("v3"));
    }
}
