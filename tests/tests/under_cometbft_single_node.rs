//! One validator under a real CometBFT (`appchaind init`, then `appchaind start` and
//! `cometbft start` on loopback): transfers are included and visible through `abci_query`;
//! bad transactions are refused by CheckTx with their documented `(codespace, code)`
//! (docs/errors.md); a `store/key` query with `prove` verifies against the app hash in the
//! header of the next block; and the CLI's own `tx bank send` / `query bank balance` work
//! against the running node.

mod cometbft;

use std::time::Duration;

use conclave_core::TxCode;
use conclave_proof::Proof;
use conclave_testkit::{TestAccount, TxOptions};

use conclave_cometbft::rpc::{BroadcastTxSync, CheckTx, Rpc, RpcError, TxResponse};

use cometbft::load::{fee, send, transfer};
use cometbft::{genesis_balances, wait_for, AppchainQueries};

const TX_WAIT: Duration = Duration::from_secs(30);

fn committed(rpc: &Rpc, hash: &str) -> TxResponse {
    wait_for(&format!("tx {hash} to be committed"), TX_WAIT, || match rpc.tx(hash) {
        Ok(Some(tx)) => Ok(tx),
        Ok(None) => Err(format!("not yet in a block (height {:?})", rpc.height().ok())),
        Err(e) => Err(e.to_string()),
    })
}

fn header_app_hash(rpc: &Rpc, height: u64) -> [u8; 32] {
    let block = wait_for(&format!("block {height}"), TX_WAIT, || rpc.block(height).map_err(|e| e.to_string()));
    block
        .block
        .header
        .app_hash
        .try_into()
        .unwrap_or_else(|h: Vec<u8>| panic!("app hash of block {height} is {} bytes", h.len()))
}

/// CheckTx's `(codespace, code, log)`, from `broadcast_tx_sync` or `check_tx`.
struct Verdict(String, u32, String);

impl From<BroadcastTxSync> for Verdict {
    fn from(r: BroadcastTxSync) -> Self {
        Verdict(r.codespace, r.code, r.log)
    }
}

impl From<CheckTx> for Verdict {
    fn from(r: CheckTx) -> Self {
        Verdict(r.codespace, r.code, r.log)
    }
}

fn assert_refused(what: &str, outcome: Result<impl Into<Verdict>, RpcError>, code: TxCode) {
    let outcome = outcome.unwrap_or_else(|e| panic!("{what}: broadcast failed instead of a CheckTx refusal: {e}"));
    let Verdict(codespace, actual, log) = outcome.into();
    assert_eq!(
        (codespace.as_str(), actual),
        ("tx", code as u32),
        "{what}: expected tx/{} ({code:?}), CheckTx said {codespace}/{actual}: {log}",
        code as u32,
    );
}

#[test]
fn a_single_node_includes_transfers_refuses_bad_txs_and_proves_queries() {
    let mut net = cometbft::single("e2e-single");
    // Prometheus metrics on (app.toml [metrics]), on a free port.
    let metrics_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    net.edit_app_toml(|doc| {
        doc["metrics"]["enabled"] = toml_edit::value(true);
        doc["metrics"]["address"] = toml_edit::value(format!("127.0.0.1:{metrics_port}"));
    });
    net.start_all();
    net.wait_for_height(&[0], 2, Duration::from_secs(30));
    let rpc = net.nodes[0].rpc.clone();
    let chain_id = net.chain_id.clone();
    let sender = net.accounts[0].clone();
    let genesis = genesis_balances(&net)[&sender.address];
    let bob = TestAccount::named("bob"); // not in genesis
    let sender_hex = sender.address.to_string();
    let bob_hex = bob.address.to_string();

    // --- Transfers: five consecutive nonces sent at once (the mempool view tracks the
    // pending nonces), all committed with code 0 and visible through abci_query.
    let nonce0 = rpc.nonce(&sender_hex).unwrap();
    assert_eq!(nonce0, 0, "the genesis account has not sent anything yet");
    let amounts: Vec<u128> = (1..=5).map(|i| 1_000 * i).collect();
    let mut sent = Vec::new();
    for (i, amount) in amounts.iter().enumerate() {
        let tx = transfer(&chain_id, &sender, nonce0 + i as u64, bob.address, *amount);
        let outcome = rpc.broadcast_tx_sync(&tx).unwrap();
        assert_eq!(
            outcome.code, 0,
            "transfer {i} refused by CheckTx: {}/{} {}",
            outcome.codespace, outcome.code, outcome.log
        );
        sent.push((outcome.hash, tx));
    }
    let results: Vec<TxResponse> = sent.iter().map(|(hash, _)| committed(&rpc, hash)).collect();
    for (i, result) in results.iter().enumerate() {
        let exec = &result.tx_result;
        assert_eq!((exec.code, exec.codespace.as_str()), (0, ""), "transfer {i} failed in its block: {}", exec.log);
    }
    let last = results.iter().map(|r| r.height).max().unwrap();
    let total: u128 = amounts.iter().sum();
    let fees = fee() * amounts.len() as u128;
    assert_eq!(rpc.balance(&bob_hex, "stake", last).unwrap(), total, "bob's balance after block {last}");
    assert_eq!(
        rpc.balance(&sender_hex, "stake", last).unwrap(),
        genesis - total - fees,
        "sender's balance after block {last}"
    );
    assert_eq!(rpc.balance(&bob_hex, "stake", 0).unwrap(), total, "bob's balance at the latest height");
    assert_eq!(rpc.nonce(&sender_hex).unwrap(), nonce0 + 5);
    // Before the first transfer's block, bob had nothing.
    let first = results.iter().map(|r| r.height).min().unwrap();
    assert_eq!(rpc.balance(&bob_hex, "stake", first - 1).unwrap(), 0, "bob's balance before block {first}");

    // --- Bad transactions are refused by CheckTx with their documented codes.
    let nonce = nonce0 + 5;
    assert_refused("garbage bytes", rpc.broadcast_tx_sync(b"\xde\xad\xbe\xef not a transaction"), TxCode::Malformed);
    assert_refused(
        "a used nonce (replay with another body)",
        rpc.broadcast_tx_sync(&transfer(&chain_id, &sender, nonce0, bob.address, 77)),
        TxCode::NonceTooLow,
    );
    // The exact bytes of a committed tx: CometBFT's mempool cache may answer first; the app's
    // own verdict is what `check_tx` (no cache) returns.
    let (_, replayed) = &sent[0];
    match rpc.broadcast_tx_sync(replayed) {
        Ok(outcome) => assert_refused("a byte-for-byte replay", Ok(outcome), TxCode::NonceTooLow),
        Err(RpcError::Rpc { data, .. }) => {
            assert!(data.contains("already exists in cache"), "replay: unexpected RPC error {data}")
        }
        Err(e) => panic!("replay: {e}"),
    }
    assert_refused("a byte-for-byte replay (check_tx)", rpc.check_tx(replayed), TxCode::NonceTooLow);
    assert_refused(
        "a nonce ahead of the account",
        rpc.broadcast_tx_sync(&transfer(&chain_id, &sender, nonce + 3, bob.address, 77)),
        TxCode::NonceTooHigh,
    );
    assert_refused(
        "another chain's tx",
        rpc.broadcast_tx_sync(&transfer("another-chain", &sender, nonce, bob.address, 77)),
        TxCode::WrongChainId,
    );
    let mut forged = transfer(&chain_id, &sender, nonce, bob.address, 77);
    let last_byte = forged.len() - 1;
    forged[last_byte] ^= 0x01;
    assert_refused("a tampered signature", rpc.broadcast_tx_sync(&forged), TxCode::BadSignature);
    let cheap = TxOptions { fee: conclave_core::Coin::new("stake", 1), ..TxOptions::default() };
    assert_refused(
        "a fee below gas × price",
        rpc.broadcast_tx_sync(&sender.sign(&chain_id, nonce, vec![send(bob.address, 77)], &cheap)),
        TxCode::FeeTooLow,
    );
    let stranger = TestAccount::named("stranger"); // no funds at all
    assert_refused(
        "a sender who cannot pay the fee",
        rpc.broadcast_tx_sync(&transfer(&chain_id, &stranger, 0, bob.address, 1)),
        TxCode::InsufficientFee,
    );
    // Nothing refused ever lands: two more blocks, and the sender's nonce and bob's balance
    // have not moved.
    let now = rpc.height().unwrap();
    net.wait_for_height(&[0], now + 2, Duration::from_secs(30));
    assert_eq!(rpc.nonce(&sender_hex).unwrap(), nonce, "a refused tx changed the sender's nonce");
    assert_eq!(rpc.balance(&bob_hex, "stake", 0).unwrap(), total, "a refused tx changed bob's balance");

    // --- store/key with prove: the proof verifies against the app hash in header H+1.
    let key = conclave_bank::balance_key(&bob.address, "stake");
    let answer = rpc.abci_query("store/key", &key, last, true).unwrap();
    assert_eq!(answer.code, 0, "store/key at {last}: {}/{} {}", answer.codespace, answer.code, answer.log);
    assert_eq!(answer.height, last, "the answer names the height it was asked for");
    assert_eq!(borsh::from_slice::<u128>(&answer.value).unwrap(), total, "raw balance value at {last}");
    assert_eq!(answer.proof_ops.len(), 1, "one proof op");
    let op = &answer.proof_ops[0];
    assert_eq!(op.kind, "conclave/smt/v1");
    assert_eq!(op.key, key);
    let proof: Proof = borsh::from_slice(&op.data).expect("the proof op's data is a borsh conclave_proof::Proof");
    let root_after_last = header_app_hash(&rpc, last + 1);
    proof.verify(&root_after_last, &key, Some(&answer.value)).unwrap_or_else(|e| {
        panic!("proof for height {last} does not verify against header {}'s app hash: {e:?}", last + 1)
    });
    // It vouches for nothing else: not the root before the last transfer, not another value.
    let root_before_last = header_app_hash(&rpc, last);
    assert!(
        proof.verify(&root_before_last, &key, Some(&answer.value)).is_err(),
        "verified against header {last}'s app hash"
    );
    assert!(proof.verify(&root_after_last, &key, Some(&borsh::to_vec(&(total + 1)).unwrap())).is_err());
    assert!(proof.verify(&root_after_last, &key, None).is_err());

    // The latest height (height 0), and an absent key (an exclusion proof).
    let absent = conclave_bank::balance_key(&stranger.address, "stake");
    for (what, key, present) in [("bob", key.clone(), true), ("stranger (absent)", absent, false)] {
        let answer = rpc.abci_query("store/key", &key, 0, true).unwrap();
        assert_eq!(answer.code, 0, "store/key latest for {what}: {}", answer.log);
        assert!(answer.height >= last, "latest answer height {} < {last}", answer.height);
        assert_eq!(answer.value.is_empty(), !present, "{what}: value {:?}", answer.value);
        let proof: Proof = borsh::from_slice(&answer.proof_ops[0].data).unwrap();
        let root = header_app_hash(&rpc, answer.height + 1);
        let value = if present { Some(answer.value.as_slice()) } else { None };
        proof
            .verify(&root, &key, value)
            .unwrap_or_else(|e| panic!("{what}: proof at {} vs header {}: {e:?}", answer.height, answer.height + 1));
    }
    // `prove` on a JSON path is refused with query/4 ProofUnsupported.
    let no_proof = rpc.abci_query("bank/balance", bob_hex.as_bytes(), 0, true).unwrap();
    assert_eq!((no_proof.codespace.as_str(), no_proof.code), ("query", 4), "{}", no_proof.log);

    // --- The CLI against the running node: `tx bank send` waits for inclusion and reports
    // code 0 and a height; `query bank balance` reads the new balance.
    let cli = net.nodes[0].cli();
    let result = cli.tx(&["tx", "bank", "send", &bob_hex, "4321stake", "--from", "validator"]);
    let cli_hash = result["hash"].as_str().unwrap_or_else(|| panic!("no hash in {result}"));
    let cli_tx = committed(&rpc, &cli_hash.to_uppercase());
    assert_eq!(cli_tx.tx_result.code, 0);
    let balance = cli.json(&["query", "bank", "balance", &bob_hex, "--height", &cli_tx.height.to_string()]);
    assert!(
        balance.to_string().contains(&(total + 4321).to_string()),
        "query bank balance printed {balance}, expected {}",
        total + 4321
    );
    assert_eq!(rpc.balance(&bob_hex, "stake", cli_tx.height).unwrap(), total + 4321);

    // --- Simulation before signing: `--dry-run` reports the gas a send needs; `--gas auto`
    // signs with ⌈gas used × 1.3⌉ and the block uses exactly the simulated gas; a send of
    // more than the balance is refused before signing (nothing spent, nonce unchanged) and
    // goes through, failing in its block, only with --force.
    let dry =
        cli.json(&["tx", "bank", "send", &bob_hex, "5stake", "--from", "validator", "--gas", "auto", "--dry-run"]);
    assert_eq!((dry["stage"].as_str(), dry["code"].as_u64()), (Some("simulate"), Some(0)), "{dry}");
    let simulated = dry["gas_used"].as_u64().unwrap();
    assert_eq!(dry["gas_limit"].as_u64(), Some((simulated * 13).div_ceil(10)), "{dry}");
    let auto = cli.tx(&["tx", "bank", "send", &bob_hex, "5stake", "--from", "validator", "--gas", "auto"]);
    let auto_tx = committed(&rpc, &auto["hash"].as_str().unwrap().to_uppercase());
    let expected_gas = (i64::try_from(simulated).unwrap(), i64::try_from((simulated * 13).div_ceil(10)).unwrap());
    assert_eq!((auto_tx.tx_result.gas_used, auto_tx.tx_result.gas_wanted), expected_gas);
    let validator_hex = net.nodes[0].operator.as_ref().expect("init's operator").address.to_string();
    let (balance, nonce) = (rpc.balance(&validator_hex, "stake", 0).unwrap(), rpc.nonce(&validator_hex).unwrap());
    let too_much = format!("{}stake", balance + 1);
    let refused = cli.fails(&["tx", "bank", "send", &bob_hex, &too_much, "--from", "validator"]);
    assert!(
        refused.contains("would fail") && refused.contains("code 7 bank") && refused.contains("--force"),
        "{refused}"
    );
    assert_eq!(
        (rpc.balance(&validator_hex, "stake", 0).unwrap(), rpc.nonce(&validator_hex).unwrap()),
        (balance, nonce)
    );
    let forced = cli.fails(&["tx", "bank", "send", &bob_hex, &too_much, "--from", "validator", "--force"]);
    assert!(forced.contains("but failed (code 7 bank)"), "{forced}");
    assert_eq!(rpc.nonce(&validator_hex).unwrap(), nonce + 1, "forced: included, fee paid, nonce bumped");

    // --- The metrics endpoint counted what happened: the one forced failure (bank code 7),
    // the successful transactions, CheckTx calls, transfer events, one validator, the store.
    let scraped = scrape(metrics_port);
    let value = |name: &str| -> u64 {
        let line = scraped.lines().find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '));
        let line = line.unwrap_or_else(|| panic!("{name} missing from\n{scraped}"));
        line.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()).map(|v| v as u64).unwrap()
    };
    assert_eq!(value("conclave_txs_total{codespace=\"bank\",code=\"7\"}"), 1, "{scraped}");
    // Five transfers, the CLI's send and its --gas auto send; the forced one failed.
    assert_eq!(value("conclave_txs_total{codespace=\"\",code=\"0\"}"), 7, "{scraped}");
    assert!(value("conclave_block_height") >= rpc.height().unwrap() - 1, "{scraped}");
    assert_eq!(value("conclave_check_txs_total{kind=\"new\",result=\"accepted\"}"), 8, "{scraped}");
    assert!(value("conclave_events_total{kind=\"bank.transfer\"}") >= 8, "{scraped}");
    assert_eq!(value("conclave_validators"), 1, "{scraped}");
    assert!(value("conclave_store_bytes") > 0 && value("conclave_finalize_block_seconds_count") > 0, "{scraped}");

    net.nodes[0].assert_running();
}

/// `GET /metrics` from the node's Prometheus endpoint.
fn scrape(port: u16) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("the metrics endpoint is up");
    stream.write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200 OK"), "{response}");
    response
}
