//! `conclave-bench transfers`: the chain's own ceiling for signed transfers, in process.
//!
//! FinalizeBlock + Commit of blocks of `--txs` signed bank transfers (default 5,000) from
//! `--senders` genesis-funded accounts (default 1,000), on the on-disk store (durable
//! commits, fsync included), through `AbciApp<AppChain>`'s `Application` methods: no
//! transport, no CometBFT. Every block's transactions are new to the node, so the signature
//! cache is cold, as on a validator that never saw them in its mempool; FinalizeBlock verifies
//! them in batches across the cores before running them one by one
//! (`conclave_runtime::batch`). The block gas limit is lifted so a block holds them all.
//!
//! The last line is `inprocess_tx_per_s=<committed transfers per second>`, over the measured
//! blocks' FinalizeBlock + Commit time.

use anyhow::{ensure, Result};
use bytes::Bytes;
use clap::Args;

use crate::abci::servers::StoreKind;
use crate::abci::{blocks_in_process, signature_cost, workload};

/// Options of `conclave-bench transfers`.
#[derive(Debug, Args)]
pub(crate) struct TransfersArgs {
    /// Blocks measured.
    #[arg(long, default_value_t = 10)]
    blocks: usize,
    /// Unmeasured blocks before them.
    #[arg(long, default_value_t = 1)]
    warmup_blocks: usize,
    /// Signed transfers per block.
    #[arg(long, default_value_t = 5000)]
    txs: usize,
    /// Genesis-funded accounts the transfers come from (they take turns; nonces in order).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u16).range(2..))]
    senders: u16,
    /// Where the application keeps its state.
    #[arg(long, value_enum, default_value_t = StoreKind::Disk)]
    store: StoreKind,
}

/// Runs the benchmark and prints the report; the last line is the summary.
pub(crate) fn run(args: &TransfersArgs) -> Result<()> {
    ensure!(args.blocks > 0 && args.txs > 0, "--blocks and --txs must be positive");
    let senders = workload::senders(usize::from(args.senders));
    let options = workload::tx_options();
    let mut app_state = workload::app_state(&senders)?;
    // No block gas limit: a block of 5,000 transfers asks for 150,000,000 gas.
    let params = conclave_runtime::RuntimeParams { max_block_gas: 0, ..Default::default() };
    app_state["runtime"] = serde_json::json!({ "params": params });
    let genesis = serde_json::to_vec(&app_state)?;
    let mut nonces = vec![0u64; senders.len()];
    let blocks: Vec<Vec<Bytes>> = (0..args.warmup_blocks + args.blocks)
        .map(|_| {
            workload::block_of_transfers(crate::abci::CHAIN_ID, &senders, &mut nonces, args.txs, &options)
                .into_iter()
                .map(Bytes::from)
                .collect()
        })
        .collect();

    println!("transfers benchmark; machine: {}; store: {:?}", crate::sys::machine(), args.store);
    println!(
        "{} blocks of {} signed transfers from {} senders after {} warm-up, cold signature cache, in process",
        args.blocks, args.txs, args.senders, args.warmup_blocks
    );
    if let Some(txs) = blocks.first() {
        let costs = signature_cost(txs)?;
        println!("{} (over one block)", costs.line());
    }

    let (row, _hashes) = blocks_in_process(args.store, args.warmup_blocks, &genesis, &blocks)?;
    let (finalize, commit) = (row.finalize, row.commit);
    let block_us = finalize.mean_us + commit.mean_us;
    println!(
        "per block (ms): FinalizeBlock mean {:.1} p50 {:.1} p99 {:.1}; Commit mean {:.1}; both {:.1}",
        finalize.mean_us / 1000.0,
        finalize.p50_us / 1000.0,
        finalize.p99_us / 1000.0,
        commit.mean_us / 1000.0,
        block_us / 1000.0
    );
    println!("per transfer: {:.2} µs", block_us / args.txs as f64);
    let tx_per_s = if block_us > 0.0 { args.txs as f64 / (block_us / 1e6) } else { 0.0 };
    println!("inprocess_tx_per_s={tx_per_s:.0}");
    Ok(())
}
