//! CometBFT's own ABCI client, `abci-cli` (CometBFT v0.38.25, `scripts/install-abci-cli.sh`),
//! against our server, as CometBFT's `abci/tests/test_cli` drives its example apps: a script
//! of commands whose output is compared with a committed golden transcript
//! (`tests/fixtures/abci-cli/conformance.out`; `UPDATE_GOLDEN=1` rewrites it, review the diff).
//!
//! abci-cli has no InitChain command, and its `finalize_block` sends neither a height nor a
//! time (CometBFT always sends both), so a test client plays CometBFT on the consensus
//! connection: InitChain, block 1, and later block 2. Meanwhile abci-cli, a guest on other
//! connections, runs echo, info, check_tx of good and bad transactions, queries, prepare and
//! process proposal (the batch `tests/fixtures/abci-cli/batch.abci`), then finalize_block and
//! commit, which the server refuses without executing while CometBFT holds the consensus
//! connection. Every abci-cli run opens and closes its own connection: the node outlives them
//! all. The second test does the same against the real `appchaind start` (the issue's
//! scenario).

mod abci;
mod cometbft;

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use abci::{genesis, start_node, time, Client};
use appchain::Msg;
use bytes::Bytes;
use conclave_abci::Stopped;
use conclave_core::Coin;
use conclave_testkit::{TestAccount, TxOptions};
use tendermint_proto::v0_38::abci as pb;
use tendermint_proto::v0_38::abci::{request, response};

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/abci-cli").join(name)
}

fn abci_cli() -> std::path::PathBuf {
    match conclave_cometbft::locate_abci_cli(None) {
        Ok(binary) => binary.path,
        Err(e) => panic!("{e} (scripts/test.sh installs it: scripts/install-abci-cli.sh)"),
    }
}

/// Waits for `child`, killing it after 60 s: abci-cli retries forever against a socket
/// nobody serves, and a hung test would say nothing. Not a timing check: a healthy run takes
/// well under a second.
fn wait_bounded(mut child: Child, what: &str) -> std::process::Output {
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("{what} did not finish in 60 s (is the node still serving?)");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// Runs `abci-cli --verbose ARGS` against `socket` with `stdin`; returns its transcript:
/// the command line, its output, and its exit status when not 0.
fn run(socket: &Path, args: &[&str], stdin: &str) -> String {
    let mut child = Command::new(abci_cli())
        .arg(format!("--address=unix://{}", socket.display()))
        .args(["--log_level=none", "--verbose"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let output = wait_bounded(child, &format!("abci-cli {}", args.join(" ")));
    let mut transcript = format!("$ abci-cli {}\n", args.join(" "));
    transcript.push_str(&String::from_utf8_lossy(&output.stdout));
    if !output.status.success() {
        transcript.push_str(&format!("\n[exit status {}]\n", output.status.code().unwrap_or(-1)));
    }
    transcript.push('\n');
    transcript
}

fn send(from: &TestAccount, to: &TestAccount, nonce: u64) -> Vec<u8> {
    let msg = Msg::Bank(conclave_bank::Msg::Send { to: to.address, amount: Coin::new("stake", 10) });
    from.sign("abci-test", nonce, vec![msg], &TxOptions::default())
}

fn consensus_block(consensus: &mut Client, height: i64, txs: Vec<Vec<u8>>) {
    let response::Value::FinalizeBlock(block) =
        consensus.call(request::Value::FinalizeBlock(pb::RequestFinalizeBlock {
            txs: txs.into_iter().map(Bytes::from).collect(),
            height,
            time: time(1_700_000_000 + height),
            ..Default::default()
        }))
    else {
        panic!("expected a FinalizeBlock response")
    };
    assert!(block.tx_results.iter().all(|r| r.code == 0), "{:?}", block.tx_results);
    let response::Value::Commit(_) = consensus.call(request::Value::Commit(pb::RequestCommit {})) else {
        panic!("expected a Commit response")
    };
}

fn info_height(socket: &Path) -> i64 {
    let mut client = Client::connect(socket);
    let response::Value::Info(info) = client.call(request::Value::Info(pb::RequestInfo::default())) else {
        panic!("expected an Info response")
    };
    info.last_block_height
}

#[test]
fn abci_cli_conformance_matches_the_golden_transcript() {
    let node = start_node();
    let (alice, bob) = (TestAccount::named("alice"), TestAccount::named("bob"));
    let mut consensus = Client::connect(&node.socket);
    let response::Value::InitChain(_) = consensus.call(request::Value::InitChain(pb::RequestInitChain {
        time: time(1_700_000_000),
        chain_id: "abci-test".into(),
        app_state_bytes: Bytes::from(genesis(&[&alice])),
        initial_height: 1,
        ..Default::default()
    })) else {
        panic!("expected an InitChain response")
    };
    let replayed = send(&alice, &bob, 0);
    let next = send(&alice, &bob, 1);
    consensus_block(&mut consensus, 1, vec![replayed.clone()]);

    let batch = std::fs::read_to_string(fixture("batch.abci"))
        .unwrap()
        .replace("{NEXT_TX}", &hex(&next))
        .replace("{REPLAYED_TX}", &hex(&replayed));
    let balance_key = hex(&conclave_bank::balance_key(&bob.address, "stake"));
    let balance_query =
        hex(&serde_json::to_vec(&serde_json::json!({ "address": bob.address, "denom": "stake" })).unwrap());
    let socket = node.socket.as_path();
    let mut transcript = run(socket, &["batch"], &batch);
    transcript.push_str(&run(socket, &["query", "--path=/store/key", &format!("0x{balance_key}")], ""));
    transcript.push_str(&run(socket, &["query", "--path=bank/balance", &format!("0x{balance_query}")], ""));
    // CometBFT holds the consensus connection: these are refused and not executed.
    transcript.push_str(&run(socket, &["finalize_block", &format!("0x{}", hex(&next))], ""));
    transcript.push_str(&run(socket, &["commit"], ""));
    assert_eq!(info_height(socket), 1, "nothing was executed for abci-cli");

    // CometBFT goes on: block 2 carries the transaction abci-cli checked.
    consensus_block(&mut consensus, 2, vec![next]);
    assert_eq!(info_height(socket), 2);
    transcript.push_str(&run(socket, &["query", "--path=bank/balance", &format!("0x{balance_query}")], ""));
    assert!(node.fatal.lock().unwrap().is_empty(), "{:?}", node.fatal.lock().unwrap());

    compare_with_golden(&transcript);
    drop(consensus);
    assert_eq!(node.server.join().unwrap(), Stopped::ConsensusDisconnected);
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

fn compare_with_golden(transcript: &str) {
    let golden = fixture("conformance.out");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, transcript).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&golden).unwrap_or_default();
    if transcript != expected {
        let new = golden.with_extension("out.new");
        std::fs::write(&new, transcript).unwrap();
        panic!(
            "abci-cli's transcript differs from {}; the new one is in {} (diff them; if the change is \
             intended, rerun with UPDATE_GOLDEN=1)",
            golden.display(),
            new.display()
        );
    }
}

/// The scenario: `appchaind start` with no CometBFT, then abci-cli commands one after
/// another, each on its own connection that it closes. The node must answer every one and be
/// running at the end.
#[test]
fn appchaind_outlives_a_run_of_abci_cli_commands() {
    let binary = cometbft::appchaind();
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("node");
    let init = Command::new(&binary.path)
        .args(["init", "--home"])
        .arg(&home)
        .args(["--chain-id", "abci-cli-test", "--moniker", "node0", "--keyring-backend", "test"])
        .output()
        .unwrap();
    assert!(init.status.success(), "init: {}", String::from_utf8_lossy(&init.stderr));
    let log = std::fs::File::create(dir.path().join("node.log")).unwrap();
    let mut node = Command::new(&binary.path)
        .args(["start", "--home"])
        .arg(&home)
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let socket = home.join("data/abci.sock");
    let started = Instant::now();
    while !socket.exists() {
        assert!(node.try_wait().unwrap().is_none(), "appchaind exited before listening");
        assert!(started.elapsed() < Duration::from_secs(60), "appchaind did not listen within 60 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    let commands: [&[&str]; 7] = [
        &["echo", "hi"],
        &["info"],
        &["check_tx", "\"junk\""],
        &["query", "\"abc\""],
        &["prepare_proposal", "\"junk\""],
        &["process_proposal", "\"junk\""],
        &["echo", "still here"],
    ];
    for args in commands {
        let transcript = run(&socket, args, "");
        assert!(!transcript.contains("[exit status"), "{transcript}");
        assert!(node.try_wait().unwrap().is_none(), "appchaind stopped after abci-cli {}", args.join(" "));
    }
    assert!(run(&socket, &["echo", "still here"], "").contains("-> data: still here"));
    let log = std::fs::read_to_string(dir.path().join("node.log")).unwrap();
    assert!(log.contains("it was not the consensus connection, still serving"), "{log}");
    // A clean stop: SIGTERM, exit status 0.
    let status = Command::new("kill").args(["-TERM", &node.id().to_string()]).status().unwrap();
    assert!(status.success());
    let output = wait_bounded(node, "appchaind after SIGTERM");
    assert!(output.status.success(), "appchaind exited with {:?}", output.status);
}
