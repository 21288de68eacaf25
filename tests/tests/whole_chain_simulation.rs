//! The whole chain under random operations and faults, in the spirit of the Cosmos SDK
//! simulator (docs/simulation.md): for each seed, a random genesis (10–100 candidates, 50–500
//! accounts, random parameters of every module), weighted random signed transactions of every
//! module, validators going offline and double-signing, every module's invariants after every
//! block, the final state exported and imported into a fresh chain with the same root, and the
//! seed run three times with identical app hashes at every height. The final app hash of each
//! CI seed is pinned in `tests/fixtures/simulation/golden.txt`.
//!
//! CI tier (default): seeds 1, 2, 3 × 100 blocks × 200 operations a block. Long tier:
//! `SIM_SEEDS=20 SIM_BLOCKS=500 SIM_RUNS=1 cargo test -p conclave-tests --test whole_chain_simulation -- --nocapture`.
//! Replay one seed: `SIM_SEED=<n>` (a failure prints the exact command). Re-bless the golden
//! hashes after an intended state-machine change: `SIM_BLESS=1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod simulation;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use simulation::config::Config;
use simulation::golden::{self, hex};
use simulation::operations::WEIGHTS;
use simulation::report::Report;
use simulation::runner::{divergence, run_seed, Run};

#[test]
fn random_chains_keep_their_invariants_export_faithfully_and_replay_identically() {
    let config = Config::from_env();
    println!("whole-chain simulation: {config}");
    let mut golden = golden::load();
    let mut summary = Report::default();
    let mut golden_failures = Vec::new();
    let mut failed: Vec<String> = Vec::new();
    let started = Instant::now();
    for &seed in &config.seeds {
        let seed_started = Instant::now();
        // A failing seed is reported with its replay command; the other seeds still run.
        let run = match catch_unwind(AssertUnwindSafe(|| run_seed(seed, &config))) {
            Ok(run) => run,
            Err(panic) => {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_string()))
                    .unwrap_or_else(|| "(a panic without a message)".into());
                eprintln!("\nwhole-chain simulation FAILED for seed {seed} ({config}): {message}");
                eprintln!("Replay it with:\n    {}\n", config.replay_command(seed));
                failed.push(format!("seed {seed}: {message}\n    replay: {}", config.replay_command(seed)));
                continue;
            }
        };
        let hash = hex(&run.final_hash());
        let (attempted, succeeded) = run.report.totals();
        println!(
            "seed {seed}: {}\n  final app hash {hash}; {succeeded} of {attempted} operations succeeded; {} ms",
            run.world,
            seed_started.elapsed().as_millis()
        );
        let key = (seed, config.blocks, config.ops_per_block);
        let mut report = run.report.clone();
        if config.bless {
            golden.insert(key, hash);
        } else {
            match golden.get(&key) {
                Some(expected) if *expected == hash => report.golden_checked += 1,
                Some(expected) => golden_failures.push(format!(
                    "seed {seed}: final app hash {hash}, golden {expected} (replay: {})",
                    config.replay_command(seed)
                )),
                None if config.is_ci() => golden_failures.push(format!("seed {seed}: no golden hash for {key:?}")),
                None => {}
            }
        }
        summary.absorb(&report);
    }
    if config.bless {
        golden::store(&golden);
        println!(
            "blessed: wrote the final app hashes of {} seed(s) to {}",
            config.seeds.len(),
            golden::path().display()
        );
    }
    println!("\n{}total: {} ms", summary.render(), started.elapsed().as_millis());
    assert!(
        failed.is_empty(),
        "the whole-chain simulation failed for {} seed(s):\n  {}",
        failed.len(),
        failed.join("\n  ")
    );
    assert!(
        golden_failures.is_empty(),
        "the simulation's final app hashes differ from tests/fixtures/simulation/golden.txt:\n  {}\n\
         If the state machine changed on purpose, regenerate them with\n    \
         SIM_BLESS=1 cargo test -p conclave-tests --test whole_chain_simulation -- --nocapture\n\
         and say in the commit message why the hashes changed (docs/simulation.md).",
        golden_failures.join("\n  ")
    );
    if config.is_ci() {
        // The CI tier must exercise every operation: each kind succeeds somewhere.
        for (kind, _) in WEIGHTS {
            let figures = summary.kinds.get(&kind).cloned().unwrap_or_default();
            assert!(figures.succeeded > 0, "no {} succeeded in the CI tier: {figures:?}", kind.name());
        }
        assert!(summary.faults.double_signs > 0 && summary.faults.offline > 0, "{:?}", summary.faults);
    }
}

#[test]
fn the_seed_alone_decides_the_genesis() {
    let genesis = |seed| {
        let state = simulation::genesis::random_genesis(&mut ChaCha8Rng::seed_from_u64(seed)).0;
        serde_json::to_string(&state).unwrap()
    };
    assert_eq!(genesis(7), genesis(7));
    assert_ne!(genesis(7), genesis(8));
}

#[test]
fn a_run_that_diverges_is_reported_at_its_height() {
    let run = |hashes: &[(u64, u8)]| Run {
        app_hashes: hashes.iter().map(|(h, b)| (*h, [*b; 32])).collect(),
        outcomes: hashes.iter().map(|_| [0; 32]).collect(),
        genesis_hash: [0; 32],
        report: Report::default(),
        world: String::new(),
    };
    let first = run(&[(1, 1), (2, 2), (3, 3)]);
    assert_eq!(divergence(9, 2, &first, &run(&[(1, 1), (2, 2), (3, 3)])), None);
    let message = divergence(9, 2, &first, &run(&[(1, 1), (2, 7), (3, 3)])).expect("a different hash is a divergence");
    assert!(message.contains("diverges at height 2"), "{message}");
    let mut other_outcome = run(&[(1, 1), (2, 2), (3, 3)]);
    other_outcome.outcomes[2] = [1; 32];
    let message = divergence(9, 2, &first, &other_outcome).expect("a different response is a divergence");
    assert!(message.contains("height 3") && message.contains("FinalizeBlock"), "{message}");
}
