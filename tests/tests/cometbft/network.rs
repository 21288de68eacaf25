//! Node homes and running nodes: everything that depends on `appchaind`'s command line and
//! home layout is in this file.
//!
//! A [`Network`] owns a temporary directory with one home per node, made by the real CLI
//! (`appchaind init` for one node, `appchaind localnet --no-start` for several), and the
//! node processes. Each node is two processes started by the test: `appchaind start --home H`
//! (the ABCI server on the Unix socket `H/data/abci.sock`) and `cometbft start --home H`.
//! They are started separately, not with `--with-cometbft`, so a test can `kill -9` the chain
//! process alone and every process stays a direct child that the test reaps.
//!
//! Dropping a [`Network`] stops every process (SIGTERM, then SIGKILL) and removes the
//! directory, even when the test panics. `CONCLAVE_E2E_KEEP=1` keeps the directory of a
//! failed test for inspection (its path is printed).

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant};

use ed25519_consensus::SigningKey;
use serde_json::Value;

use conclave_core::Address;
use conclave_testkit::TestAccount;

use super::binaries::{appchaind, cometbft};
use super::process::{Process, STOP_GRACE};
use super::rpc::Rpc;

/// CometBFT settings for fast local chains: a block every ~250 ms.
pub const TIMEOUT_COMMIT: &str = "250ms";
/// Proposal timeout: how long a round waits for a stopped proposer.
pub const TIMEOUT_PROPOSE: &str = "1s";

/// One validator: its home, ports and (while running) its two processes.
pub struct Node {
    /// `node<i>`.
    pub name: String,
    /// The home (`appchaind` and CometBFT share it).
    pub home: PathBuf,
    /// Its RPC client.
    pub rpc: Rpc,
    /// RPC port on 127.0.0.1.
    pub rpc_port: u16,
    /// Whether its consensus key is in the genesis validator set (a full node made by
    /// [`Network::localnet_with_full_nodes`] has its own key, but not in genesis).
    pub genesis_validator: bool,
    /// The operator key of this node's candidate: `validator` for `appchaind init`,
    /// `validator<i>` for `localnet`. Funded; registered in genesis for genesis validators
    /// (its balance is the genesis balance minus the self-bond).
    pub operator: Option<TestAccount>,
    app: Option<Process>,
    comet: Option<Process>,
}

impl Node {
    fn new(name: &str, home: PathBuf, rpc_port: u16) -> Node {
        Node {
            name: name.to_string(),
            home,
            rpc: Rpc::new(rpc_port),
            rpc_port,
            genesis_validator: true,
            operator: None,
            app: None,
            comet: None,
        }
    }

    /// CometBFT's `priv_validator_key.json` in this home (what `tx staking register
    /// --consensus-key-file` reads).
    pub fn consensus_key_file(&self) -> PathBuf {
        self.home.join("config/priv_validator_key.json")
    }

    /// This node's consensus key, read from its `priv_validator_key.json`.
    pub fn consensus_key(&self) -> ConsensusKey {
        let path = self.consensus_key_file();
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let file: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
        assert_eq!(file["pub_key"]["type"], "tendermint/PubKeyEd25519", "{}: not an ed25519 key", path.display());
        let pub_key = super::rpc::base64(file["pub_key"]["value"].as_str().expect("pub_key.value"));
        assert_eq!(pub_key.len(), 32, "{}: pub_key is not 32 bytes", path.display());
        ConsensusKey { address: file["address"].as_str().expect("address").to_uppercase(), pub_key }
    }

    /// The ABCI socket appchaind serves (see the home layout in appchaind's `home.rs`).
    pub fn socket(&self) -> PathBuf {
        self.home.join("data/abci.sock")
    }

    /// Starts `appchaind start`, then `cometbft start` once the ABCI socket listens.
    pub fn start(&mut self) {
        self.start_app();
        self.start_cometbft();
    }

    /// Starts `appchaind start --home H` and waits for its socket.
    pub fn start_app(&mut self) {
        assert!(self.app.as_mut().is_none_or(|p| !p.is_running()), "{}: appchaind is already running", self.name);
        // A socket file left by a killed run would look like a listening server; appchaind
        // removes it too, but the wait below must not see it.
        let _ = std::fs::remove_file(self.socket());
        let mut command = Command::new(appchaind());
        command.arg("start").arg("--home").arg(&self.home);
        let name = format!("{}/appchaind", self.name);
        let mut process = Process::spawn(&name, command, &self.home.join("appchaind.log"));
        let deadline = Instant::now() + Duration::from_secs(30);
        while !self.socket().exists() {
            if let Some(status) = process.exit_status() {
                panic!(
                    "{name} exited ({status}) before listening on {}:\n{}",
                    self.socket().display(),
                    process.log_tail(30)
                );
            }
            assert!(
                Instant::now() < deadline,
                "{name} did not create {} within 30 s:\n{}",
                self.socket().display(),
                process.log_tail(30)
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        self.app = Some(process);
    }

    /// Starts `cometbft start --home H` (the app must be listening).
    pub fn start_cometbft(&mut self) {
        assert!(self.comet.as_mut().is_none_or(|p| !p.is_running()), "{}: cometbft is already running", self.name);
        let mut command = Command::new(cometbft());
        command.arg("start").arg("--home").arg(&self.home);
        self.comet = Some(Process::spawn(&format!("{}/cometbft", self.name), command, &self.home.join("cometbft.log")));
    }

    /// Stops both processes (CometBFT first, as an operator would); returns their statuses.
    pub fn stop(&mut self) -> (Option<ExitStatus>, Option<ExitStatus>) {
        let comet = self.comet.as_mut().map(|p| p.stop(STOP_GRACE));
        let app = self.app.as_mut().map(|p| p.stop(STOP_GRACE));
        (comet, app)
    }

    /// Stops CometBFT only: SIGTERM, then SIGKILL after `grace`.
    pub fn stop_cometbft(&mut self, grace: Duration) -> Option<ExitStatus> {
        self.comet.as_mut().map(|p| p.stop(grace))
    }

    /// `kill -9` the appchaind process only.
    pub fn kill_app(&mut self) -> ExitStatus {
        use std::os::unix::process::ExitStatusExt;
        let app = self.app.as_mut().unwrap_or_else(|| panic!("{}: appchaind was never started", self.name));
        let status = app.kill9();
        assert_eq!(
            status.signal(),
            Some(9),
            "{}: appchaind had exited ({status}) before the kill:\n{}",
            self.name,
            app.log_tail(30)
        );
        status
    }

    /// `kill -9` the appchaind process the moment CometBFT's log gets a new line containing
    /// `pattern` (e.g. `finalizing commit of block`, logged just before CometBFT saves a block
    /// and sends it to the app), so the kill lands inside block execution. Returns the line.
    pub fn kill_app_on_cometbft_log(&mut self, pattern: &str, timeout: Duration) -> String {
        use std::io::{Read, Seek, SeekFrom};
        let path = self.home.join("cometbft.log");
        let mut file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
        let mut offset = file.seek(SeekFrom::End(0)).expect("seek the log");
        let mut pending = String::new();
        let deadline = Instant::now() + timeout;
        loop {
            let mut chunk = Vec::new();
            file.seek(SeekFrom::Start(offset)).expect("seek the log");
            offset += file.read_to_end(&mut chunk).expect("read the log") as u64;
            pending.push_str(&String::from_utf8_lossy(&chunk));
            if let Some(line) = pending.lines().find(|l| l.contains(pattern)) {
                let line = line.to_string();
                self.kill_app();
                return line;
            }
            if let Some(cut) = pending.rfind('\n') {
                pending.drain(..=cut);
            }
            assert!(Instant::now() < deadline, "{}: cometbft logged no {pattern:?} within {timeout:?}", self.name);
            std::thread::sleep(Duration::from_micros(200));
        }
    }

    /// Waits for the CometBFT process to exit by itself.
    pub fn wait_cometbft_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        self.comet.as_mut().and_then(|p| p.wait_exit(timeout))
    }

    /// `(appchaind pid, cometbft pid)` of the processes last started.
    pub fn pids(&self) -> (Option<u32>, Option<u32>) {
        (self.app.as_ref().map(Process::pid), self.comet.as_ref().map(Process::pid))
    }

    /// `(appchaind running, cometbft running)`.
    pub fn running(&mut self) -> (bool, bool) {
        (self.app.as_mut().is_some_and(|p| p.is_running()), self.comet.as_mut().is_some_and(|p| p.is_running()))
    }

    /// Fails if either process has exited (a node should never stop by itself).
    pub fn assert_running(&mut self) {
        for process in [self.app.as_mut(), self.comet.as_mut()].into_iter().flatten() {
            if let Some(status) = process.exit_status() {
                panic!("{} exited unexpectedly ({status}):\n{}", process.name(), process.log_tail(40));
            }
        }
    }

    /// The latest height, or a panic naming the node if its RPC does not answer.
    pub fn height(&self) -> u64 {
        self.rpc.height().unwrap_or_else(|e| panic!("{}: {e}", self.name))
    }

    /// The last lines of both logs.
    pub fn log_tails(&self, lines: usize) -> String {
        format!(
            "--- {0}/appchaind.log ---\n{1}\n--- {0}/cometbft.log ---\n{2}",
            self.name,
            super::process::tail(&self.home.join("appchaind.log"), lines),
            super::process::tail(&self.home.join("cometbft.log"), lines)
        )
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        // CometBFT first: stopping the app first would make CometBFT stop on a lost connection.
        drop(self.comet.take());
        drop(self.app.take());
    }
}

/// A node's consensus key as its `priv_validator_key.json` holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsensusKey {
    /// CometBFT's validator address (upper-case hex), as `/validators` prints it.
    pub address: String,
    /// The ed25519 public key (32 bytes).
    pub pub_key: Vec<u8>,
}

impl ConsensusKey {
    /// The public key as 64 hex characters (what `--consensus-key` and `query staking
    /// key-owner` take).
    pub fn hex(&self) -> String {
        super::rpc::to_hex(&self.pub_key)
    }
}

/// Temporary homes and the nodes running on them.
pub struct Network {
    /// The chain id.
    pub chain_id: String,
    /// The validators, node0 first.
    pub nodes: Vec<Node>,
    /// The funded accounts, keys read from the files the CLI wrote.
    pub accounts: Vec<TestAccount>,
    /// Each funded account's `stake` balance after genesis (self-bonds of registered operators
    /// deducted).
    pub genesis_balances: BTreeMap<Address, u128>,
    /// The keyring directory of the funded accounts (for the CLI's `--keyring-dir`).
    pub keys_dir: PathBuf,
    dir: Option<tempfile::TempDir>,
}

impl Network {
    /// One validator: `appchaind init`, then its RPC and P2P ports moved to free ones and
    /// the consensus timeouts lowered. Its funded account is the key `validator`.
    pub fn single(chain_id: &str) -> Network {
        let dir = temp_dir();
        let home = dir.path().join("node0");
        let output = run(Command::new(appchaind())
            .args(["init", "--home"])
            .arg(&home)
            .args(["--chain-id", chain_id, "--moniker", "node0", "--output", "json", "--cometbft"])
            .arg(cometbft()));
        let summary: Value = serde_json::from_str(&output)
            .unwrap_or_else(|e| panic!("appchaind init --output json printed non-JSON ({e}): {output}"));
        let base = free_port_block(1);
        let (p2p_port, rpc_port) = (base, base + 1);
        edit_config(&home.join("config/config.toml"), |doc| {
            doc["rpc"]["laddr"] = toml_edit::value(format!("tcp://127.0.0.1:{rpc_port}"));
            doc["p2p"]["laddr"] = toml_edit::value(format!("tcp://127.0.0.1:{p2p_port}"));
            doc["consensus"]["timeout_commit"] = toml_edit::value(TIMEOUT_COMMIT);
            doc["consensus"]["timeout_propose"] = toml_edit::value(TIMEOUT_PROPOSE);
        });
        let key_name = summary["account"].as_str().unwrap_or("validator").to_string();
        let accounts = vec![read_key(&home.join("keys").join(format!("{key_name}.json")))];
        let genesis_balances = genesis_balances(&home);
        let chain_id = genesis_chain_id(&home);
        let keys_dir = home.join("keys");
        let mut nodes = vec![Node::new("node0", home, rpc_port)];
        nodes[0].operator = Some(accounts[0].clone());
        Network { chain_id, nodes, accounts, genesis_balances, keys_dir, dir: Some(dir) }
    }

    /// `validators` nodes from `appchaind localnet --validators N --no-start` on a free block
    /// of ports, with its funded accounts alice, bob, carol, dave.
    pub fn localnet(validators: usize, chain_id: &str) -> Network {
        let dir = temp_dir();
        let net = dir.path().join("net");
        let base = free_port_block(validators);
        let output = run(Command::new(appchaind())
            .args(["localnet", "--validators", &validators.to_string(), "--dir"])
            .arg(&net)
            .args(["--base-port", &base.to_string(), "--chain-id", chain_id])
            .args(["--timeout-commit", TIMEOUT_COMMIT, "--timeout-propose", TIMEOUT_PROPOSE])
            .args(["--no-start", "--output", "json", "--cometbft"])
            .arg(cometbft()));
        let manifest: Value = serde_json::from_str(&output)
            .unwrap_or_else(|e| panic!("appchaind localnet --output json printed non-JSON ({e}): {output}"));
        let keys = PathBuf::from(manifest["keys"].as_str().expect("manifest keys dir"));
        let nodes: Vec<Node> = manifest["nodes"]
            .as_array()
            .unwrap_or_else(|| panic!("localnet manifest without nodes: {manifest}"))
            .iter()
            .map(|n| {
                let mut node = Node::new(
                    n["name"].as_str().expect("node name"),
                    PathBuf::from(n["home"].as_str().expect("node home")),
                    n["rpc_port"].as_u64().and_then(|p| u16::try_from(p).ok()).expect("node rpc_port"),
                );
                let operator = n["operator"]["name"].as_str().expect("node operator");
                node.operator = Some(read_key(&keys.join(format!("{operator}.json"))));
                node
            })
            .collect();
        assert_eq!(nodes.len(), validators, "localnet wrote {} homes, asked for {validators}", nodes.len());
        let accounts: Vec<TestAccount> = manifest["accounts"]
            .as_array()
            .expect("manifest accounts")
            .iter()
            .map(|a| {
                let account = read_key(&keys.join(format!("{}.json", a["name"].as_str().expect("account name"))));
                assert_eq!(
                    a["address"].as_str(),
                    Some(account.address.to_string().as_str()),
                    "manifest address of {}",
                    account.name
                );
                account
            })
            .collect();
        let genesis_balances = genesis_balances(&nodes[0].home);
        let chain_id = genesis_chain_id(&nodes[0].home);
        Network { chain_id, nodes, accounts, genesis_balances, keys_dir: keys, dir: Some(dir) }
    }

    /// `validators` validators plus `full_nodes` full nodes, every node peered with every
    /// other. Made by `appchaind localnet --validators N+M --no-start` (so each node has its
    /// own home, ports, node key and consensus key, and every node lists all the others as
    /// persistent peers); then the full nodes are removed from the genesis validator set and
    /// their candidates from staking's genesis registrations, in every home (the genesis
    /// files stay identical). Their operators (`validator<N>`..) stay funded. The full nodes
    /// are the last `full_nodes` entries of [`Network::nodes`], named `node<N>`.. like the
    /// others, with `genesis_validator == false`; CometBFT runs them as non-validators until
    /// an update adds their key.
    pub fn localnet_with_full_nodes(validators: usize, full_nodes: usize, chain_id: &str) -> Network {
        assert!(validators >= 1, "a network needs a validator");
        let mut net = Network::localnet(validators + full_nodes, chain_id);
        let removed: Vec<ConsensusKey> = net.nodes[validators..].iter().map(|n| n.consensus_key()).collect();
        for node in &mut net.nodes[validators..] {
            node.genesis_validator = false;
        }
        net.edit_genesis(|doc| {
            let kept: Vec<Value> = doc["validators"]
                .as_array()
                .expect("genesis validators")
                .iter()
                .filter(|v| {
                    let key = super::rpc::base64(v["pub_key"]["value"].as_str().unwrap_or(""));
                    !removed.iter().any(|r| r.pub_key == key)
                })
                .cloned()
                .collect();
            assert_eq!(kept.len(), validators, "genesis validators after removing the full nodes: {kept:?}");
            doc["validators"] = Value::Array(kept);
            let registrations = &mut doc["app_state"]["app"]["staking"]["registrations"];
            let kept: Vec<Value> = registrations
                .as_array()
                .expect("staking registrations")
                .iter()
                .filter(|r| !removed.iter().any(|k| r["consensus_key"].as_str() == Some(k.hex().as_str())))
                .cloned()
                .collect();
            assert_eq!(kept.len(), validators, "registrations after removing the full nodes: {kept:?}");
            *registrations = Value::Array(kept);
        });
        net
    }

    /// Edits `genesis.json` (before starting): node0's file is edited and written to every
    /// home, so they stay identical. For app parameters under `app_state`.
    pub fn edit_genesis(&mut self, edit: impl FnOnce(&mut Value)) {
        let mut doc = genesis(&self.nodes[0].home);
        edit(&mut doc);
        let mut bytes = serde_json::to_vec_pretty(&doc).expect("genesis to JSON");
        bytes.push(b'\n');
        for node in &self.nodes {
            let path = node.home.join("config/genesis.json");
            std::fs::write(&path, &bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        }
        self.genesis_balances = genesis_balances(&self.nodes[0].home);
    }

    /// Indices of every node.
    pub fn all(&self) -> Vec<usize> {
        (0..self.nodes.len()).collect()
    }

    /// Indices of the genesis validators.
    pub fn validator_indices(&self) -> Vec<usize> {
        self.all().into_iter().filter(|&i| self.nodes[i].genesis_validator).collect()
    }

    /// Indices of the full nodes (not in the genesis validator set).
    pub fn full_node_indices(&self) -> Vec<usize> {
        self.all().into_iter().filter(|&i| !self.nodes[i].genesis_validator).collect()
    }

    /// The genesis validator set `(address, pub_key, power)` from node0's `genesis.json`,
    /// sorted like [`Rpc::validator_set`](super::rpc::Rpc::validator_set).
    pub fn genesis_validators(&self) -> Vec<super::rpc::ValidatorInfo> {
        let doc = genesis(&self.nodes[0].home);
        let mut out: Vec<super::rpc::ValidatorInfo> = doc["validators"]
            .as_array()
            .expect("genesis validators")
            .iter()
            .map(|v| super::rpc::ValidatorInfo {
                address: v["address"].as_str().expect("validator address").to_uppercase(),
                pub_key: super::rpc::base64(v["pub_key"]["value"].as_str().expect("validator pub_key")),
                voting_power: super::rpc::num(&v["power"]) as i64,
            })
            .collect();
        out.sort();
        out
    }

    /// Each node's latest height (0 for a node whose RPC does not answer).
    pub fn heights(&self) -> Vec<u64> {
        self.nodes.iter().map(|n| n.rpc.height().unwrap_or(0)).collect()
    }

    /// The highest height every node has an app hash for: the app hash after block H is in
    /// header H+1, so one below the lowest latest height.
    pub fn common_app_hash_height(&self) -> u64 {
        self.heights().into_iter().min().unwrap_or(0).saturating_sub(1)
    }

    /// Waits until every node reports a height of at least `height` (see
    /// [`Network::wait_for_height`] for `stall`).
    pub fn wait_all(&mut self, height: u64, stall: Duration) -> Vec<u64> {
        let all = self.all();
        self.wait_for_height(&all, height, stall)
    }

    /// Every node reports the same app hash after every block in `from..=to` (and the same
    /// block hashes for headers `from+1..=to+1`); `to` must be at most
    /// [`Network::common_app_hash_height`]. Returns node0's `(height, app hash)` list.
    pub fn assert_same_app_hashes(&self, from: u64, to: u64) -> Vec<(u64, Vec<u8>)> {
        let reference = &self.nodes[0];
        let headers = |node: &Node| {
            node.rpc
                .headers(from + 1, to + 1)
                .unwrap_or_else(|e| panic!("{}: headers {}..={}: {e}", node.name, from + 1, to + 1))
        };
        let expected = headers(reference);
        for node in &self.nodes[1..] {
            for (mine, theirs) in headers(node).iter().zip(&expected) {
                assert_eq!(
                    (&mine.app_hash, &mine.block_hash),
                    (&theirs.app_hash, &theirs.block_hash),
                    "after block {}: {} reports app hash {} (header {} = block {}), {} reports {} (block {})",
                    mine.height - 1,
                    node.name,
                    super::rpc::to_hex(&mine.app_hash),
                    mine.height,
                    mine.block_hash,
                    reference.name,
                    super::rpc::to_hex(&theirs.app_hash),
                    theirs.block_hash
                );
            }
        }
        expected.into_iter().map(|h| (h.height - 1, h.app_hash)).collect()
    }

    /// The validator set of `height` as every node's `/validators` reports it; fails if two
    /// nodes disagree.
    pub fn validator_set_everywhere(&self, height: u64) -> Vec<super::rpc::ValidatorInfo> {
        let sets: Vec<_> = self
            .nodes
            .iter()
            .map(|n| {
                let (answered, set) = n
                    .rpc
                    .validator_set(height)
                    .unwrap_or_else(|e| panic!("{}: /validators?height={height}: {e}", n.name));
                assert_eq!(answered, height, "{}: /validators answered for height {answered}", n.name);
                set
            })
            .collect();
        for (node, set) in self.nodes.iter().zip(&sets).skip(1) {
            assert_eq!(set, &sets[0], "validators at {height}: {} and {} disagree", node.name, self.nodes[0].name);
        }
        sets.into_iter().next().unwrap_or_default()
    }

    /// The directory holding the homes.
    pub fn dir(&self) -> &Path {
        self.dir.as_ref().expect("the directory exists until drop").path()
    }

    /// Sets `[store] keep_versions` and `checkpoint_interval` in every node's app.toml
    /// (before starting).
    pub fn set_store(&self, keep_versions: u64, checkpoint_interval: u64) {
        for node in &self.nodes {
            edit_config(&node.home.join("config/app.toml"), |doc| {
                doc["store"]["keep_versions"] = toml_edit::value(i64::try_from(keep_versions).expect("small"));
                doc["store"]["checkpoint_interval"] =
                    toml_edit::value(i64::try_from(checkpoint_interval).expect("small"));
            });
        }
    }

    /// Starts every node's two processes.
    pub fn start_all(&mut self) {
        for node in &mut self.nodes {
            node.start_app();
        }
        for node in &mut self.nodes {
            node.start_cometbft();
        }
    }

    /// The funded account named `name`.
    pub fn account(&self, name: &str) -> &TestAccount {
        self.accounts.iter().find(|a| a.name == name).unwrap_or_else(|| panic!("no funded account {name}"))
    }

    /// Waits until each node in `which` reports a height of at least `height`; a node that
    /// makes no progress for `stall` fails the test with its height and log tails.
    pub fn wait_for_height(&mut self, which: &[usize], height: u64, stall: Duration) -> Vec<u64> {
        let mut last: Vec<(u64, Instant)> = which.iter().map(|_| (0, Instant::now())).collect();
        loop {
            let mut done = true;
            for (slot, &i) in which.iter().enumerate() {
                self.nodes[i].assert_running();
                let h = self.nodes[i].rpc.height().unwrap_or(0);
                if h > last[slot].0 {
                    last[slot] = (h, Instant::now());
                }
                if h < height {
                    done = false;
                    if last[slot].1.elapsed() > stall {
                        panic!(
                            "{} stuck at height {} for {stall:?} (waiting for {height})\n{}",
                            self.nodes[i].name,
                            last[slot].0,
                            self.nodes[i].log_tails(30)
                        );
                    }
                }
            }
            if done {
                return last.iter().map(|(h, _)| *h).collect();
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        // Processes first, then the directory. Every CometBFT is asked to stop at once (one
        // that lost its app mid-block can take the whole grace period), then each node
        // stops its own processes in order.
        for node in &mut self.nodes {
            if let Some(comet) = node.comet.as_mut() {
                comet.terminate();
            }
        }
        self.nodes.clear();
        if let Some(dir) = self.dir.take() {
            if std::thread::panicking() && std::env::var_os("CONCLAVE_E2E_KEEP").is_some() {
                eprintln!("keeping the failed test's homes in {}", dir.keep().display());
            }
        }
    }
}

/// A fresh temporary directory with a short path (Unix socket paths are limited to 107 bytes).
fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("conclave-e2e-").tempdir_in("/tmp").expect("create a temporary directory")
}

/// Runs a CLI command that must succeed; returns its stdout.
fn run(command: &mut Command) -> String {
    let output = command.output().unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Edits a TOML file in place.
pub fn edit_config(path: &Path, edit: impl FnOnce(&mut toml_edit::DocumentMut)) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut doc: toml_edit::DocumentMut =
        text.parse().unwrap_or_else(|e| panic!("{} is not TOML: {e}", path.display()));
    edit(&mut doc);
    std::fs::write(path, doc.to_string()).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// A base port P such that P+10i and P+10i+1 are free on 127.0.0.1 for every i < nodes (the
/// layout `appchaind localnet --base-port` uses). Below Linux's ephemeral range (32768+), so
/// outgoing connections do not take them; the start is spread by pid so that parallel test
/// processes rarely try the same block.
pub fn free_port_block(nodes: usize) -> u16 {
    let span = u32::try_from(nodes * 10).expect("few nodes");
    let seed = std::process::id().wrapping_mul(2_654_435_761)
        ^ std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    for attempt in 0..200u32 {
        let slot = seed.wrapping_add(attempt.wrapping_mul(7919)) % ((32_000 - 20_000 - span) / 10);
        let base = u16::try_from(20_000 + slot * 10).expect("below 32000");
        let free = (0..nodes).all(|i| {
            let p = base + u16::try_from(i * 10).expect("small");
            TcpListener::bind(("127.0.0.1", p)).is_ok() && TcpListener::bind(("127.0.0.1", p + 1)).is_ok()
        });
        if free {
            return base;
        }
    }
    panic!("no free block of {span} ports on 127.0.0.1 between 20000 and 32000");
}

/// An account key file written by `appchaind keys add` / `init` / `localnet`
/// (`{"name","algorithm","address","public_key","secret_key"}`, the secret key being the
/// ed25519 seed in hex), as a signer.
pub fn read_key(path: &Path) -> TestAccount {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read key file {}: {e}", path.display()));
    let file: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
    let seed: [u8; 32] = super::rpc::hex(file["secret_key"].as_str().expect("secret_key"))
        .try_into()
        .unwrap_or_else(|_| panic!("{}: secret_key is not 32 bytes", path.display()));
    let key = SigningKey::from(seed);
    let public_key = key.verification_key().to_bytes();
    let address = Address::from_public_key(&public_key);
    assert_eq!(
        file["address"].as_str(),
        Some(address.to_string().as_str()),
        "{}: address does not match the key",
        path.display()
    );
    TestAccount { name: file["name"].as_str().expect("name").to_string(), key, public_key, address }
}

fn genesis(home: &Path) -> Value {
    let path = home.join("config/genesis.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

fn genesis_chain_id(home: &Path) -> String {
    genesis(home)["chain_id"].as_str().expect("genesis chain_id").to_string()
}

/// `stake` balances in the genesis `app_state`.
/// Each account's `stake` balance right after genesis: its bank genesis balance, minus the
/// self-bond of a staking registration it operates (bonded from that balance at InitChain).
fn genesis_balances(home: &Path) -> BTreeMap<Address, u128> {
    let genesis = genesis(home);
    let mut out = BTreeMap::new();
    for entry in genesis["app_state"]["app"]["bank"]["balances"].as_array().expect("genesis bank balances") {
        let address: Address = entry["address"].as_str().and_then(|a| a.parse().ok()).expect("genesis balance address");
        for coin in entry["coins"].as_array().expect("coins") {
            if coin["denom"] == "stake" {
                let amount: u128 = coin["amount"].as_str().and_then(|a| a.parse().ok()).expect("amount");
                out.insert(address, amount);
            }
        }
    }
    let registrations = genesis["app_state"]["app"]["staking"]["registrations"].as_array().cloned().unwrap_or_default();
    for registration in registrations {
        let operator: Address =
            registration["operator"].as_str().and_then(|a| a.parse().ok()).expect("registration operator");
        let bond: u128 = registration["self_bond"].as_str().and_then(|a| a.parse().ok()).expect("self_bond");
        let balance = out.get_mut(&operator).expect("a registered operator is funded in genesis");
        *balance = balance.checked_sub(bond).expect("the self-bond fits the operator's balance");
    }
    out
}
