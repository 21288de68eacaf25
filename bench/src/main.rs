//! `conclave-bench`: Conclave's benchmark binary.
//!
//! One subcommand per benchmark, each in its own module:
//! - `store`: conclave-store against the `jmt` crate on the same deterministic workload
//!   (see [`store`]);
//! - `abci`: our ABCI server against tendermint-abci's (see [`abci`]);
//! - `chain`: throughput under CometBFT (see [`chain`]);
//! - `staking`: staking + voting end-block with many unbondings maturing at once (see [`staking`]);
//! - `slashing`: slashing's block work over a full liveness window, a mass jail and a block of
//!   double-sign evidence (see [`slashing`]);
//! - `rewards`: rewards' block work and a claim from 16 candidates on a large state (see
//!   [`rewards`]).
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
mod mempool;
mod rewards;
mod slashing;
mod staking;
mod store;
mod sys;
mod timed_app;
mod transfers;

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
    /// CheckTx and Recheck over the Unix socket, pipelined as CometBFT's mempool sends them, against abci-cli kvstore.
    Mempool(mempool::MempoolArgs),
    /// Staking + voting end-block with many unbondings maturing in one block (large DPoS state).
    Staking(staking::StakingArgs),
    /// Slashing's block work: 100 validators over a 10,000-block window, a mass jail, 50 double signs.
    Slashing(slashing::SlashingArgs),
    /// Rewards' block work (mint and distribution) and a claim from 16 candidates, on a large state.
    Rewards(rewards::RewardsArgs),
    /// Signed transfers in process: blocks of 5,000 from 1,000 senders, cold signature cache, on disk.
    Transfers(transfers::TransfersArgs),
}

fn main() -> anyhow::Result<()> {
    // As `appchaind start` does (see `disable_transparent_huge_pages` there); inherited by the
    // engines' child processes and by the chain benchmark's nodes.
    if let Err(error) = rustix::thread::disable_transparent_huge_pages(true) {
        eprintln!("warning: cannot turn transparent huge pages off: {error}");
    }
    // Every benchmark runs the app-template chain: its genesis files and the addresses the
    // chain benchmark funds are written with that chain's prefix, which its nodes insist on.
    conclave_core::address::set_address_prefix(appchain::ADDRESS_PREFIX)?;
    match Cli::parse().command {
        Command::Store(args) => store::run(&args),
        Command::Abci(args) => abci::run(&args),
        Command::Chain(args) => chain::run(&args),
        Command::Mempool(args) => mempool::run(&args),
        Command::Staking(args) => staking::run(&args),
        Command::Slashing(args) => slashing::run(&args),
        Command::Rewards(args) => rewards::run(&args),
        Command::Transfers(args) => transfers::run(&args),
    }
}
