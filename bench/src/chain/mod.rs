//! `conclave-bench chain`: committed throughput and latency of the app-template chain under
//! real CometBFT, against CometBFT's kvstore on the same configuration, same run, in three
//! forms: built in (`kvstore`, in memory), built in and persistent (`persistent_kvstore`), and
//! the persistent one served by CometBFT's own `abci-cli` over a Unix socket
//! (`socket_kvstore`), which pays CometBFT's socket client exactly as the chain does.
//!
//! For each network size (default 1 and 4 validators) and each app, the benchmark builds a
//! fresh local network in a temporary directory ([`network`]), pushes load through
//! `broadcast_tx_sync` for a warm-up and a measured window ([`load`]), stops the network and
//! deletes it. Transactions are the same length for every app: signed bank transfers for the
//! chain, unique `key=value` bytes for the kvstores. Each app's report ends with the CPU time
//! of each program (`cometbft`, `appchaind`, `abci-cli`, the load) per transaction committed
//! in the window.
//!
//! The last lines are `chain_vs_kvstore=`, `chain_vs_persistent_kvstore=` and, last,
//! `chain_vs_socket_kvstore=<appchain tx/s / socket kvstore tx/s>`, from the 4-validator
//! networks (else the largest size both ran on; the line before each says which).

mod load;
mod network;
mod procs;
mod signals;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{ensure, Result};
use clap::Args;

use self::load::{LoadResult, LoadSettings};
use self::network::{free_base_port, AppKind, Binaries, Network, NetworkSettings};
use crate::abci::workload;

/// Options of `conclave-bench chain`.
#[derive(Debug, Clone, Args)]
pub(crate) struct ChainArgs {
    /// Network sizes to run, in validators.
    #[arg(long, value_delimiter = ',', default_value = "1,4", value_parser = clap::value_parser!(u16).range(1..=16))]
    validators: Vec<u16>,
    /// Apps to run on each size.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "chain,kvstore,persistent-kvstore,socket-kvstore")]
    apps: Vec<AppKind>,
    /// Seconds of load before the measured window.
    #[arg(long, default_value_t = 5.0)]
    warmup: f64,
    /// Seconds of the measured window.
    #[arg(long, default_value_t = 20.0)]
    duration: f64,
    /// Concurrent senders: threads with one HTTP connection each, spread over the nodes (one
    /// funded account each for the chain). broadcast_tx_sync over a socket app waits for the
    /// mempool, which CometBFT locks while it rechecks over the socket after each block, so it
    /// takes many in parallel to saturate a chain.
    #[arg(long, default_value_t = 64, value_parser = clap::value_parser!(u16).range(2..=1024))]
    connections: u16,
    /// Most transactions in flight (sent, not yet seen in a block); keep it below the mempool
    /// size (CometBFT default 5000).
    #[arg(long, default_value_t = 4000)]
    window: usize,
    /// Cap on the total send rate, tx/s (default: none, the window alone limits the load).
    #[arg(long)]
    rate: Option<f64>,
    /// consensus.timeout_commit of every node (both apps).
    #[arg(long, default_value = "300ms")]
    timeout_commit: String,
    /// consensus.timeout_propose of every node (both apps).
    #[arg(long, default_value = "1s")]
    timeout_propose: String,
    /// The appchaind binary (default: beside this binary, else target/release/appchaind).
    #[arg(long)]
    appchaind: Option<PathBuf>,
    /// The cometbft binary (default: $COMETBFT, PATH, ~/go/bin/cometbft).
    #[arg(long)]
    cometbft: Option<PathBuf>,
    /// First port to try (node i of a network uses P+10i and P+10i+1; each network gets its
    /// own free range). Default: 30000 plus an offset derived from the process id.
    #[arg(long)]
    base_port: Option<u16>,
    /// Keep each network's directory (homes and logs) instead of deleting it.
    #[arg(long)]
    keep_dirs: bool,
    /// Seconds a network may take to produce its first block.
    #[arg(long, default_value_t = 90)]
    start_timeout: u64,
    /// CometBFT's `mempool.recheck` on every node (false: transactions left in the mempool
    /// after a block are not checked again against the new state).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    mempool_recheck: bool,
    /// CometBFT's `mempool.keep-invalid-txs-in-cache` on every node (true: a transaction
    /// CheckTx refused stays in the cache, so the same bytes are refused without a call).
    #[arg(long, default_value_t = false, action = clap::ArgAction::Set)]
    keep_invalid_txs_in_cache: bool,
    /// The chain nodes' `[events] index` in app.toml: which event attributes CometBFT indexes
    /// (`declared`: the modules' query keys, appchaind's default; `all`; `none`).
    #[arg(long, default_value = "declared", value_parser = clap::builder::PossibleValuesParser::new(conclave_abci::IndexMode::NAMES))]
    events_index: String,
}

/// Fewer blocks than this in the window make the rate a matter of where the window falls.
const MIN_BLOCKS: u64 = 5;

/// Runs the benchmark and prints the report; the last line is the ratio.
pub(crate) fn run(args: &ChainArgs) -> Result<()> {
    ensure!(args.duration > 0.0 && args.warmup >= 0.5, "--duration must be positive and --warmup at least 0.5");
    ensure!(args.window > 0, "--window must be positive");
    signals::install()?;
    let binaries = Binaries::locate(
        args.appchaind.as_deref(),
        args.cometbft.as_deref(),
        args.apps.contains(&AppKind::SocketKvstore),
    )?;
    let settings = NetworkSettings {
        timeout_commit: args.timeout_commit.clone(),
        timeout_propose: args.timeout_propose.clone(),
        keep: args.keep_dirs,
        start_timeout: Duration::from_secs(args.start_timeout),
        mempool_recheck: args.mempool_recheck,
        keep_invalid_txs_in_cache: args.keep_invalid_txs_in_cache,
        events_index: args.events_index.clone(),
    };
    let load = LoadSettings {
        connections: usize::from(args.connections),
        window: args.window,
        rate: args.rate,
        warmup: Duration::from_secs_f64(args.warmup),
        duration: Duration::from_secs_f64(args.duration),
    };
    let senders = workload::senders(usize::from(args.connections));
    let tx_length = load::transfer_length("bench", &senders);

    println!("chain benchmark; machine: {}", crate::sys::machine());
    println!("appchaind: {}; cometbft: {}", binaries.appchaind.display(), binaries.cometbft.display());
    println!(
        "networks: appchaind localnet homes (cometbft testnet layout), timeout_commit {}, timeout_propose {}, \
         mempool recheck {}, keep-invalid-txs-in-cache {}, CometBFT's other defaults (mempool size 5000, kv tx \
         index); chain and socket_kvstore (abci-cli) over a Unix socket, kvstore and persistent_kvstore built in; \
         the chain's app.toml [events] index = \"{}\" (\"declared\", the default: for a transfer 3 of its 8 \
         event attributes; \"all\": 8), kvstore's own choice (6 of the 8 of its two events)",
        args.timeout_commit,
        args.timeout_propose,
        args.mempool_recheck,
        args.keep_invalid_txs_in_cache,
        args.events_index
    );
    println!(
        "load: {} connections (broadcast_tx_sync), window {} in flight{}, {tx_length}-byte txs \
         (transfers with gas limit {} / kvstore key=value); warm-up {} s, measured {} s",
        args.connections,
        args.window,
        args.rate.map(|r| format!(", rate cap {r} tx/s")).unwrap_or_default(),
        workload::GAS_LIMIT,
        args.warmup,
        args.duration
    );

    let mut port = args.base_port.unwrap_or(30_000 + u16::try_from(std::process::id() % 100).unwrap_or(0) * 200);
    let mut results: Vec<(u16, AppKind, LoadResult)> = Vec::new();
    for &validators in &args.validators {
        for &app in &args.apps {
            signals::check()?;
            let base = free_base_port(validators, port)?;
            port = base + validators * 10 + 100 - (validators * 10) % 100;
            eprintln!("starting {} x{validators} (ports from {base})...", app.label());
            let mut network = Network::start(app, validators, base, &binaries, &settings, &senders)?;
            eprintln!("loading {} x{validators} for {} s + {} s...", app.label(), args.warmup, args.duration);
            let result = load::run(&mut network, &senders, tx_length, &load)?;
            drop(network);
            print_row(validators, app, &result);
            results.push((validators, app, result));
        }
    }

    println!();
    // Each kvstore against the chain; the socket kvstore last: it pays CometBFT's socket client
    // as the chain does, so it is the fair anchor.
    for anchor in [AppKind::Kvstore, AppKind::PersistentKvstore, AppKind::SocketKvstore] {
        let line = format!("chain_vs_{}", anchor.label());
        match ratio(&results, anchor) {
            Some((validators, ours, theirs)) => {
                println!(
                    "ratio from the {validators}-validator networks: appchain {ours:.0} tx/s / {} {theirs:.0} tx/s",
                    anchor.label()
                );
                println!("{line}={:.2}", if theirs > 0.0 { ours / theirs } else { 0.0 });
            }
            None => println!("{line}=n/a (needs both apps on one network size)"),
        }
    }
    Ok(())
}

fn print_row(validators: u16, app: AppKind, r: &LoadResult) {
    let cpu_share = |name: &str| r.cpu.get(name).copied().unwrap_or(0.0) / r.wall_secs.max(1e-9) * 100.0;
    println!();
    println!("== {} x{validators}", app.label());
    println!(
        "committed: {:.0} tx/s ({} txs with code 0 in {} blocks over {:.2} s of block time; max {} txs/block; {} failed in block)",
        r.committed_tps, r.committed_ok, r.blocks, r.span_secs, r.max_block_txs, r.committed_failed
    );
    println!(
        "latency send -> seen committed (ms): p50 {:.0}  p99 {:.0}  mean {:.0}  (n = {})",
        r.latency.p50_us / 1000.0,
        r.latency.p99_us / 1000.0,
        r.latency.mean_us / 1000.0,
        r.latency.n
    );
    println!(
        "broadcast_tx_sync (ms): p50 {:.1}  p99 {:.1}; accepted {:.0} tx/s; retried: {} CheckTx refusals, {} RPC errors",
        r.broadcast.p50_us / 1000.0,
        r.broadcast.p99_us / 1000.0,
        r.accepted_per_sec,
        r.refused,
        r.rpc_errors
    );
    if r.blocks < MIN_BLOCKS {
        println!(
            "warning: only {} block(s) in the window: the rate depends on where the window cut the blocks; \
             use a longer --duration (at least {MIN_BLOCKS} blocks)",
            r.blocks
        );
    }
    for error in &r.sample_errors {
        println!("  e.g. {error}");
    }
    let programs: Vec<String> = r.cpu.keys().map(|name| format!("{name} {:.0}%", cpu_share(name))).collect();
    let per_tx: Vec<String> =
        r.cpu.iter().map(|(name, secs)| format!("{name} {:.0}", secs / (r.committed_ok.max(1) as f64) * 1e6)).collect();
    let ours: f64 = r.cpu.values().sum();
    let cores = r.machine_total_secs / r.wall_secs.max(1e-9);
    println!(
        "CPU during the window (% of one core; the machine has {:.0}% in all): {}, other processes {:.0}%, idle {:.0}%",
        cores * 100.0,
        programs.join(", "),
        (r.machine_busy_secs - ours).max(0.0) / r.wall_secs.max(1e-9) * 100.0,
        (r.machine_total_secs - r.machine_busy_secs).max(0.0) / r.wall_secs.max(1e-9) * 100.0
    );
    println!("CPU per committed tx (µs): {}", per_tx.join(", "));
}

/// (validators, appchain tx/s, `anchor` tx/s) from 4 validators, else the largest common size.
fn ratio(results: &[(u16, AppKind, LoadResult)], anchor: AppKind) -> Option<(u16, f64, f64)> {
    let tps =
        |v: u16, app: AppKind| results.iter().find(|(n, a, _)| *n == v && *a == app).map(|(_, _, r)| r.committed_tps);
    let mut sizes: Vec<u16> = results.iter().map(|(v, _, _)| *v).collect();
    sizes.sort_unstable();
    sizes.dedup();
    let both = |v: u16| Some((v, tps(v, AppKind::Chain)?, tps(v, anchor)?));
    both(4).or_else(|| sizes.iter().rev().find_map(|v| both(*v)))
}
