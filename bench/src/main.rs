//! `conclave-bench`: Conclave's benchmark binary.
//!
//! One subcommand per benchmark, each in its own module:
//! - `store`: conclave-store against the `jmt` crate on the same deterministic workload
//!   (see [`store`]);
//! - `abci`: our ABCI server against tendermint-abci's (see [`abci`]);
//! - `chain`: throughput under CometBFT (see [`chain`]);
//! - `staking`: staking + voting end-block with many unbondings maturing at once (see [`staking`]).
//!
//! Benchmarks that need per-engine resource figures (peak RSS, bytes written) run each
//! engine in a child process: the binary re-executes itself with a hidden flag.

#![allow(clippy::float_arithmetic, reason = "a benchmark reports rates, means and ratios")]

/// The allocator `appchaind` uses, so every engine here is measured as a node would run it
/// (docs/dependencies.md, "mimalloc").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod abci;
mod chain;
mod staking;
mod store;
mod sys;

use clap::{Parser, Subcommand};

/// Command line of `conclave-bench`.
#[derive(Debug, Parser)]
#[command(name = "conclave-bench", version, about = "Conclave benchmarks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The benchmarks.
#[derive(Debug, Subcommand)]
enum Command {
    /// State tree: conclave-store against jmt (committed updates/s, latency, disk, memory, proofs).
    Store(store::StoreArgs),
    /// ABCI transport: our socket server against tendermint-abci's Server (round trip, FinalizeBlock).
    Abci(abci::AbciArgs),
    /// Throughput under CometBFT: the app-template chain against CometBFT's kvstore (1 and 4 nodes).
    Chain(chain::ChainArgs),
    /// Staking + voting end-block with many unbondings maturing in one block (large DPoS state).
    Staking(staking::StakingArgs),
}

fn main() -> anyhow::Result<()> {
    // As `appchaind start` does (see `disable_transparent_huge_pages` there); inherited by the
    // engines' child processes and by the chain benchmark's nodes.
    if let Err(error) = rustix::thread::disable_transparent_huge_pages(true) {
        eprintln!("warning: cannot turn transparent huge pages off: {error}");
    }
    match Cli::parse().command {
        Command::Store(args) => store::run(&args),
        Command::Abci(args) => abci::run(&args),
        Command::Chain(args) => chain::run(&args),
        Command::Staking(args) => staking::run(&args),
    }
}
