//! `conclave-bench staking`: end-of-block time of staking + voting when many unbondings
//! mature in one block, on a large delegated-proof-of-stake state.
//!
//! Everything runs on the real runtime ([`conclave_runtime::Runtime`]) over the real store
//! (`conclave_store::Store` on disk, in a temporary directory), with the real modules:
//! 1. **setup**: one genesis (`InitChain`) funds every account in the bank, registers the
//!    candidates through staking's genesis registrations and bonds every delegator's votes
//!    through voting's genesis (both call the modules' own operations); block 1 commits it;
//! 2. **undelegation blocks**: N signed `voting::Undelegate` transactions in one block, all
//!    with the same block time, so all N unbondings complete at the same time;
//! 3. **scenario A, default cap**: empty blocks from that completion time on, until the queue
//!    is drained: how many blocks `max_completions_per_block` (default 5,000) needs for N;
//! 4. **scenario B, cap raised to N** (when the default is below N): `--blocks` rounds of an
//!    undelegation block then the block in which all N complete. Its end-block hook is the
//!    figure the issue asks for.
//!
//! Per block: the end-block hook (staking then voting, timed inside the app), FinalizeBlock
//! (begin-block, hook, staging the writes into the tree and hashing the new root) and Commit
//! (the durable write). The last line printed is `endblock_ms=<p99 of the hook in blocks
//! completing N unbondings>`.

use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use clap::Args;
use conclave_bank::GenesisBalance;
use conclave_core::{Address, BlockTime, Coin};
use conclave_runtime::params::RuntimeParams;
use conclave_runtime::{FinalizeBlockRequest, GenesisState, InitChainRequest, Runtime, RuntimeGenesis};
use conclave_staking::{CommissionRates, Description, GenesisRegistration};
use conclave_store::{Store, StoreConfig};
use conclave_testkit::{TestAccount, TxOptions};
use conclave_voting::GenesisVote;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use crate::abci::stats::Summary;
use crate::timed_app::{BenchApp, Control, Genesis, Msg};

/// Options of `conclave-bench staking`.
#[derive(Debug, Clone, Args)]
pub(crate) struct StakingArgs {
    /// Registered candidates.
    #[arg(long, default_value_t = 10_000)]
    candidates: usize,
    /// Delegators; each votes for 1 to `--max-votes-per-delegator` random candidates.
    #[arg(long, default_value_t = 100_000)]
    delegators: usize,
    /// Unbondings that complete in the same block (one per delegator, so at most `--delegators`).
    #[arg(long, default_value_t = 10_000)]
    unbondings: usize,
    /// Measured blocks in which all the unbondings complete at once (scenario B).
    #[arg(long, default_value_t = 20)]
    blocks: usize,
    /// Seed of the workload (vote counts, candidates, amounts).
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Print one JSON object with every figure (before the last line).
    #[arg(long)]
    json: bool,
    /// Most votes of one delegator (voting's default `max_votes` is 16).
    #[arg(long, default_value_t = 3)]
    max_votes_per_delegator: usize,
    /// Seats in the active set (rotation's `max_validators`, 4 to 10,000): rotation elects the
    /// candidates with the most votes at genesis.
    #[arg(long, default_value_t = 100)]
    active: usize,
}

const CHAIN_ID: &str = "bench-staking";
const GENESIS_SECONDS: u64 = 1_700_000_000;
const BLOCK_NANOS: u64 = 1_000_000_000;
/// Tokens each undelegation takes (votes are at least 10^6, so 100 rounds fit).
const UNDELEGATE_AMOUNT: u128 = 10_000;
/// Gas limit of an undelegation (it uses well under this); fee at the default minimum price.
const GAS_LIMIT: u64 = 500_000;
const COMPLETED: &str = "staking.unbonding_completed";

/// One executed block.
#[derive(Clone, Copy, Debug)]
struct Sample {
    completions: usize,
    hook: Duration,
    finalize: Duration,
    commit: Duration,
}

/// The chain under test and what the benchmark tracks about it.
struct Bench {
    runtime: Runtime<BenchApp>,
    control: Control,
    height: u64,
    time: BlockTime,
    _dir: tempfile::TempDir,
    dir: std::path::PathBuf,
}

impl Bench {
    /// Executes and commits one block at `time` with `txs`.
    fn block(&mut self, time: BlockTime, txs: Vec<Vec<u8>>) -> Result<(Sample, Vec<conclave_runtime::TxResult>)> {
        self.height += 1;
        self.time = time;
        let request = FinalizeBlockRequest::new(self.height, time, txs);
        let start = Instant::now();
        let response = self.runtime.finalize_block(request).with_context(|| format!("block {}", self.height))?;
        let finalize = start.elapsed();
        let start = Instant::now();
        self.runtime.commit().with_context(|| format!("commit {}", self.height))?;
        let commit = start.elapsed();
        let hook = self
            .control
            .lock()
            .map_err(|_| anyhow::anyhow!("control lock poisoned"))?
            .last_end_block
            .take()
            .context("the end-block hook did not run")?;
        let completions = response.events.iter().filter(|e| e.kind == COMPLETED).count();
        Ok((Sample { completions, hook, finalize, commit }, response.tx_results))
    }

    fn keys(&self) -> u64 {
        self.runtime.store().latest().len()
    }
}

/// The workload's accounts and votes.
struct Population {
    /// The chain's parameter authority (signs staking's `UpdateParams`).
    authority: TestAccount,
    operators: Vec<TestAccount>,
    delegators: Vec<TestAccount>,
    /// Each delegator's first candidate (undelegations take from it).
    first_vote: Vec<Address>,
    nonces: Vec<u64>,
    votes: usize,
}

/// Runs the benchmark and prints the report; the last line is `endblock_ms=<p99>`.
pub(crate) fn run(args: &StakingArgs) -> Result<()> {
    ensure!(args.candidates > 0 && args.delegators > 0, "--candidates and --delegators must be positive");
    ensure!(args.unbondings > 0 && args.unbondings <= args.delegators, "--unbondings must be 1 to --delegators");
    ensure!(args.blocks > 0, "--blocks must be positive");
    ensure!(
        (1..=16).contains(&args.max_votes_per_delegator),
        "--max-votes-per-delegator must be 1 to 16 (voting's max_votes)"
    );
    ensure!(args.active <= args.candidates, "--active must be at most --candidates");
    ensure!((4..=10_000).contains(&args.active), "--active must be 4 to 10,000 (rotation's min_validators and limit)");

    println!("staking benchmark; machine: {}", crate::sys::machine());
    println!(
        "app: the app-template chain (bank, staking, voting, rotation) on conclave-runtime's Runtime over conclave-store on disk (temp dir, default \
         StoreConfig); {} candidates ({} active), {} delegators, {} unbondings per block; seed {}",
        args.candidates, args.active, args.delegators, args.unbondings, args.seed
    );

    // ---- setup ----
    let setup_start = Instant::now();
    let mut population = population(args);
    let accounts_time = setup_start.elapsed();
    let (genesis, default_cap) = genesis(args, &mut population)?;
    let genesis_json = serde_json::to_vec(&genesis)?;
    let genesis_build_time = setup_start.elapsed().saturating_sub(accounts_time);

    let dir = tempfile::Builder::new().prefix("conclave-bench-staking-").tempdir()?;
    let store_dir = dir.path().join("app");
    let store = Store::open(&store_dir, StoreConfig::default()).context("opening the store")?;
    let (app, control) = BenchApp::new()?;
    let mut runtime = Runtime::new(app, store);
    let init_start = Instant::now();
    runtime
        .init_chain(InitChainRequest::new(CHAIN_ID, BlockTime::from_seconds(GENESIS_SECONDS), 1, genesis_json))
        .context("InitChain")?;
    let init_chain_time = init_start.elapsed();
    let mut bench = Bench {
        runtime,
        control,
        height: 0,
        time: BlockTime::from_seconds(GENESIS_SECONDS),
        _dir: dir,
        dir: store_dir,
    };
    let (first, _) = bench.block(BlockTime::from_seconds(GENESIS_SECONDS), Vec::new())?;
    let setup_time = setup_start.elapsed();
    let setup_keys = bench.keys();
    println!(
        "setup: {:.1} s (accounts {:.1} s, genesis document {:.1} s, InitChain {:.1} s, block 1 {:.1} s + commit {:.1} s); \
         {} votes; {} keys",
        setup_time.as_secs_f64(),
        accounts_time.as_secs_f64(),
        genesis_build_time.as_secs_f64(),
        init_chain_time.as_secs_f64(),
        first.finalize.as_secs_f64(),
        first.commit.as_secs_f64(),
        population.votes,
        setup_keys
    );

    let period = conclave_staking::Params::default().unbonding_period_nanos;
    let options = tx_options();

    // ---- scenario A: default cap ----
    let (undelegation_a, due) = undelegation_block(&mut bench, &mut population, args, 0, &options, period)?;
    let keys_with_entries = bench.keys();
    let mut drain = Vec::new();
    let mut time = due;
    let mut remaining = args.unbondings;
    while remaining > 0 {
        let (sample, _) = bench.block(time, Vec::new())?;
        ensure!(sample.completions > 0, "no unbonding completed at height {} with {remaining} due", bench.height);
        remaining = remaining.saturating_sub(sample.completions);
        drain.push(sample);
        time = time.plus_nanos(BLOCK_NANOS);
    }
    println!(
        "undelegation block: {} txs, FinalizeBlock {:.1} ms, Commit {:.1} ms; state then {} keys",
        args.unbondings,
        ms(undelegation_a.finalize),
        ms(undelegation_a.commit),
        keys_with_entries
    );
    print_scenario(&format!("A: default max_completions_per_block = {default_cap}"), &drain);
    println!("A: {} unbondings due in one block drained in {} blocks", args.unbondings, drain.len());

    // ---- scenario B: every unbonding in one block ----
    let cap = u32::try_from(args.unbondings)?.max(default_cap);
    if cap != default_cap {
        raise_cap(&mut bench, &population, cap, &options)?;
    }
    let mut one_block = Vec::new();
    let mut undelegations = vec![undelegation_a];
    for round in 1..=args.blocks {
        let (u, due) = undelegation_block(&mut bench, &mut population, args, round, &options, period)?;
        undelegations.push(u);
        let (sample, _) = bench.block(due, Vec::new())?;
        ensure!(
            sample.completions == args.unbondings,
            "round {round}: {} completions, expected {}",
            sample.completions,
            args.unbondings
        );
        one_block.push(sample);
    }
    print_scenario(&format!("B: max_completions_per_block = {cap}"), &one_block);
    let und = |f: fn(&Sample) -> Duration| Summary::of(&undelegations.iter().map(f).collect::<Vec<_>>());
    let (und_fin, und_com) = (und(|s| s.finalize), und(|s| s.commit));
    println!(
        "undelegation blocks ({} txs each, {} blocks): FinalizeBlock p50 {:.1} ms, p99 {:.1} ms; Commit p50 {:.1} ms",
        args.unbondings,
        undelegations.len(),
        und_fin.p50_us / 1e3,
        und_fin.p99_us / 1e3,
        und_com.p50_us / 1e3
    );

    let invariants_start = Instant::now();
    bench.runtime.check_invariants().map_err(|e| anyhow::anyhow!("invariants broken after the run: {e}"))?;
    let invariants_time = invariants_start.elapsed();
    let final_keys = bench.keys();
    let db_bytes = crate::sys::dir_size(&bench.dir).unwrap_or(0);
    let peak_rss = crate::sys::peak_rss_bytes()?;
    println!(
        "end: {} keys, database {:.0} MiB, invariants ok ({:.1} s), peak RSS {:.0} MiB",
        final_keys,
        db_bytes as f64 / 1048576.0,
        invariants_time.as_secs_f64(),
        peak_rss as f64 / 1048576.0
    );

    let hook_b = Summary::of(&one_block.iter().map(|s| s.hook).collect::<Vec<_>>());
    if args.json {
        let summary = |samples: &[Sample], f: fn(&Sample) -> Duration| {
            let s = Summary::of(&samples.iter().map(f).collect::<Vec<_>>());
            json!({ "n": s.n, "mean_ms": s.mean_us / 1e3, "p50_ms": s.p50_us / 1e3, "p99_ms": s.p99_us / 1e3, "max_ms": s.max_us / 1e3 })
        };
        let scenario = |samples: &[Sample], cap: u32| {
            json!({
                "max_completions_per_block": cap,
                "blocks": samples.len(),
                "completions": samples.iter().map(|s| s.completions).collect::<Vec<_>>(),
                "end_block_hook": summary(samples, |s| s.hook),
                "finalize_block": summary(samples, |s| s.finalize),
                "commit": summary(samples, |s| s.commit),
            })
        };
        let report = json!({
            "machine": crate::sys::machine(),
            "candidates": args.candidates,
            "active": args.active,
            "delegators": args.delegators,
            "votes": population.votes,
            "unbondings": args.unbondings,
            "seed": args.seed,
            "setup_s": setup_time.as_secs_f64(),
            "keys_after_setup": setup_keys,
            "keys_with_unbondings": keys_with_entries,
            "keys_at_end": final_keys,
            "db_bytes": db_bytes,
            "peak_rss_bytes": peak_rss,
            "default_cap_drain": scenario(&drain, default_cap),
            "one_block": scenario(&one_block, cap),
            "undelegation_block": {
                "txs": args.unbondings,
                "finalize_block": summary(&undelegations, |s| s.finalize),
                "commit": summary(&undelegations, |s| s.commit),
            },
        });
        println!("{report}");
    }
    println!("endblock_ms={:.1}", hook_b.p99_us / 1e3);
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Picks one duration out of a [`Sample`].
type Field = fn(&Sample) -> Duration;

fn print_scenario(label: &str, samples: &[Sample]) {
    let completions: usize = samples.iter().map(|s| s.completions).sum();
    println!("{label}: {} blocks, {completions} completions", samples.len());
    println!("{:<36} {:>6} {:>9} {:>9} {:>9} {:>9}", "  per block (ms)", "n", "mean", "p50", "p99", "max");
    let rows: [(&str, Field); 3] = [
        ("  end-block hook (whole chain)", |s| s.hook),
        ("  FinalizeBlock (hook + stage/root)", |s| s.finalize),
        ("  Commit (durable write)", |s| s.commit),
    ];
    for (name, f) in rows {
        let s = Summary::of(&samples.iter().map(f).collect::<Vec<_>>());
        println!(
            "{:<36} {:>6} {:>9.1} {:>9.1} {:>9.1} {:>9.1}",
            name,
            s.n,
            s.mean_us / 1e3,
            s.p50_us / 1e3,
            s.p99_us / 1e3,
            s.max_us / 1e3
        );
    }
}

/// Deterministic accounts: operators, their consensus keys come later, delegators.
fn population(args: &StakingArgs) -> Population {
    let operators: Vec<TestAccount> =
        (0..args.candidates).map(|i| TestAccount::named(&format!("stake-op-{i}"))).collect();
    let delegators: Vec<TestAccount> =
        (0..args.delegators).map(|i| TestAccount::named(&format!("stake-del-{i}"))).collect();
    Population {
        authority: TestAccount::named("stake-authority"),
        operators,
        first_vote: Vec::with_capacity(args.delegators),
        nonces: vec![0; args.delegators],
        delegators,
        votes: 0,
    }
}

/// The genesis document and staking's default completion cap.
fn genesis(args: &StakingArgs, population: &mut Population) -> Result<(GenesisState<Genesis>, u32)> {
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let denom = "stake";
    let mut balances = Vec::with_capacity(args.candidates + args.delegators);
    let mut registrations = Vec::with_capacity(args.candidates);
    for (i, op) in population.operators.iter().enumerate() {
        // Self-bonds of 1 to 1,000 units of power (10^6 tokens each).
        let self_bond = rng.random_range(1..=1_000u128) * 1_000_000;
        balances.push(GenesisBalance { address: op.address, coins: vec![Coin::new(denom, self_bond + 1_000_000_000)] });
        registrations.push(GenesisRegistration {
            operator: op.address,
            consensus_key: TestAccount::named(&format!("stake-cons-{i}")).public_key,
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
    for d in &population.delegators {
        balances.push(GenesisBalance { address: d.address, coins: vec![Coin::new(denom, 1_000_000_000_000)] });
        let count = rng.random_range(1..=args.max_votes_per_delegator.min(args.candidates));
        let mut chosen: Vec<usize> = Vec::with_capacity(count);
        while chosen.len() < count {
            let c = rng.random_range(0..args.candidates);
            if !chosen.contains(&c) {
                chosen.push(c);
            }
        }
        population.first_vote.push(population.operators[chosen[0]].address);
        for c in chosen {
            // 1 to 1,000 units of power.
            let amount = rng.random_range(1..=1_000u128) * 1_000_000;
            votes.push(GenesisVote { delegator: d.address, candidate: population.operators[c].address, amount });
        }
    }
    population.votes = votes.len();
    let params = conclave_staking::Params::default();
    let default_cap = params.max_completions_per_block;
    balances
        .push(GenesisBalance { address: population.authority.address, coins: vec![Coin::new(denom, 1_000_000_000)] });
    let runtime = RuntimeGenesis {
        // The block gas limit counts gas *limits*: lift it so one block holds every undelegation.
        params: RuntimeParams { max_block_gas: 0, ..RuntimeParams::default() },
        authority: Some(population.authority.address),
        nonces: Vec::new(),
    };
    let max_validators = u32::try_from(args.active).context("--active")?;
    let app = Genesis {
        bank: conclave_bank::Genesis { balances, ..Default::default() },
        staking: conclave_staking::Genesis { params, registrations, ..Default::default() },
        voting: conclave_voting::Genesis { params: conclave_voting::Params::default(), votes },
        // Rotation elects the `--active` candidates with the most votes at genesis; no epoch
        // ends during the benchmark.
        rotation: conclave_rotation::Genesis {
            params: conclave_rotation::Params { max_validators, ..Default::default() },
            ..Default::default()
        },
        ..Genesis::default()
    };
    Ok((GenesisState { runtime, app }, default_cap))
}

fn tx_options() -> TxOptions {
    let params = RuntimeParams::default();
    let price = params.min_gas_price;
    let fee = u128::from(GAS_LIMIT).saturating_mul(price.numerator).div_ceil(price.denominator.max(1));
    TxOptions { fee: Coin::new(params.fee_denom, fee), gas_limit: GAS_LIMIT, ..TxOptions::default() }
}

/// A block with one transaction: the authority's staking `UpdateParams` raising
/// `max_completions_per_block` to `cap` (effective from that block's end-block).
fn raise_cap(bench: &mut Bench, population: &Population, cap: u32, options: &TxOptions) -> Result<()> {
    let params = conclave_staking::Params { max_completions_per_block: cap, ..conclave_staking::Params::default() };
    let msg = Msg::Staking(conclave_staking::Msg::UpdateParams { params });
    let tx = population.authority.sign(CHAIN_ID, 0, vec![msg], options);
    let (_, results) = bench.block(bench.time.plus_nanos(BLOCK_NANOS), vec![tx])?;
    match results.first() {
        Some(r) if r.is_ok() => Ok(()),
        Some(r) => anyhow::bail!("UpdateParams failed: {} {} {}", r.codespace, r.code, r.log),
        None => anyhow::bail!("UpdateParams has no result"),
    }
}

/// One block of `--unbondings` signed undelegations (delegators `round × N …`, wrapping), one
/// second after the last block; every one must succeed. Returns the block's figures and the
/// time at which the unbondings complete.
fn undelegation_block(
    bench: &mut Bench,
    population: &mut Population,
    args: &StakingArgs,
    round: usize,
    options: &TxOptions,
    period: u64,
) -> Result<(Sample, BlockTime)> {
    let n = args.unbondings;
    let txs: Vec<Vec<u8>> = (0..n)
        .map(|j| {
            let d = (round * n + j) % args.delegators;
            let msg = Msg::Voting(conclave_voting::Msg::Undelegate {
                candidate: population.first_vote[d],
                amount: UNDELEGATE_AMOUNT,
            });
            let tx = population.delegators[d].sign(CHAIN_ID, population.nonces[d], vec![msg], options);
            population.nonces[d] += 1;
            tx
        })
        .collect();
    let time = bench.time.plus_nanos(BLOCK_NANOS);
    let (sample, results) = bench.block(time, txs)?;
    if let Some((i, r)) = results.iter().enumerate().find(|(_, r)| !r.is_ok()) {
        anyhow::bail!("undelegation {i} failed at height {}: {} {} {}", bench.height, r.codespace, r.code, r.log);
    }
    Ok((sample, time.plus_nanos(period)))
}
