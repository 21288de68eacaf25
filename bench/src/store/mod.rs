//! `conclave-bench store`: conclave-store against jmt on one deterministic workload.
//!
//! The parent process re-executes the binary once per engine with the hidden
//! `--child-engine` flag, so that peak RSS and bytes written are the engine's own. Each child
//! runs [`run::measure`] and prints one JSON object ([`report::EngineResult`]); the parent
//! prints a table (or the JSON lines with `--json`) and, last, `ratio_vs_jmt=<x.xx>`.
//!
//! Start with [`workload`] (what is written) and [`run`] (what is measured).

mod conclave_engine;
mod engine;
mod jmt_engine;
mod report;
mod run;
mod workload;

use std::path::PathBuf;
use std::process::{Command, Stdio};

use anyhow::{bail, ensure, Context, Result};
use clap::{Args, ValueEnum};

use self::report::EngineResult;
use self::run::RunParams;
use self::workload::{Mix, WorkloadConfig};

/// Options of `conclave-bench store`.
#[derive(Debug, Clone, Args)]
pub(crate) struct StoreArgs {
    /// Keys preloaded as the first committed version.
    #[arg(long, default_value_t = 1_000_000)]
    keys: u32,
    /// Blocks committed after the preload, one durable commit each. The default runs past the
    /// first checkpoint (at commit `checkpoint_interval`), so its cost is in the figures.
    #[arg(long, default_value_t = 120)]
    blocks: u32,
    /// Distinct keys changed per block.
    #[arg(long, default_value_t = 10_000)]
    updates_per_block: u32,
    /// Size of every value in bytes.
    #[arg(long, default_value_t = 64)]
    value_size: usize,
    /// Seed of the workload (ChaCha8); the same seed gives both engines the same changes.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Proofs sampled at the end: this many present keys and as many absent keys.
    #[arg(long, default_value_t = 10_000)]
    proof_samples: u32,
    /// Percentages of updates, inserts and deletes in a block.
    #[arg(long, default_value = "90/9/1")]
    mix: Mix,
    /// Engines to run.
    #[arg(long, value_enum, default_value_t = EngineChoice::Both)]
    engine: EngineChoice,
    /// Print one JSON object per engine instead of a table (the ratio line still comes last).
    #[arg(long)]
    json: bool,
    /// conclave-store: commits between flat-table checkpoints (default: the store's default).
    #[arg(long, default_value_t = 100)]
    checkpoint_interval: u64,
    /// Versions retained by both engines; jmt prunes stale nodes to match (default: the
    /// store's default).
    #[arg(long, default_value_t = 100)]
    keep_versions: u64,
    /// Directory in which the on-disk store is created (default: the system temp dir).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Internal: run one engine and print its JSON result.
    #[arg(long, value_enum, hide = true)]
    child_engine: Option<EngineKind>,
}

/// Which engines `--engine` selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum EngineChoice {
    Conclave,
    Jmt,
    Both,
}

/// One engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum EngineKind {
    Conclave,
    Jmt,
}

impl EngineKind {
    fn name(self) -> &'static str {
        match self {
            EngineKind::Conclave => "conclave",
            EngineKind::Jmt => "jmt",
        }
    }
}

/// Runs the subcommand: as the parent (default) or as one engine's child.
pub(crate) fn run(args: &StoreArgs) -> Result<()> {
    ensure!(args.keys >= 1, "--keys must be at least 1");
    ensure!(args.updates_per_block >= 1, "--updates-per-block must be at least 1");
    ensure!(args.keep_versions >= 1, "--keep-versions must be at least 1");
    ensure!(args.checkpoint_interval >= 1, "--checkpoint-interval must be at least 1");
    match args.child_engine {
        Some(kind) => run_child(args, kind),
        None => run_parent(args),
    }
}

fn run_parent(args: &StoreArgs) -> Result<()> {
    let kinds: &[EngineKind] = match args.engine {
        EngineChoice::Conclave => &[EngineKind::Conclave],
        EngineChoice::Jmt => &[EngineKind::Jmt],
        EngineChoice::Both => &[EngineKind::Conclave, EngineKind::Jmt],
    };
    let exe = std::env::current_exe().context("locating the benchmark binary")?;
    let mut results = Vec::new();
    for &kind in kinds {
        eprintln!("running {} in a child process", kind.name());
        let output = Command::new(&exe)
            .args(std::env::args_os().skip(1))
            .args(["--child-engine", kind.name()])
            .stdin(Stdio::null())
            .stderr(Stdio::inherit())
            .output()
            .with_context(|| format!("starting the {} child", kind.name()))?;
        if !output.status.success() {
            bail!("the {} engine failed ({}); see its messages above", kind.name(), output.status);
        }
        let result: EngineResult = serde_json::from_slice(&output.stdout)
            .with_context(|| format!("reading the {} child's JSON", kind.name()))?;
        results.push(result);
    }
    if args.json {
        for result in &results {
            println!("{}", serde_json::to_string(result)?);
        }
    } else {
        report::print_table(&results, &crate::sys::machine());
    }
    let rate = |name: &str| results.iter().find(|r| r.engine == name).map(|r| r.committed_updates_per_sec);
    match (rate("conclave"), rate("jmt")) {
        (Some(ours), Some(jmt)) if jmt > 0.0 => println!("ratio_vs_jmt={:.2}", ours / jmt),
        _ => println!("ratio_vs_jmt=n/a"),
    }
    Ok(())
}

fn run_child(args: &StoreArgs, kind: EngineKind) -> Result<()> {
    let cfg = WorkloadConfig {
        seed: args.seed,
        keys: args.keys,
        updates_per_block: args.updates_per_block,
        value_size: args.value_size,
        mix: args.mix,
    };
    let params = RunParams {
        blocks: args.blocks,
        proof_samples: args.proof_samples,
        keep_versions: args.keep_versions,
        checkpoint_interval: args.checkpoint_interval,
    };
    let result = match kind {
        EngineKind::Conclave => {
            let parent = args.dir.clone().unwrap_or_else(std::env::temp_dir);
            let mut engine =
                conclave_engine::ConclaveEngine::open(&parent, args.keep_versions, args.checkpoint_interval)?;
            let setup = "redb on disk, fsync per block";
            run::measure(&mut engine, kind.name(), setup, "borsh(conclave_proof::Proof)", cfg, &params)?
        }
        EngineKind::Jmt => {
            let mut engine = jmt_engine::JmtEngine::new(args.keep_versions);
            let params = RunParams { checkpoint_interval: 0, ..params };
            let setup = "HashMap in RAM, blake3";
            run::measure(&mut engine, kind.name(), setup, "borsh(jmt SparseMerkleProof)", cfg, &params)?
        }
    };
    println!("{}", serde_json::to_string(&result)?);
    ensure!(
        result.proof_failures == 0,
        "{}: {} of {} proofs failed verification",
        kind.name(),
        result.proof_failures,
        result.proof_failures + result.proofs_verified
    );
    Ok(())
}
