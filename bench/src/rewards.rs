//! `conclave-bench rewards`: the cost of rewards on the app-template chain at scale, with the
//! real runtime over the real store on disk:
//! 1. **setup**: `--candidates` (default 10,000) registered candidates, of which rotation
//!    elects `--validators` (default 100), and `--voters` (default 100,000) voters with 1 to
//!    `--max-votes` votes each, all in one genesis; plus one voter with `--claim-votes`
//!    (default 16, voting's `max_votes`) votes for active validators;
//! 2. **blocks**: `--blocks` (default 300) blocks five seconds apart, each carrying the
//!    previous block's commit (a tenth of the set missing at random, seeded): every block
//!    mints, collects fees and distributes to the signers. The figure is the rewards module's
//!    begin-block (timed alone, inside the chain's begin-block): by design it does work per
//!    signer, never per voter, so it must not grow with `--voters`;
//! 3. **claims**: every few blocks the 16-vote voter claims from all its candidates in one
//!    transaction; the figure is that message's execution, and its gas.
//!
//! The last lines are `rewards_block_ms=<p99 of rewards' begin-block>` then
//! `claim_all_us=<p50 of a 16-candidate claim's execution>`.

use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use clap::Args;
use conclave_bank::GenesisBalance;
use conclave_core::{Address, BlockIdFlag, BlockTime, Coin};
use conclave_runtime::{GenesisState, RuntimeGenesis};
use conclave_staking::{CommissionRates, Description, GenesisRegistration};
use conclave_testkit::{TestAccount, TestChain, TxOptions};
use conclave_voting::GenesisVote;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::abci::stats::Summary;
use crate::timed_app::{BenchApp, Control, Genesis, Msg};

/// Options of `conclave-bench rewards`.
#[derive(Debug, Clone, Args)]
pub(crate) struct RewardsArgs {
    /// Registered candidates.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(4..=100_000))]
    candidates: u32,
    /// Active validators (rotation's `max_validators`), at most `--candidates`.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(4..=1_000))]
    validators: u32,
    /// Voters besides the claiming one.
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
    voters: u32,
    /// Most votes of one voter (1 to voting's `max_votes`, 16).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=16))]
    max_votes: u32,
    /// Votes of the claiming voter (1 to 16), each for a different active validator.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u32).range(1..=16))]
    claim_votes: u32,
    /// Measured blocks.
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u32).range(10..=100_000))]
    blocks: u32,
    /// Seed of the workload (votes, amounts, missing signers).
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

const DENOM: &str = "stake";
const BLOCK_NANOS: u64 = 5_000_000_000;
/// A claim every this many blocks.
const CLAIM_EVERY: u32 = 5;

fn consensus_key(i: u32) -> [u8; 32] {
    let mut seed = [0u8; 32];
    seed[..4].copy_from_slice(&i.to_be_bytes());
    seed[31] = 0xD1;
    ed25519_consensus::SigningKey::from(seed).verification_key().to_bytes()
}

/// The genesis and the claiming voter.
fn genesis(args: &RewardsArgs) -> Result<(GenesisState<Genesis>, TestAccount)> {
    ensure!(args.validators <= args.candidates, "--validators must be at most --candidates");
    ensure!(args.claim_votes <= args.validators, "--claim-votes must be at most --validators");
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let operators: Vec<Address> =
        (0..args.candidates).map(|i| TestAccount::named(&format!("rewards-op-{i}")).address).collect();
    let mut balances = Vec::new();
    let mut registrations = Vec::new();
    for (i, operator) in (0u32..).zip(&operators) {
        // The first `--validators` have the largest self-bonds, so rotation elects them.
        let self_bond =
            if i < args.validators { 1_000_000_000_000 } else { rng.random_range(1..=1_000u128) * 1_000_000 };
        balances.push(GenesisBalance { address: *operator, coins: vec![Coin::new(DENOM, self_bond + 1_000_000_000)] });
        registrations.push(GenesisRegistration {
            operator: *operator,
            consensus_key: consensus_key(i),
            commission: CommissionRates {
                rate_ppb: 100_000_000,
                max_rate_ppb: 500_000_000,
                max_change_rate_ppb: 20_000_000,
            },
            description: Description { moniker: format!("candidate-{i}"), ..Description::default() },
            self_bond,
        });
    }
    let mut votes = Vec::new();
    for v in 0..args.voters {
        let voter = TestAccount::named(&format!("rewards-voter-{v}")).address;
        balances.push(GenesisBalance { address: voter, coins: vec![Coin::new(DENOM, 1_000_000_000_000)] });
        let count = rng.random_range(1..=args.max_votes);
        let mut chosen: Vec<usize> = Vec::new();
        while chosen.len() < count as usize {
            // Half the votes go to active validators (whose voters earn), half anywhere.
            let c = if rng.random_bool(0.5) {
                rng.random_range(0..args.validators)
            } else {
                rng.random_range(0..args.candidates)
            };
            if !chosen.contains(&(c as usize)) {
                chosen.push(c as usize);
            }
        }
        for c in chosen {
            let amount = rng.random_range(1..=1_000u128) * 1_000_000;
            votes.push(GenesisVote { delegator: voter, candidate: operators[c], amount });
        }
    }
    let claimer = TestAccount::named("rewards-claimer");
    balances.push(GenesisBalance { address: claimer.address, coins: vec![Coin::new(DENOM, 1_000_000_000_000)] });
    for c in 0..args.claim_votes {
        votes.push(GenesisVote {
            delegator: claimer.address,
            candidate: operators[c as usize],
            amount: 10_000_000_000,
        });
    }
    let app = Genesis {
        bank: conclave_bank::Genesis { balances, ..Default::default() },
        staking: conclave_staking::Genesis { registrations, ..Default::default() },
        voting: conclave_voting::Genesis { params: conclave_voting::Params::default(), votes },
        rotation: conclave_rotation::Genesis {
            // No election during the run.
            params: conclave_rotation::Params {
                max_validators: args.validators,
                epoch_length: 10_000_000,
                ..Default::default()
            },
            ..Default::default()
        },
        ..Genesis::default()
    };
    Ok((GenesisState { runtime: RuntimeGenesis::default(), app }, claimer))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Runs the benchmark and prints the report; the last lines are `rewards_block_ms=<p99>`
/// and `claim_all_us=<p50>`.
pub(crate) fn run(args: &RewardsArgs) -> Result<()> {
    println!("rewards benchmark; machine: {}", crate::sys::machine());
    println!(
        "app: the app-template chain on conclave-runtime over conclave-store on disk (temp dir); {} candidates ({} active), \
         {} voters with 1 to {} votes, one voter with {} votes; blocks 5 s apart, a tenth of the set missing at random; seed {}",
        args.candidates, args.validators, args.voters, args.max_votes, args.claim_votes, args.seed
    );
    let setup = Instant::now();
    let (genesis, claimer) = genesis(args)?;
    let dir = tempfile::Builder::new().prefix("conclave-bench-rewards-").tempdir()?;
    let (app, control) = BenchApp::new()?;
    let mut chain = TestChain::builder(app, genesis)
        .on_disk(dir.path())
        .check_invariants(false)
        .genesis_time(BlockTime::from_seconds(1_767_225_600))
        .block_interval_nanos(BLOCK_NANOS)
        .build();
    chain.produce_empty_blocks(1);
    println!("setup (genesis document, InitChain, block 1): {:.1} s", setup.elapsed().as_secs_f64());

    let keys: Vec<[u8; 32]> = (0..args.validators).map(consensus_key).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed ^ 0x5eed);
    let options = TxOptions { gas_limit: 10_000_000, fee: Coin::new(DENOM, 10_000), ..TxOptions::default() };
    let (mut rewards_times, mut begin_times, mut claims, mut gas) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let start = Instant::now();
    for b in 1..=args.blocks {
        for key in &keys {
            let flag = if rng.random_range(0..10) == 0 { BlockIdFlag::Absent } else { BlockIdFlag::Commit };
            chain.set_vote(key, flag);
        }
        let txs = if b % CLAIM_EVERY == 0 {
            let claim = Msg::Rewards(conclave_rewards::Msg::Claim { candidate: None });
            vec![claimer.sign(chain.chain_id(), chain.nonce(&claimer), vec![claim], &options)]
        } else {
            Vec::new()
        };
        let claiming = !txs.is_empty();
        let response = chain.try_produce_block(txs).with_context(|| format!("block {}", chain.next_height()))?;
        let timings = take(&control)?;
        rewards_times.push(timings.0);
        begin_times.push(timings.1);
        if claiming {
            let result = response.tx_results.first().context("the claim's result")?;
            ensure!(result.is_ok(), "the claim failed: {result:?}");
            let paid = result.events.iter().filter(|e| e.kind == "rewards.claimed").count();
            ensure!(
                paid == args.claim_votes as usize,
                "the claim paid {paid} candidates, expected {}",
                args.claim_votes
            );
            claims.push(timings.2.context("the claim's execution was not timed")?);
            gas.push(result.gas_used);
        }
    }
    let elapsed = start.elapsed();
    let rewards = Summary::of(&rewards_times);
    let begin = Summary::of(&begin_times);
    let claim = Summary::of(&claims);
    let default_gas =
        conclave_rewards::cli::CLAIM_GAS + conclave_rewards::cli::CLAIM_GAS_PER_CANDIDATE * u64::from(args.claim_votes);
    println!(
        "{} blocks in {:.1} s ({:.1} ms per block)",
        args.blocks,
        elapsed.as_secs_f64(),
        ms(elapsed) / f64::from(args.blocks)
    );
    println!(
        "rewards begin-block (mint + distribution to {} validators)  n {:>5}  p50 {:>7.3} p99 {:>7.3} max {:>7.3} ms",
        args.validators,
        rewards.n,
        rewards.p50_us / 1e3,
        rewards.p99_us / 1e3,
        rewards.max_us / 1e3
    );
    println!(
        "whole begin-block (bank, rewards, slashing, staking, voting)  n {:>5}  p50 {:>7.3} p99 {:>7.3} max {:>7.3} ms",
        begin.n,
        begin.p50_us / 1e3,
        begin.p99_us / 1e3,
        begin.max_us / 1e3
    );
    println!(
        "claim from {} candidates (message execution)  n {:>5}  p50 {:>8.1} p99 {:>8.1} us; gas {} (CLI default {default_gas})",
        args.claim_votes,
        claim.n,
        claim.p50_us,
        claim.p99_us,
        gas.iter().max().copied().unwrap_or(0)
    );
    println!("rewards_block_ms={:.3}", rewards.p99_us / 1e3);
    println!("claim_all_us={:.1}", claim.p50_us);
    Ok(())
}

/// Rewards' begin-block, the whole begin-block, and the last message's execution if any.
fn take(control: &Control) -> Result<(Duration, Duration, Option<Duration>)> {
    let mut timings = control.lock().map_err(|_| anyhow::anyhow!("control lock poisoned"))?;
    let rewards = timings.last_rewards_begin_block.take().context("rewards' begin-block did not run")?;
    let begin = timings.last_begin_block.take().context("the begin-block hook did not run")?;
    Ok((rewards, begin, timings.last_deliver.take()))
}
