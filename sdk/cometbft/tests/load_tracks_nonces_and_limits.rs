//! The load generator against a stub CometBFT whose mempool accepts each sender's next nonce
//! only: senders send gap-free nonces, resync from the chain after a nonce error (a node that
//! forgot its mempool), respect the window, count cache hits as accepted, and keep retrying
//! an unreachable node with the same nonce.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod stub;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use conclave_cometbft::load::Load;
use stub::Stub;

/// Transactions are `s<sender>n<nonce>` (plus padding), so the stub can check them.
fn tx(sender: usize, nonce: u64) -> Vec<u8> {
    format!("s{sender}n{nonce}").into_bytes()
}

fn parse(query: &str) -> (usize, u64) {
    let hex = query.strip_prefix("tx=0x").unwrap();
    let text = String::from_utf8(hex::decode(hex).unwrap()).unwrap();
    let (sender, nonce) = text.strip_prefix('s').unwrap().split_once('n').unwrap();
    (sender.parse().unwrap(), nonce.parse().unwrap())
}

fn verdict(code: u32, log: &str) -> String {
    format!(
        r#"{{"jsonrpc":"2.0","id":-1,"result":{{"code":{code},"data":"","log":"{log}","codespace":"{}","hash":"AB"}}}}"#,
        if code == 0 { "" } else { "tx" }
    )
}

/// A mempool view per sender: the next nonce it accepts, and every nonce accepted in order.
#[derive(Default)]
struct Mempool {
    next: BTreeMap<usize, u64>,
    accepted: BTreeMap<usize, Vec<u64>>,
    broadcasts: u64,
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn senders_resync_after_a_node_forgets_its_mempool() {
    let mempool = Arc::new(Mutex::new(Mempool::default()));
    let view = Arc::clone(&mempool);
    let stub = Stub::start(move |method, query| {
        assert_eq!(method, "broadcast_tx_sync");
        let (sender, nonce) = parse(query);
        let mut m = view.lock().unwrap();
        m.broadcasts += 1;
        let next = m.next.entry(sender).or_insert(0);
        match nonce.cmp(next) {
            std::cmp::Ordering::Equal => {
                *next += 1;
                m.accepted.entry(sender).or_default().push(nonce);
                verdict(0, "")
            }
            std::cmp::Ordering::Less => verdict(6, "nonce too low"),
            std::cmp::Ordering::Greater => verdict(7, "nonce too high"),
        }
    });
    // "Committed" nonces: what the mempool view had accepted when the node restarted.
    let committed = Arc::new(Mutex::new(BTreeMap::<usize, u64>::new()));
    let chain = Arc::clone(&committed);
    let mut load = Load::builder(vec![stub.url.clone(); 3], tx)
        .nonces_from(move |sender, _rpc| Some(chain.lock().unwrap().get(&sender).copied().unwrap_or(0)))
        .nonce_errors(|answer| answer.codespace == "tx" && (answer.code == 6 || answer.code == 7))
        .retry_pause(Duration::from_millis(1))
        .start()
        .unwrap();
    wait_until("30 accepted", || load.accepted() >= 30);

    // The node "restarts": only the nonces up to 2 per sender were committed; the rest of its
    // mempool is forgotten, so the senders' next nonces are too high for it.
    {
        let mut m = mempool.lock().unwrap();
        let mut chain = committed.lock().unwrap();
        for sender in 0..3 {
            m.next.insert(sender, 2);
            m.accepted.entry(sender).or_default().push(u64::MAX); // marks the restart
            chain.insert(sender, 2);
        }
    }
    let before = load.accepted();
    wait_until("30 more accepted after the restart", || load.accepted() >= before + 30);
    let stats = load.stop();

    let m = mempool.lock().unwrap();
    for sender in 0..3 {
        let accepted = &m.accepted[&sender];
        let restart = accepted.iter().position(|&n| n == u64::MAX).unwrap();
        // Gap-free from 0 before the restart, and from the committed nonce 2 after it.
        assert!(accepted[..restart].iter().copied().eq(0..restart as u64), "sender {sender}: {accepted:?}");
        let after = &accepted[restart + 1..];
        assert!(after.iter().copied().eq(2..2 + after.len() as u64), "sender {sender}: {after:?}");
    }
    assert_eq!(stats.accepted, m.accepted.values().map(|a| a.len() as u64 - 1).sum::<u64>());
    assert_eq!(stats.accepted_hashes.len() as u64, stats.accepted);
    assert!(stats.resyncs >= 6, "3 at start and at least 3 after the restart: {stats:?}");
    assert!(stats.refused.contains_key(&("tx".to_string(), 7)), "{stats:?}");
    assert_eq!(stats.refused_total() + stats.accepted, m.broadcasts);
    assert_eq!((stats.rpc_errors, stats.unreachable), (0, 0));
}

#[test]
fn the_window_bounds_unconfirmed_transactions() {
    let broadcasts = Arc::new(Mutex::new(0u64));
    let seen = Arc::clone(&broadcasts);
    let stub = Stub::start(move |_, _| {
        *seen.lock().unwrap() += 1;
        verdict(0, "")
    });
    let load = Load::builder(vec![stub.url.clone()], tx).window(5).start().unwrap();
    wait_until("5 accepted", || load.accepted() == 5);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(*broadcasts.lock().unwrap(), 5, "a full window sends nothing");
    load.confirm(3);
    wait_until("3 more accepted", || load.accepted() == 8);
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(*broadcasts.lock().unwrap(), 8);
}

#[test]
fn cache_hits_count_as_accepted_and_a_dead_node_is_retried_with_the_same_nonce() {
    let stub = Stub::start(|_, _| {
        r#"{"jsonrpc":"2.0","id":-1,"error":{"code":-32603,"message":"Internal error","data":"tx already exists in cache"}}"#
            .to_string()
    });
    let mut load = Load::builder(vec![stub.url.clone()], tx).start().unwrap();
    wait_until("3 accepted", || load.accepted() >= 3);
    let stats = load.stop();
    assert_eq!(stats.in_cache, stats.accepted);
    assert!(stats.accepted_hashes.is_empty(), "CometBFT returns no hash for a cache hit");

    // Nothing listens on port 9: every send goes unanswered, always with nonce 0.
    let nonces = Arc::new(Mutex::new(Vec::new()));
    let made = Arc::clone(&nonces);
    let mut load = Load::builder(vec!["http://127.0.0.1:9".into()], move |sender, nonce| {
        made.lock().unwrap().push(nonce);
        tx(sender, nonce)
    })
    .retry_pause(Duration::from_millis(1))
    .start()
    .unwrap();
    wait_until("3 unanswered sends", || load.stats().unreachable >= 3);
    let stats = load.stop();
    assert_eq!(stats.accepted, 0);
    assert!(nonces.lock().unwrap().iter().all(|&n| n == 0));
    assert!(stats.samples[0].contains("cannot reach"), "{:?}", stats.samples);
    assert!(Load::builder(Vec::new(), tx).start().is_err(), "no senders");
    assert!(Load::builder(vec!["https://x".into()], tx).start().is_err(), "a bad endpoint");
}
