//! `conclave-bench abci`: our ABCI socket server against the stock `tendermint_abci::Server`,
//! same application, same machine, same run.
//!
//! Two measurements, each against every server with a fresh application:
//! - **round trip**: `Echo` then `Flush` in one write, waiting for the `Flush` response, as
//!   CometBFT's socket client does for every synchronous call ([`client`]);
//! - **block**: `FinalizeBlock` with N signed bank transfers at the next height, then `Commit`
//!   ([`workload`]), after an `InitChain` whose `app_state` funds the senders. Every transfer
//!   must succeed and every server must reach the same app hash at every height.
//!
//! The last line printed is `abci_roundtrip_us=<ours, Unix socket, mean> stock_us=<stock, mean>`.

pub(crate) mod client;
pub(crate) mod servers;
pub(crate) mod stats;
pub(crate) mod workload;

use anyhow::{bail, ensure, Context, Result};
use bytes::Bytes;
use clap::Args;
use tendermint_abci::Application;
use tendermint_proto::google::protobuf::Timestamp;
use tendermint_proto::v0_38::abci::{self as pb, request, response};

use self::client::{name, AbciClient};
use self::servers::{new_app, Server, Session, StoreKind};
use self::stats::Summary;

/// Options of `conclave-bench abci`.
#[derive(Debug, Clone, Args)]
pub(crate) struct AbciArgs {
    /// Echo+Flush round trips measured against each of our servers, after the warm-up.
    #[arg(long, default_value_t = 2000)]
    iterations: usize,
    /// Echo+Flush round trips measured against the stock server. Each stalls about 45 ms
    /// (Nagle's algorithm on the server meets the client's delayed ACK), hence the cap.
    #[arg(long, default_value_t = 100)]
    stock_iterations: usize,
    /// Unmeasured round trips before each measurement (at most 5 for the stock server).
    #[arg(long, default_value_t = 200)]
    warmup: usize,
    /// Blocks (FinalizeBlock + Commit) measured per server.
    #[arg(long, default_value_t = 20)]
    blocks: usize,
    /// Unmeasured blocks before them.
    #[arg(long, default_value_t = 2)]
    warmup_blocks: usize,
    /// Signed transfers per block.
    #[arg(long, default_value_t = 1000)]
    txs: usize,
    /// Genesis-funded accounts the transfers come from (they take turns; nonces in order).
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(2..))]
    senders: u16,
    /// Where each application keeps its state.
    #[arg(long, value_enum, default_value_t = StoreKind::Memory)]
    store: StoreKind,
}

pub(crate) const CHAIN_ID: &str = "bench-abci";
const GENESIS_SECONDS: i64 = 1_700_000_000;
const SERVERS: [Server; 3] = [Server::OursUnix, Server::OursTcp, Server::StockTcp];
const STOCK_WARMUP_CAP: usize = 5;

/// Runs the benchmark and prints the report; the last line is the summary.
pub(crate) fn run(args: &AbciArgs) -> Result<()> {
    ensure!(args.iterations > 0 && args.stock_iterations > 0, "--iterations and --stock-iterations must be positive");
    let senders = workload::senders(usize::from(args.senders));
    let options = workload::tx_options();
    let genesis = serde_json::to_vec(&workload::app_state(&senders)?)?;
    let mut nonces = vec![0u64; senders.len()];
    let blocks: Vec<Vec<Bytes>> = (0..args.warmup_blocks + args.blocks)
        .map(|_| {
            workload::block_of_transfers(CHAIN_ID, &senders, &mut nonces, args.txs, &options)
                .into_iter()
                .map(Bytes::from)
                .collect()
        })
        .collect();
    let tx_bytes = blocks.first().and_then(|b| b.first()).map_or(0, Bytes::len);

    println!("abci benchmark; machine: {}; store: {:?}", crate::sys::machine(), args.store);
    println!(
        "app: AbciApp<AppChain> (conclave-abci) on a fresh store per server; client: request + Flush in one write, \
         wait for the Flush response (CometBFT's socket client), TCP_NODELAY on the client as Go sets it"
    );

    // The floor: two threads bouncing 12 bytes over a socket, no ABCI, no tokio.
    let mut baselines = Vec::new();
    for unix in [true, false] {
        let label = if unix { "baseline: raw unix ping-pong" } else { "baseline: raw tcp ping-pong" };
        baselines.push((label, raw_ping_pong(unix, args.warmup, args.iterations).context(label)?));
    }

    let mut round_trips = Vec::new();
    let mut block_rows = Vec::new();
    let mut hashes: Vec<(&str, Vec<Bytes>)> = Vec::new();

    let verify_us = match blocks.first().filter(|txs| !txs.is_empty()) {
        Some(txs) => Some(signature_cost(txs)?),
        None => None,
    };
    let (in_process, in_process_hashes) = blocks_in_process(args.store, args.warmup_blocks, &genesis, &blocks)?;
    block_rows.push(("in-process (no socket, no protobuf)", in_process));
    hashes.push(("in-process", in_process_hashes));

    for server in SERVERS {
        let mut session = Session::start(server, args.store).with_context(|| format!("starting {}", server.label()))?;
        let (iterations, warmup) = match server {
            Server::StockTcp => (args.stock_iterations, args.warmup.min(STOCK_WARMUP_CAP)),
            _ => (args.iterations, args.warmup),
        };
        let client = session.client()?;
        let echo =
            round_trip(client, warmup, iterations).with_context(|| format!("round trips, {}", server.label()))?;
        round_trips.push((server, echo));
        let (row, server_hashes) =
            blocks_over(client, args, &genesis, &blocks).with_context(|| format!("blocks, {}", server.label()))?;
        block_rows.push((server.label(), row));
        hashes.push((server.label(), server_hashes));
    }

    // Same app, same blocks: every server must agree with the in-process run at every height.
    let (reference_name, reference) = &hashes[0];
    for (label, other) in &hashes[1..] {
        if other != reference {
            bail!(
                "{label} reached different app hashes than {reference_name}: the servers did not run the same blocks"
            );
        }
    }

    println!();
    println!("round trip: Echo + Flush (µs)");
    println!("{:<36} {:>6} {:>9} {:>9} {:>9} {:>9}", "server", "n", "mean", "p50", "p99", "max");
    let rows =
        baselines.iter().map(|(label, s)| (*label, s)).chain(round_trips.iter().map(|(server, s)| (server.label(), s)));
    for (label, s) in rows {
        println!("{:<36} {:>6} {:>9.1} {:>9.1} {:>9.1} {:>9.1}", label, s.n, s.mean_us, s.p50_us, s.p99_us, s.max_us);
    }
    if args.stock_iterations < args.iterations {
        println!(
            "(the stock server is measured over {} round trips only: each stalls on Nagle + delayed ACK)",
            args.stock_iterations
        );
    }

    println!();
    println!(
        "block: FinalizeBlock with {} signed transfers ({} bytes each, {} senders) + Commit; {} blocks after {} warm-up (ms)",
        args.txs, tx_bytes, args.senders, args.blocks, args.warmup_blocks
    );
    println!(
        "{:<36} {:>9} {:>9} {:>9} {:>11} {:>10} {:>9}",
        "server", "fin mean", "fin p50", "fin p99", "commit mean", "block mean", "tx/s"
    );
    for (label, row) in &block_rows {
        let block_mean_ms = (row.finalize.mean_us + row.commit.mean_us) / 1000.0;
        let tps = if block_mean_ms > 0.0 { args.txs as f64 / (block_mean_ms / 1000.0) } else { 0.0 };
        println!(
            "{:<36} {:>9.2} {:>9.2} {:>9.2} {:>11.2} {:>10.2} {:>9.0}",
            label,
            row.finalize.mean_us / 1000.0,
            row.finalize.p50_us / 1000.0,
            row.finalize.p99_us / 1000.0,
            row.commit.mean_us / 1000.0,
            block_mean_ms,
            tps
        );
    }
    println!("app hashes: identical across the in-process run and every server at all {} heights", blocks.len());
    if let Some(costs) = verify_us {
        let in_process_us = block_rows.first().map_or(0.0, |(_, row)| row.finalize.mean_us) / args.txs.max(1) as f64;
        println!(
            "application cost per transfer: FinalizeBlock in-process {in_process_us:.1} µs (mean, signatures \
             verified in batches ahead of execution)"
        );
        println!("{}", costs.line());
    }

    let mean = |which: Server| round_trips.iter().find(|(s, _)| *s == which).map_or(0.0, |(_, s)| s.mean_us);
    println!("abci_roundtrip_us={:.1} stock_us={:.1}", mean(Server::OursUnix), mean(Server::StockTcp));
    Ok(())
}

/// `warmup` then `iterations` Echo+Flush round trips.
fn round_trip(client: &mut AbciClient, warmup: usize, iterations: usize) -> Result<Summary> {
    let mut samples = Vec::with_capacity(iterations);
    for i in 0..warmup + iterations {
        let (answer, elapsed) = client.call(request::Value::Echo(pb::RequestEcho { message: "ping".into() }))?;
        let response::Value::Echo(echo) = answer else { bail!("Echo answered with {}", name(&answer)) };
        ensure!(echo.message == "ping", "Echo answered {:?}", echo.message);
        if i >= warmup {
            samples.push(elapsed);
        }
    }
    Ok(Summary::of(&samples))
}

/// Per-block timings.
pub(crate) struct BlockRow {
    pub(crate) finalize: Summary,
    pub(crate) commit: Summary,
}

pub(crate) fn init_chain_request(genesis: &[u8]) -> pb::RequestInitChain {
    pb::RequestInitChain {
        time: Some(Timestamp { seconds: GENESIS_SECONDS, nanos: 0 }),
        chain_id: CHAIN_ID.into(),
        app_state_bytes: Bytes::copy_from_slice(genesis),
        initial_height: 1,
        ..Default::default()
    }
}

pub(crate) fn finalize_request(height: usize, txs: &[Bytes]) -> Result<pb::RequestFinalizeBlock> {
    let height = i64::try_from(height)?;
    Ok(pb::RequestFinalizeBlock {
        txs: txs.to_vec(),
        height,
        time: Some(Timestamp { seconds: GENESIS_SECONDS + height, nanos: 0 }),
        ..Default::default()
    })
}

fn check_block(height: usize, txs: usize, block: &pb::ResponseFinalizeBlock) -> Result<()> {
    ensure!(block.tx_results.len() == txs, "height {height}: {} results for {txs} txs", block.tx_results.len());
    if let Some((i, bad)) = block.tx_results.iter().enumerate().find(|(_, r)| r.code != 0) {
        bail!("height {height}: tx {i} failed: code {} {}: {}", bad.code, bad.codespace, bad.log);
    }
    Ok(())
}

/// InitChain, then every block (FinalizeBlock + Commit) over `client`.
fn blocks_over(
    client: &mut AbciClient,
    args: &AbciArgs,
    genesis: &[u8],
    blocks: &[Vec<Bytes>],
) -> Result<(BlockRow, Vec<Bytes>)> {
    let (answer, _) = client.call(request::Value::InitChain(init_chain_request(genesis)))?;
    let response::Value::InitChain(_) = answer else { bail!("InitChain answered with {}", name(&answer)) };
    let (mut finalize, mut commit, mut hashes) = (Vec::new(), Vec::new(), Vec::new());
    for (i, txs) in blocks.iter().enumerate() {
        let height = i + 1;
        let (answer, fin) = client.call(request::Value::FinalizeBlock(finalize_request(height, txs)?))?;
        let response::Value::FinalizeBlock(block) = answer else {
            bail!("FinalizeBlock answered with {}", name(&answer))
        };
        check_block(height, txs.len(), &block)?;
        let (answer, com) = client.call(request::Value::Commit(pb::RequestCommit {}))?;
        let response::Value::Commit(_) = answer else { bail!("Commit answered with {}", name(&answer)) };
        hashes.push(block.app_hash);
        if i >= args.warmup_blocks {
            finalize.push(fin);
            commit.push(com);
        }
    }
    Ok((BlockRow { finalize: Summary::of(&finalize), commit: Summary::of(&commit) }, hashes))
}

/// The same blocks through the `Application` methods directly: the cost of the application
/// itself, without transport or protobuf framing.
pub(crate) fn blocks_in_process(
    store: StoreKind,
    warmup_blocks: usize,
    genesis: &[u8],
    blocks: &[Vec<Bytes>],
) -> Result<(BlockRow, Vec<Bytes>)> {
    let (app, _dir) = new_app(store)?;
    app.init_chain(init_chain_request(genesis));
    let (mut finalize, mut commit, mut hashes) = (Vec::new(), Vec::new(), Vec::new());
    for (i, txs) in blocks.iter().enumerate() {
        let height = i + 1;
        let request = finalize_request(height, txs)?;
        let start = std::time::Instant::now();
        let block = app.finalize_block(request);
        let fin = start.elapsed();
        check_block(height, txs.len(), &block)?;
        let start = std::time::Instant::now();
        app.commit();
        let com = start.elapsed();
        hashes.push(block.app_hash);
        if i >= warmup_blocks {
            finalize.push(fin);
            commit.push(com);
        }
    }
    Ok((BlockRow { finalize: Summary::of(&finalize), commit: Summary::of(&commit) }, hashes))
}

/// Two threads bouncing 12 bytes over a Unix socket or loopback TCP: the machine's floor for a
/// synchronous round trip (on a VM it depends on whether both threads share a vCPU).
fn raw_ping_pong(unix: bool, warmup: usize, iterations: usize) -> Result<Summary> {
    use std::io::{Read, Write};
    fn echo<S: Read + Write>(mut stream: S) {
        let mut buffer = [0u8; 12];
        while stream.read_exact(&mut buffer).is_ok() && stream.write_all(&buffer).is_ok() {}
    }
    fn bounce<S: Read + Write>(mut stream: S, warmup: usize, iterations: usize) -> Result<Summary> {
        let mut buffer = [7u8; 12];
        let mut samples = Vec::with_capacity(iterations);
        for i in 0..warmup + iterations {
            let start = std::time::Instant::now();
            stream.write_all(&buffer)?;
            stream.read_exact(&mut buffer)?;
            if i >= warmup {
                samples.push(start.elapsed());
            }
        }
        Ok(Summary::of(&samples))
    }
    if unix {
        let dir = tempfile::Builder::new().prefix("conclave-bench-ping-").tempdir()?;
        let path = dir.path().join("ping.sock");
        let listener = std::os::unix::net::UnixListener::bind(&path)?;
        let server = std::thread::spawn(move || listener.accept().map(|(stream, _)| echo(stream)));
        let summary = bounce(std::os::unix::net::UnixStream::connect(&path)?, warmup, iterations);
        let _ = server.join();
        summary
    } else {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let address = listener.local_addr()?;
        let server = std::thread::spawn(move || {
            listener.accept().map(|(stream, _)| {
                let _ = stream.set_nodelay(true);
                echo(stream)
            })
        });
        let client = std::net::TcpStream::connect(address)?;
        client.set_nodelay(true)?;
        let summary = bounce(client, warmup, iterations);
        let _ = server.join();
        summary
    }
}

/// What checking the signatures of `txs` costs per transaction: alone (as a transaction's own
/// check), in one batch on one thread and on every core, in bursts of 16 on one thread (what
/// CheckTx bursts look like under CometBFT), each with the runtime's verifier (ed25519-zebra)
/// and, for comparison, with ed25519-consensus (which it replaced). Each the fastest of five
/// passes (the least disturbed by other processes).
pub(crate) struct SignatureCosts {
    pub(crate) alone_us: f64,
    pub(crate) batch_one_thread_us: f64,
    pub(crate) batch_all_threads_us: f64,
    pub(crate) bursts_of_16_us: f64,
    pub(crate) threads: usize,
    pub(crate) consensus_alone_us: f64,
    pub(crate) consensus_batch_one_thread_us: f64,
    pub(crate) consensus_bursts_of_16_us: f64,
}

impl SignatureCosts {
    /// The report line.
    pub(crate) fn line(&self) -> String {
        format!(
            "signature check per transfer (fastest of 5 passes): alone {:.1} µs, batched {:.1} µs on 1 thread and \
             {:.1} µs on {} threads, in bursts of 16 {:.1} µs (ed25519-zebra, the runtime's); ed25519-consensus: \
             alone {:.1} µs, batched {:.1} µs on 1 thread, in bursts of 16 {:.1} µs",
            self.alone_us,
            self.batch_one_thread_us,
            self.batch_all_threads_us,
            self.threads,
            self.bursts_of_16_us,
            self.consensus_alone_us,
            self.consensus_batch_one_thread_us,
            self.consensus_bursts_of_16_us,
        )
    }
}

pub(crate) fn signature_cost(txs: &[Bytes]) -> Result<SignatureCosts> {
    use conclave_runtime::batch::{available_threads, coefficient_rng, verify_all, SignatureItem};
    let decoded = txs
        .iter()
        .map(|tx| conclave_core::tx::Tx::<appchain::Msg>::decode(tx).map(|t| (tx, t.body.signer, t.signature)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("decoding a benchmark transfer: {e:?}"))?;
    let items = txs
        .iter()
        .map(|tx| conclave_core::tx::signature_parts(tx))
        .map(|parts| parts.map(|(key, signature, message)| SignatureItem { key, signature, message }))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| anyhow::anyhow!("a benchmark transfer has no signature layout"))?;
    let fastest = |pass: &dyn Fn() -> Result<()>| -> Result<f64> {
        let mut best = f64::INFINITY;
        for _ in 0..5 {
            let start = std::time::Instant::now();
            pass()?;
            best = best.min(start.elapsed().as_secs_f64() * 1e6 / items.len() as f64);
        }
        Ok(best)
    };
    let alone_us = fastest(&|| {
        for (bytes, signer, signature) in &decoded {
            ensure!(
                conclave_core::tx::verify_signature(bytes, signer, signature),
                "a benchmark signature does not verify"
            );
        }
        Ok(())
    })?;
    let batched = |chunk: usize, threads: usize| {
        fastest(&|| {
            for part in items.chunks(chunk) {
                ensure!(verify_all(part, threads).iter().all(|ok| *ok), "a benchmark signature does not verify");
            }
            Ok(())
        })
    };
    let consensus_alone_us = fastest(&|| {
        for item in &items {
            let key = ed25519_consensus::VerificationKey::try_from(item.key)
                .map_err(|e| anyhow::anyhow!("a benchmark key is not a point: {e}"))?;
            ensure!(
                key.verify(&ed25519_consensus::Signature::from(item.signature), &item.message).is_ok(),
                "a benchmark signature does not verify under ed25519-consensus"
            );
        }
        Ok(())
    })?;
    let consensus_batched = |chunk: usize| {
        fastest(&|| {
            for part in items.chunks(chunk) {
                let mut batch = ed25519_consensus::batch::Verifier::new();
                for item in part {
                    let key = ed25519_consensus::VerificationKeyBytes::from(item.key);
                    batch.queue((key, ed25519_consensus::Signature::from(item.signature), &item.message));
                }
                let rng = coefficient_rng().ok_or_else(|| anyhow::anyhow!("no OS randomness"))?;
                ensure!(batch.verify(rng).is_ok(), "a benchmark signature does not verify under ed25519-consensus");
            }
            Ok(())
        })
    };
    let threads = available_threads();
    Ok(SignatureCosts {
        alone_us,
        batch_one_thread_us: batched(items.len(), 1)?,
        batch_all_threads_us: batched(items.len(), threads)?,
        bursts_of_16_us: batched(16, 1)?,
        threads,
        consensus_alone_us,
        consensus_batch_one_thread_us: consensus_batched(items.len())?,
        consensus_bursts_of_16_us: consensus_batched(16)?,
    })
}
