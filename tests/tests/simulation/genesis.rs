//! Random genesis from a seed: 50–500 accounts, 10–100 candidates registered at genesis (each
//! with its own operator account and consensus key), genesis votes, and every module's
//! parameters drawn within their valid ranges — ranges kept small enough that unbonding,
//! jailing, elections, inflation epochs and the signing window all turn over within 100
//! blocks.

use std::collections::BTreeMap;

use appchain::{Genesis, GenesisValidator, DENOM};
use conclave_core::Address;
use conclave_runtime::{GenesisState, RuntimeGenesis, RuntimeParams};
use conclave_testkit::TestAccount;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

const PPB: u64 = 1_000_000_000;
const SECOND: u64 = 1_000_000_000;

/// Everything the simulation knows that is not chain state: who can sign, the chain's block
/// interval, the seed's fault rates.
pub struct World {
    /// Every account the simulation signs for: plain accounts first, then the genesis
    /// candidates' operators.
    pub accounts: Vec<TestAccount>,
    /// Index in `accounts` by address.
    pub index: BTreeMap<Address, usize>,
    /// How many of `accounts` are plain accounts (the rest are genesis operators).
    pub plain_accounts: usize,
    /// Nanoseconds between blocks.
    pub block_interval_nanos: u64,
    /// Chance per block, in permille, that a validator goes offline.
    pub offline_permille: u32,
    /// Chance per block, in permille, of double-sign evidence.
    pub double_sign_permille: u32,
}

/// A fresh ed25519 consensus key from the generator.
pub fn consensus_key(rng: &mut ChaCha8Rng) -> [u8; 32] {
    ed25519_consensus::SigningKey::from(rng.random::<[u8; 32]>()).verification_key().to_bytes()
}

/// A random amount spread over orders of magnitude: `10^e ..< 10^(e+1)` for `e` in `exponents`.
fn amount(rng: &mut ChaCha8Rng, exponents: std::ops::RangeInclusive<u32>) -> u128 {
    let e = rng.random_range(exponents);
    rng.random_range(10u128.pow(e)..10u128.pow(e + 1))
}

/// The genesis of `seed`'s chain and the world around it.
pub fn random_genesis(rng: &mut ChaCha8Rng) -> (GenesisState<Genesis>, World) {
    let plain = rng.random_range(50..=500usize);
    let candidates = rng.random_range(10..=100usize);
    let block_interval_nanos = [1, 5, 60, 600, 3_600][rng.random_range(0..5usize)] * SECOND;
    // A block interval in nanoseconds times a number of blocks.
    let blocks =
        |rng: &mut ChaCha8Rng, range: std::ops::RangeInclusive<u64>| block_interval_nanos * rng.random_range(range);

    let mut accounts: Vec<TestAccount> = (0..plain).map(|i| TestAccount::named(&format!("sim/account/{i}"))).collect();
    accounts.extend((0..candidates).map(|i| TestAccount::named(&format!("sim/operator/{i}"))));
    let index = accounts.iter().enumerate().map(|(i, a)| (a.address, i)).collect();

    let mut genesis = Genesis::default();
    let staking = &mut genesis.staking.params;
    staking.bond_denom = DENOM.to_string();
    staking.power_reduction = [100_000, 1_000_000][rng.random_range(0..2usize)];
    staking.min_self_bond = staking.power_reduction * rng.random_range(1..=5u128);
    staking.min_commission_ppb = rng.random_range(0..=100_000_000);
    staking.unbonding_period_nanos = blocks(rng, 5..=60);
    staking.max_completions_per_block = rng.random_range(1..=50);
    let (min_self_bond, power_reduction, min_commission) =
        (staking.min_self_bond, staking.power_reduction, staking.min_commission_ppb);

    genesis.voting.params =
        conclave_voting::Params { max_votes: rng.random_range(1..=16), max_entries: rng.random_range(1..=7) };

    let min_validators = rng.random_range(1..=4u32);
    genesis.rotation.params = conclave_rotation::Params {
        epoch_length: rng.random_range(2..=20),
        min_validators,
        max_validators: rng.random_range(min_validators.max(4)..=60),
        max_power_share_ppb: rng.random_range(PPB.div_ceil(u64::from(min_validators))..=PPB),
        max_self_bond_multiple: rng.random_range(1..=50),
    };

    genesis.slashing.params = conclave_slashing::Params {
        signed_blocks_window: rng.random_range(5..=50),
        min_signed_per_window_ppb: rng.random_range(100_000_000..=900_000_000),
        downtime_jail_duration_nanos: blocks(rng, 1..=20),
        slash_fraction_double_sign_ppb: rng.random_range(0..=200_000_000),
        slash_fraction_downtime_ppb: rng.random_range(0..=50_000_000),
    };

    let inflation_min_ppb = rng.random_range(0..=100_000_000);
    let inflation_max_ppb = rng.random_range(inflation_min_ppb..=300_000_000);
    genesis.rewards.params = conclave_rewards::Params {
        inflation_min_ppb,
        inflation_max_ppb,
        inflation_rate_change_ppb: rng.random_range(0..=PPB),
        goal_bonded_ppb: rng.random_range(100_000_000..=900_000_000),
        epoch_length: rng.random_range(1..=50),
        community_tax_ppb: rng.random_range(0..=200_000_000),
        base_proposer_reward_ppb: rng.random_range(0..=100_000_000),
        bonus_proposer_reward_ppb: rng.random_range(0..=100_000_000),
    };
    genesis.rewards.minter.inflation_ppb = rng.random_range(inflation_min_ppb..=inflation_max_ppb);

    // Balances: plain accounts from 10^6 to 10^10; operators their self-bond and up to 10^9 more.
    let mut balances: Vec<(Address, u128)> =
        accounts[..plain].iter().map(|a| (a.address, amount(rng, 6..=9))).collect();
    let mut validators = Vec::with_capacity(candidates);
    for (i, operator) in accounts[plain..].iter().enumerate() {
        let self_bond = min_self_bond * rng.random_range(1..=50u128) + rng.random_range(0..power_reduction);
        balances.push((operator.address, self_bond + amount(rng, 3..=8)));
        validators.push(GenesisValidator {
            operator: operator.address,
            consensus_key: consensus_key(rng),
            moniker: format!("sim-operator-{i}"),
            self_bond,
        });
    }
    let registrations = validators.iter().map(|v| {
        let max_rate_ppb = rng.random_range(min_commission..=PPB);
        conclave_staking::GenesisRegistration {
            operator: v.operator,
            consensus_key: v.consensus_key,
            commission: conclave_staking::CommissionRates {
                rate_ppb: rng.random_range(min_commission..=max_rate_ppb),
                max_rate_ppb,
                max_change_rate_ppb: rng.random_range(0..=max_rate_ppb),
            },
            description: conclave_staking::Description { moniker: v.moniker.clone(), ..Default::default() },
            self_bond: v.self_bond,
        }
    });
    genesis.staking.registrations = registrations.collect();

    // Genesis votes: about a third of the plain accounts vote for up to max_votes candidates,
    // a part of their balance each.
    let max_votes = genesis.voting.params.max_votes;
    for (address, balance) in balances.iter_mut().take(plain) {
        if rng.random_range(0..3u32) != 0 {
            continue;
        }
        for _ in 0..rng.random_range(1..=max_votes.min(3)) {
            let vote = *balance / rng.random_range(4..=20u128);
            if vote == 0 {
                break;
            }
            let candidate = validators[rng.random_range(0..candidates)].operator;
            genesis.voting.votes.push(conclave_voting::GenesisVote { delegator: *address, candidate, amount: vote });
            // The vote is bonded from the balance at genesis: fund it on top.
            *balance += vote;
        }
    }
    genesis.bank = Genesis::for_network(DENOM, &balances).bank;

    let runtime = RuntimeGenesis {
        // 200 transactions of up to a few million gas each fit in one block.
        params: RuntimeParams { max_block_gas: 2_000_000_000, ..RuntimeParams::default() },
        ..RuntimeGenesis::default()
    };
    let world = World {
        accounts,
        index,
        plain_accounts: plain,
        block_interval_nanos,
        offline_permille: rng.random_range(50..=200),
        double_sign_permille: rng.random_range(10..=50),
    };
    (GenesisState { runtime, app: genesis }, world)
}

impl World {
    /// One line describing the world, for the report.
    pub fn describe(&self, genesis: &Genesis) -> String {
        let r = &genesis.rotation.params;
        let s = &genesis.slashing.params;
        format!(
            "{} accounts, {} genesis candidates, {} genesis votes, block interval {} s; rotation: epoch {} blocks, \
             {}..={} validators, share cap {} ppb; slashing window {} blocks; unbonding {} blocks; \
             faults: offline {}‰, double sign {}‰ a block",
            self.plain_accounts,
            self.accounts.len() - self.plain_accounts,
            genesis.voting.votes.len(),
            self.block_interval_nanos / SECOND,
            r.epoch_length,
            r.min_validators,
            r.max_validators,
            r.max_power_share_ppb,
            s.signed_blocks_window,
            genesis.staking.params.unbonding_period_nanos / self.block_interval_nanos,
            self.offline_permille,
            self.double_sign_permille,
        )
    }
}
