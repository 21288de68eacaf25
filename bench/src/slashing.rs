//! `conclave-bench slashing`: the cost of slashing's block work on the app-template chain, in
//! three scenarios, with the real runtime over the real store on disk:
//! 1. **steady state**: `--validators` (default 100) active validators over a whole liveness
//!    window (`--window`, default 10,000 blocks): every block's begin-block reads the previous
//!    block's commit and updates every signing record. A tenth of the set misses blocks at
//!    random (seeded), so bitmaps fill and bits flip; a third misses every block;
//! 2. **mass jail**: the block in which that third (33 of 100) reaches a full window and is
//!    jailed at once: 33 slashes, 33 jails, 33 removals from the set;
//! 3. **mass evidence**: a block with `--evidence` (default 50) double-sign evidences against
//!    distinct validators: 50 slashes, tombstones and removals.
//!
//! The blocks are driven by the test chain (`conclave-testkit`), which keeps CometBFT's view of
//! the set and builds each block's last commit; invariants are not checked (they read every
//! record). Per block: the hooks (the chain's whole begin-block, where slashing works, plus its
//! whole end-block, where rotation removes the punished) and the block (FinalizeBlock with
//! staging and the root, plus Commit). The last line is `slashing_block_ms=<the largest of:
//! steady-state p99 of the hooks, the mass-jail block's hooks, the mass-evidence block's hooks>`.

use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use clap::Args;
use conclave_core::{BlockIdFlag, BlockTime};
use conclave_runtime::{GenesisState, RuntimeGenesis};
use conclave_testkit::{TestAccount, TestChain};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use appchain::{Genesis, GenesisValidator};

use crate::abci::stats::Summary;
use crate::timed_app::{BenchApp, Control};

/// Options of `conclave-bench slashing`.
#[derive(Debug, Clone, Args)]
pub(crate) struct SlashingArgs {
    /// Active validators (rotation's `max_validators`).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(6..=1_000))]
    validators: u32,
    /// Liveness window, in blocks (slashing's `signed_blocks_window`).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(10..=1_000_000))]
    window: u64,
    /// Double-sign evidences in the mass-evidence block (at most the validators left after the
    /// mass jail).
    #[arg(long, default_value_t = 50)]
    evidence: usize,
    /// Seed of the random misses.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

/// One block's figures.
#[derive(Clone, Copy, Debug)]
struct Sample {
    /// Begin-block plus end-block of the whole chain.
    hooks: Duration,
    /// FinalizeBlock and Commit.
    block: Duration,
}

fn consensus_key(i: u32) -> [u8; 32] {
    let mut seed = [0u8; 32];
    seed[..4].copy_from_slice(&i.to_be_bytes());
    seed[31] = 0xC0;
    ed25519_consensus::SigningKey::from(seed).verification_key().to_bytes()
}

fn genesis(args: &SlashingArgs) -> Result<GenesisState<Genesis>> {
    let operators: Vec<TestAccount> =
        (0..args.validators).map(|i| TestAccount::named(&format!("slash-op-{i}"))).collect();
    let balances: Vec<_> = operators.iter().map(|o| (o.address, 1_000_000_000u128)).collect();
    let validators: Vec<GenesisValidator> = operators
        .iter()
        .enumerate()
        .map(|(i, o)| GenesisValidator {
            operator: o.address,
            consensus_key: consensus_key(u32::try_from(i).unwrap_or(u32::MAX)),
            moniker: format!("v{i}"),
            self_bond: 100_000_000,
        })
        .collect();
    // No election during the run: the set changes only by slashing's removals.
    let mut app = Genesis::for_network("stake", &balances).with_validators(&validators, 10_000_000);
    app.rotation.params.max_validators = args.validators;
    app.slashing.params.signed_blocks_window = args.window;
    Ok(GenesisState { runtime: RuntimeGenesis::default(), app })
}

/// Produces one block (after `prepare` edits its request) and times it.
fn block(
    chain: &mut TestChain<BenchApp>,
    control: &Control,
    prepare: impl FnOnce(&mut conclave_runtime::FinalizeBlockRequest),
) -> Result<(Sample, conclave_runtime::FinalizeBlockResponse)> {
    let mut request = chain.next_block();
    prepare(&mut request);
    let height = request.height;
    let start = Instant::now();
    let response = chain.try_produce_block_with(request).with_context(|| format!("block {height}"))?;
    let block = start.elapsed();
    let mut timings = control.lock().map_err(|_| anyhow::anyhow!("control lock poisoned"))?;
    let begin = timings.last_begin_block.take().context("the begin-block hook did not run")?;
    let end = timings.last_end_block.take().context("the end-block hook did not run")?;
    Ok((Sample { hooks: begin + end, block }, response))
}

fn print_line(label: &str, samples: &[Sample]) {
    let hooks = Summary::of(&samples.iter().map(|s| s.hooks).collect::<Vec<_>>());
    let blocks = Summary::of(&samples.iter().map(|s| s.block).collect::<Vec<_>>());
    println!(
        "{label:<44} n {:>6}  hooks p50 {:>7.2} p99 {:>7.2} max {:>7.2} ms  block p50 {:>7.2} p99 {:>7.2} ms",
        hooks.n,
        hooks.p50_us / 1e3,
        hooks.p99_us / 1e3,
        hooks.max_us / 1e3,
        blocks.p50_us / 1e3,
        blocks.p99_us / 1e3
    );
}

/// Runs the benchmark and prints the report; the last line is `slashing_block_ms=<x>`.
pub(crate) fn run(args: &SlashingArgs) -> Result<()> {
    let absent = args.validators / 3;
    let flaky = args.validators / 10;
    ensure!(
        args.evidence <= usize::try_from(args.validators - absent).unwrap_or(0),
        "--evidence must be at most the validators left after the mass jail ({})",
        args.validators - absent
    );
    println!("slashing benchmark; machine: {}", crate::sys::machine());
    println!(
        "app: the app-template chain on conclave-runtime over conclave-store on disk (temp dir); {} validators, \
         window {} blocks (5 % must be signed); {absent} absent from the start, {flaky} missing at random; seed {}",
        args.validators, args.window, args.seed
    );
    let dir = tempfile::Builder::new().prefix("conclave-bench-slashing-").tempdir()?;
    let (app, control) = BenchApp::new()?;
    let mut chain = TestChain::builder(app, genesis(args)?)
        .on_disk(dir.path())
        .check_invariants(false)
        .genesis_time(BlockTime::from_seconds(1_767_225_600))
        .build();
    let keys: Vec<[u8; 32]> = (0..args.validators).map(consensus_key).collect();
    for key in &keys[..absent as usize] {
        chain.set_vote(key, BlockIdFlag::Absent);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);

    // 1. A whole window (blocks 1..=window carry the commits of 0..window-1), then block
    //    window + 1, whose commit completes the first full window: the mass jail.
    let start = Instant::now();
    let mut steady = Vec::with_capacity(usize::try_from(args.window).unwrap_or(0));
    for _ in 0..args.window {
        for key in &keys[absent as usize..(absent + flaky) as usize] {
            let flag = if rng.random_range(0..4) == 0 { BlockIdFlag::Absent } else { BlockIdFlag::Commit };
            chain.set_vote(key, flag);
        }
        let (sample, _) = block(&mut chain, &control, |_| {})?;
        steady.push(sample);
    }
    for key in &keys[absent as usize..(absent + flaky) as usize] {
        chain.set_vote(key, BlockIdFlag::Commit);
    }
    let fill = start.elapsed();
    let (jail, response) = block(&mut chain, &control, |_| {})?;
    let jailed = response.events.iter().filter(|e| e.kind == "slashing.jailed").count();
    ensure!(jailed == absent as usize, "{jailed} validators were jailed in the mass-jail block, expected {absent}");
    ensure!(response.validator_updates.len() == absent as usize, "{} updates", response.validator_updates.len());

    // 3. Evidence against `--evidence` validators that are still in the set.
    let fault = chain.height().saturating_sub(1);
    let targets: Vec<[u8; 32]> = keys[absent as usize..].iter().take(args.evidence).copied().collect();
    let evidence: Vec<_> = targets.iter().map(|key| chain.duplicate_vote(key, fault)).collect();
    let (double, response) = block(&mut chain, &control, |request| request.misbehavior = evidence)?;
    let tombstoned = response.events.iter().filter(|e| e.kind == "slashing.tombstoned").count();
    ensure!(tombstoned == args.evidence, "{tombstoned} tombstoned, expected {}", args.evidence);

    println!("window filled in {:.1} s ({} blocks)", fill.as_secs_f64(), args.window);
    print_line("1. steady state (every block of the window)", &steady);
    print_line(&format!("2. mass jail ({absent} jailed in one block)"), &[jail]);
    print_line(&format!("3. mass evidence ({} double signs)", args.evidence), &[double]);
    let steady_p99 = Summary::of(&steady.iter().map(|s| s.hooks).collect::<Vec<_>>()).p99_us;
    let worst = steady_p99.max(jail.hooks.as_secs_f64() * 1e6).max(double.hooks.as_secs_f64() * 1e6);
    println!("slashing_block_ms={:.2}", worst / 1e3);
    Ok(())
}
