//! A client that frames requests as CometBFT does (request then Flush), and an in-process
//! node (the app-template chain on an in-memory store, served on a Unix socket) with a fixed
//! genesis, shared by the tests that talk ABCI over a socket.
#![allow(dead_code, unreachable_pub)]

use std::io::{BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use appchain::AppChain;
use conclave_abci::{serve, AbciApp, ListenAddress, Stopped};
use conclave_runtime::Runtime;
use conclave_store::{Store, StoreConfig};
use conclave_testkit::TestAccount;
use prost::Message;
use tendermint_proto::google::protobuf::Timestamp;
use tendermint_proto::v0_38::abci::{request, response, Request, RequestFlush, Response};
use tokio::sync::oneshot;

pub struct Client {
    pub stream: BufReader<UnixStream>,
}

impl Client {
    pub fn connect(path: &std::path::Path) -> Self {
        for _ in 0..200 {
            if let Ok(stream) = UnixStream::connect(path) {
                stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
                return Self { stream: BufReader::new(stream) };
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("server did not start");
    }

    pub fn send(&mut self, value: request::Value) {
        let mut out = Vec::new();
        for message in [Request { value: Some(value) }, Request { value: Some(request::Value::Flush(RequestFlush {})) }]
        {
            message.encode_length_delimited(&mut out).unwrap();
        }
        self.stream.get_mut().write_all(&out).unwrap();
    }

    pub fn read(&mut self) -> Option<Response> {
        let mut length: u64 = 0;
        for shift in (0..64).step_by(7) {
            let mut byte = [0u8; 1];
            if self.stream.read_exact(&mut byte).is_err() {
                return None;
            }
            length |= u64::from(byte[0] & 0x7F) << shift;
            if byte[0] & 0x80 == 0 {
                break;
            }
        }
        let mut body = vec![0u8; length as usize];
        self.stream.read_exact(&mut body).ok()?;
        Some(Response::decode(body.as_slice()).unwrap())
    }

    /// Sends a request and Flush; returns the response (and checks the Flush answer).
    pub fn call(&mut self, value: request::Value) -> response::Value {
        self.send(value);
        let answer = self.read().expect("response").value.expect("value");
        let flush = self.read().expect("flush response").value;
        assert!(matches!(flush, Some(response::Value::Flush(_))));
        answer
    }
}

pub struct Node {
    pub socket: std::path::PathBuf,
    /// The fatal errors the app reported (it would have exited with status 70).
    pub fatal: Arc<Mutex<Vec<String>>>,
    pub server: std::thread::JoinHandle<Stopped>,
    /// Resolves the server's shutdown future (as SIGTERM does in the binary).
    pub stop: oneshot::Sender<()>,
    pub _dir: tempfile::TempDir,
}

impl Node {
    /// Stops the server through its shutdown future; returns why it had stopped, which is
    /// `Shutdown` iff it was still serving.
    pub fn shut_down(self) -> Stopped {
        let _ = self.stop.send(());
        self.server.join().unwrap()
    }
}

pub fn start_node() -> Node {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("abci.sock");
    let fatal = Arc::new(Mutex::new(Vec::new()));
    let recorded = Arc::clone(&fatal);
    let store = Store::open_in_memory(StoreConfig::default()).unwrap();
    let app = AbciApp::with_fatal_handler(
        Runtime::new(AppChain::default(), store),
        "appchain",
        Arc::new(move |message: &str| recorded.lock().unwrap().push(message.to_string())),
    );
    let address = ListenAddress::Unix(socket.clone());
    let (stop, stopped) = oneshot::channel::<()>();
    let server = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        runtime
            .block_on(async {
                serve(app, address, async {
                    let _ = stopped.await;
                })
                .await
            })
            .unwrap()
    });
    Node { socket, fatal, server, stop, _dir: dir }
}

/// `accounts` funded with 1,000,000 stake, and the first one also the only validator (it
/// bonds 1,000,000 more: staking's minimum self-bond), with consensus key [`VALIDATOR_KEY`].
pub fn genesis(accounts: &[&TestAccount]) -> Vec<u8> {
    let balances: Vec<_> = accounts
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let amount = if i == 0 { "2000000" } else { "1000000" };
            serde_json::json!({ "address": a.address, "coins": [{ "denom": "stake", "amount": amount }] })
        })
        .collect();
    let validator = appchain::GenesisValidator {
        operator: accounts[0].address,
        consensus_key: validator_key(),
        moniker: "node0".into(),
        self_bond: 1_000_000,
    };
    let app = serde_json::from_value::<appchain::Genesis>(serde_json::json!({ "bank": { "balances": balances } }))
        .unwrap()
        .with_validators(&[validator], 100);
    serde_json::to_vec(&serde_json::json!({ "app": app })).unwrap()
}

/// The genesis validator's consensus key.
pub fn validator_key() -> [u8; 32] {
    ed25519_consensus::SigningKey::from([9u8; 32]).verification_key().to_bytes()
}

pub fn time(seconds: i64) -> Option<Timestamp> {
    Some(Timestamp { seconds, nanos: 0 })
}

impl Client {
    pub fn send_raw_empty(&mut self) {
        let mut out = Vec::new();
        Request { value: None }.encode_length_delimited(&mut out).unwrap();
        Request { value: Some(request::Value::Flush(RequestFlush {})) }.encode_length_delimited(&mut out).unwrap();
        self.stream.get_mut().write_all(&out).unwrap();
        let answer = self.read().expect("response").value;
        assert!(matches!(answer, Some(response::Value::Exception(_))), "{answer:?}");
        assert!(matches!(self.read().expect("flush").value, Some(response::Value::Flush(_))));
    }
}
