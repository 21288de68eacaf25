//! CheckTx requests that arrive together are shown to the application together
//! (`CheckTxBursts::check_tx_burst`, where `AbciApp` verifies their signatures in a batch),
//! and then answered one by one, in order, exactly as if they had come one at a time:
//! interleaved Flushes and other requests keep their places, and every answer is the one
//! `check_tx` gives.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::sync::{Arc, Mutex};

use conclave_abci::codec::{read_message, write_message};
use conclave_abci::{serve, CheckTxBursts, ListenAddress};
use tendermint_abci::Application;
use tendermint_proto::v0_38::abci::{self as pb, request, response, Request};
use tokio::io::{AsyncWriteExt, BufReader};

/// Answers CheckTx with the code in the transaction's first byte; records every burst.
#[derive(Clone, Default)]
struct Recording {
    bursts: Arc<Mutex<Vec<Vec<Vec<u8>>>>>,
}

impl Application for Recording {
    fn check_tx(&self, request: pb::RequestCheckTx) -> pb::ResponseCheckTx {
        pb::ResponseCheckTx { code: u32::from(request.tx[0]), ..Default::default() }
    }
}

impl CheckTxBursts for Recording {
    fn check_tx_burst(&self, txs: &[&[u8]]) {
        self.bursts.lock().unwrap().push(txs.iter().map(|tx| tx.to_vec()).collect());
    }
}

fn check_tx(code: u8, tag: u8) -> Request {
    let tx = vec![code, tag].into();
    Request { value: Some(request::Value::CheckTx(pb::RequestCheckTx { tx, r#type: 0 })) }
}

fn flush() -> Request {
    Request { value: Some(request::Value::Flush(pb::RequestFlush {})) }
}

fn echo(message: &str) -> Request {
    Request { value: Some(request::Value::Echo(pb::RequestEcho { message: message.into() })) }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_is_seen_together_and_answered_in_order() {
    let socket = std::env::temp_dir().join(format!("conclave-burst-{}.sock", std::process::id()));
    let app = Recording::default();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(app.clone(), ListenAddress::Unix(socket.clone()), async move {
        let _ = stopped.await;
    }));
    let stream = loop {
        match tokio::net::UnixStream::connect(&socket).await {
            Ok(stream) => break stream,
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(10)).await,
        }
    };
    let (read_half, mut write_half) = tokio::io::split(stream);
    let mut reader = BufReader::new(read_half);

    // One write: CheckTx, CheckTx, Flush, Echo, CheckTx (code 5), Flush, CheckTx, Flush.
    let requests = vec![
        check_tx(0, 1),
        check_tx(0, 2),
        flush(),
        echo("between"),
        check_tx(5, 3),
        flush(),
        check_tx(0, 4),
        flush(),
    ];
    let mut bytes = Vec::new();
    for request in &requests {
        write_message(&mut bytes, request).await.unwrap();
    }
    write_half.write_all(&bytes).await.unwrap();
    write_half.flush().await.unwrap();

    let mut answers = Vec::new();
    for _ in &requests {
        let answer: pb::Response = read_message(&mut reader).await.unwrap().expect("an answer per request");
        answers.push(answer.value.expect("a value"));
    }
    let described: Vec<String> = answers
        .iter()
        .map(|a| match a {
            response::Value::CheckTx(r) => format!("check_tx {}", r.code),
            response::Value::Flush(_) => "flush".to_string(),
            response::Value::Echo(r) => format!("echo {}", r.message),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        described,
        ["check_tx 0", "check_tx 0", "flush", "echo between", "check_tx 5", "flush", "check_tx 0", "flush"]
    );
    // The four CheckTx arrived in one write: one burst of all four, in order (a slow machine
    // may split the write; then every burst is still in order and none is lost).
    let bursts = app.bursts.lock().unwrap().clone();
    let seen: Vec<Vec<u8>> = bursts.iter().flatten().cloned().collect();
    assert!(!bursts.is_empty(), "no burst was seen");
    // Only the CheckTx of this write, each at most once, in their order.
    let tags: Vec<u8> = seen.iter().map(|tx| tx[1]).collect();
    assert!(tags.iter().all(|tag| (1..=4).contains(tag)), "a burst held something else: {bursts:?}");
    assert!(tags.windows(2).all(|w| w[0] < w[1]), "bursts out of order or repeated: {tags:?}");
    assert!(bursts.iter().all(|b| b.len() > 1), "a burst of one is not a burst: {bursts:?}");

    drop(write_half);
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}
