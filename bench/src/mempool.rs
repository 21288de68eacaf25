//! The mempool connection's work, measured without CometBFT: CheckTx and Recheck answered
//! over a Unix socket, pipelined as CometBFT 0.38's socket client sends them under load, by
//! our server (`AbciApp<AppChain>` on the on-disk store, the runtime `appchaind start` builds)
//! and, in the same run, by CometBFT's own `abci-cli kvstore` on the same kind of socket.
//!
//! What CometBFT does, and this imitates:
//! - a transaction from the RPC or a peer becomes one asynchronous CheckTx, and the socket
//!   client's flush timer (20 ns in 0.38, see docs/benchmarks.md) follows nearly every request
//!   with a Flush, so each CheckTx is `CheckTx` + `Flush` in its own write;
//! - after each block, inside Commit and with the mempool locked, every pending transaction
//!   is sent again as a Recheck, and the mempool waits for all the answers.
//!
//! One thread writes every request without waiting while another reads the answers; the
//! figure is the time from the first write to the last answer, per transaction. The chain's
//! transactions are the chain benchmark's: transfers from `--senders` accounts with
//! consecutive nonces, signed before the clock starts, never seen by the server (cold
//! signature cache). Recheck follows an empty committed block, so every transaction is
//! checked again from the committed state, in the order CometBFT keeps them.

use std::io::{BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use bytes::Bytes;
use prost::Message;
use tendermint_proto::v0_38::abci::{self as pb, request, response, CheckTxType, Request, Response};

use crate::abci::client::read_varint;
use crate::abci::servers::{Server, Session, StoreKind};
use crate::abci::workload;
use crate::abci::CHAIN_ID;

/// `conclave-bench mempool` options.
#[derive(clap::Args, Debug)]
pub(crate) struct MempoolArgs {
    /// Transactions per measurement (CometBFT's default mempool holds 5,000).
    #[arg(long, default_value_t = 5_000)]
    txs: usize,
    /// Distinct senders (the chain benchmark's 64 connections each sign as one account).
    #[arg(long, default_value_t = 64)]
    senders: u16,
    /// Measurements per server; the report gives the median and the range.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// `abci-cli` to compare with (from CometBFT v0.38.x); by default the toolkit's search
    /// (`$CONCLAVE_ABCI_CLI`, `PATH`, `$GOPATH/bin`, `~/go/bin`). Left out if not found.
    #[arg(long)]
    abci_cli: Option<PathBuf>,
}

/// Microseconds per transaction of one measurement.
#[derive(Clone, Copy, Debug)]
struct Figures {
    check_tx_us: f64,
    recheck_us: f64,
}

pub(crate) fn run(args: &MempoolArgs) -> Result<()> {
    ensure!(args.txs > 0 && args.senders > 0 && args.runs > 0, "--txs, --senders and --runs must be positive");
    // An explicit `--abci-cli` must work; without one, a missing abci-cli only drops the comparison.
    let abci_cli = match conclave_cometbft::locate_abci_cli(args.abci_cli.as_deref()) {
        Ok(found) => Some(found.path),
        Err(e) if args.abci_cli.is_some() => return Err(anyhow::anyhow!("--abci-cli: {e}")),
        Err(_) => None,
    };
    println!("mempool benchmark; machine: {}", crate::sys::machine());
    println!(
        "{} CheckTx then, after an empty committed block, {} Recheck, each request followed by a Flush in its own \
         write (CometBFT 0.38's socket client under load), answers read by another thread; {} runs",
        args.txs, args.txs, args.runs
    );

    let senders = workload::senders(usize::from(args.senders));
    let genesis = serde_json::to_vec(&workload::app_state(&senders)?)?;
    let options = workload::tx_options();
    let mut chain = Vec::new();
    for _ in 0..args.runs {
        let mut nonces = vec![0u64; senders.len()];
        let txs = workload::block_of_transfers(CHAIN_ID, &senders, &mut nonces, args.txs, &options);
        chain.push(measure_ours(&genesis, &txs).context("our server")?);
    }
    report("ours (AbciApp<AppChain>, unix socket)", &chain);

    let Some(abci_cli) = abci_cli else {
        println!("abci-cli not found: no kvstore comparison (install it with scripts/install-abci-cli.sh)");
        return Ok(());
    };
    let tx_length = chain_tx_length(&senders, &options);
    let mut kvstore = Vec::new();
    for run in 0..args.runs {
        let txs: Vec<Vec<u8>> = (0..args.txs)
            .map(|i| {
                let mut tx = format!("r{run}n{i:010}=").into_bytes();
                tx.resize(tx_length, b'v');
                tx
            })
            .collect();
        kvstore.push(measure_kvstore(&abci_cli, &txs).context("abci-cli kvstore")?);
    }
    report(&format!("abci-cli kvstore ({})", abci_cli.display()), &kvstore);
    let median = |figures: &[Figures], pick: fn(&Figures) -> f64| {
        let values = sorted(figures, pick);
        values[values.len() / 2]
    };
    println!(
        "mempool_check_tx_us={:.1} kvstore_check_tx_us={:.1} mempool_recheck_us={:.1} kvstore_recheck_us={:.1}",
        median(&chain, |f| f.check_tx_us),
        median(&kvstore, |f| f.check_tx_us),
        median(&chain, |f| f.recheck_us),
        median(&kvstore, |f| f.recheck_us),
    );
    Ok(())
}

fn chain_tx_length(senders: &[conclave_testkit::TestAccount], options: &conclave_testkit::TxOptions) -> usize {
    let to = senders[1 % senders.len()].address;
    workload::transfer(CHAIN_ID, &senders[0], 0, to, 1, options).len()
}

fn report(label: &str, figures: &[Figures]) {
    let range = |pick: fn(&Figures) -> f64| {
        let values = sorted(figures, pick);
        format!("{:.1} (range {:.1}–{:.1})", values[values.len() / 2], values[0], values[values.len() - 1])
    };
    println!("{label}: CheckTx {} µs/tx, Recheck {} µs/tx", range(|f| f.check_tx_us), range(|f| f.recheck_us));
}

/// One figure of every measurement, in increasing order (`--runs` ≥ 1, so never empty).
fn sorted(figures: &[Figures], pick: fn(&Figures) -> f64) -> Vec<f64> {
    let mut values: Vec<f64> = figures.iter().map(pick).collect();
    values.sort_by(f64::total_cmp);
    values
}

/// A fresh app and server: genesis and an empty block 1, the CheckTx pass, an empty block 2,
/// the Recheck pass.
fn measure_ours(genesis: &[u8], txs: &[Vec<u8>]) -> Result<Figures> {
    let mut session = Session::start(Server::OursUnix, StoreKind::Disk)?;
    let socket = session.socket_path().context("our Unix session has a socket")?;
    let consensus = session.client()?;
    let init = crate::abci::init_chain_request(genesis);
    consensus.call(request::Value::InitChain(init))?;
    let mut commit_empty = |height: usize| -> Result<()> {
        consensus.call(request::Value::FinalizeBlock(crate::abci::finalize_request(height, &[])?))?;
        consensus.call(request::Value::Commit(pb::RequestCommit {}))?;
        Ok(())
    };
    commit_empty(1)?;
    let check_tx = pipelined(&socket, txs, CheckTxType::New)?;
    commit_empty(2)?;
    let recheck = pipelined(&socket, txs, CheckTxType::Recheck)?;
    Ok(Figures { check_tx_us: check_tx, recheck_us: recheck })
}

/// `abci-cli kvstore` on a fresh directory: the CheckTx pass, then the Recheck pass (kvstore
/// keeps no state for CheckTx, so no block is needed between them).
fn measure_kvstore(abci_cli: &Path, txs: &[Vec<u8>]) -> Result<Figures> {
    let dir = tempfile::Builder::new().prefix("conclave-bench-kvstore-").tempdir()?;
    let socket = dir.path().join("kvstore.sock");
    let child = Command::new(abci_cli)
        .args(["kvstore", "--log_level", "error", "--address"])
        .arg(format!("unix://{}", socket.display()))
        .arg("--persist")
        .arg(dir.path().join("data"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", abci_cli.display()))?;
    let _stop = KillOnDrop(child);
    let deadline = Instant::now() + Duration::from_secs(30);
    while UnixStream::connect(&socket).is_err() {
        ensure!(Instant::now() < deadline, "abci-cli did not listen on {} within 30 s", socket.display());
        std::thread::sleep(Duration::from_millis(20));
    }
    let check_tx = pipelined(&socket, txs, CheckTxType::New)?;
    let recheck = pipelined(&socket, txs, CheckTxType::Recheck)?;
    Ok(Figures { check_tx_us: check_tx, recheck_us: recheck })
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Sends a CheckTx of `kind` for each of `txs`, each followed by a Flush in its own write, on
/// a new connection, while this thread reads the answers. Every answer must be code 0.
/// Returns microseconds per transaction from the first write to the last answer.
fn pipelined(socket: &Path, txs: &[Vec<u8>], kind: CheckTxType) -> Result<f64> {
    let stream = UnixStream::connect(socket).with_context(|| format!("connecting to {}", socket.display()))?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut writer = stream.try_clone()?;
    let flush = Request { value: Some(request::Value::Flush(pb::RequestFlush {})) }.encode_length_delimited_to_vec();
    let frames: Vec<Vec<u8>> = txs
        .iter()
        .map(|tx| {
            let check = pb::RequestCheckTx { tx: Bytes::copy_from_slice(tx), r#type: kind as i32 };
            let mut frame = Request { value: Some(request::Value::CheckTx(check)) }.encode_length_delimited_to_vec();
            frame.extend_from_slice(&flush);
            frame
        })
        .collect();
    let start = Instant::now();
    let sender = std::thread::spawn(move || -> std::io::Result<()> {
        for frame in &frames {
            writer.write_all(frame)?;
        }
        Ok(())
    });
    let mut reader = BufReader::with_capacity(1 << 16, stream);
    let mut answered = 0;
    let mut body = Vec::new();
    while answered < txs.len() {
        let length = read_varint(&mut reader)?;
        body.resize(usize::try_from(length)?, 0);
        reader.read_exact(&mut body).context("reading an answer")?;
        match Response::decode(body.as_slice())?.value {
            Some(response::Value::CheckTx(answer)) => {
                ensure!(answer.code == 0, "CheckTx {answered} ({kind:?}) refused: code {} {}", answer.code, answer.log);
                answered += 1;
            }
            Some(response::Value::Flush(_)) => {}
            Some(response::Value::Exception(e)) => bail!("the server answered with an exception: {}", e.error),
            other => bail!("unexpected answer {other:?}"),
        }
    }
    let elapsed = start.elapsed();
    sender.join().map_err(|_| anyhow::anyhow!("the writer thread panicked"))??;
    Ok(elapsed.as_secs_f64() * 1e6 / txs.len() as f64)
}
