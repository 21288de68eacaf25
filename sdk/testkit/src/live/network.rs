//! A live network of one chain binary: temporary homes made by the chain's own CLI (`init`
//! for one node, `localnet --no-start` for several) and the nodes running on them.
//!
//! Dropping a [`Network`] stops every process (SIGTERM, then SIGKILL) and removes the
//! directory, even when the test panics. `CONCLAVE_E2E_KEEP=1` keeps the directory of a
//! failed test for inspection (its path is printed).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use serde_json::Value;

use conclave_cometbft::ports::free_port_block;
use conclave_cometbft::rpc::Validator;

use super::binary::{cometbft, ChainBinary};
use super::cli::Cli;
use super::files::{edit_toml, genesis, read_key, ConsensusKey};
use super::node::Node;
use crate::TestAccount;

/// CometBFT settings for fast local chains: a block every ~250 ms.
pub const TIMEOUT_COMMIT: &str = "250ms";
/// Proposal timeout: how long a round waits for a stopped proposer.
pub const TIMEOUT_PROPOSE: &str = "1s";

/// A validator as a set lists it, without the proposer priority (which changes every height),
/// so sets from `/validators` and from genesis compare.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ValidatorInfo {
    /// Upper-case hex of the first 20 bytes of SHA-256(pub_key), as CometBFT prints it.
    pub address: String,
    /// The public key bytes (32 for ed25519).
    pub pub_key: Vec<u8>,
    /// Voting power.
    pub voting_power: i64,
}

impl From<Validator> for ValidatorInfo {
    fn from(v: Validator) -> Self {
        ValidatorInfo { address: v.address.to_uppercase(), pub_key: v.pub_key.bytes, voting_power: v.voting_power }
    }
}

/// Makes the test process write addresses as the chain binary does, so addresses formatted
/// here (CLI arguments, genesis edits) are ones the binary reads: the prefix is taken from an
/// address the binary printed. A process that already uses another prefix is a test bug.
fn adopt_address_prefix(address: &str) {
    let prefix = address.rfind('1').map_or("", |at| &address[..at]);
    if let Err(e) = conclave_core::address::set_address_prefix(prefix) {
        panic!("the chain binary wrote the address {address:?}: {e}");
    }
}

/// Temporary homes and the nodes running on them.
pub struct Network {
    /// The chain binary every node runs.
    pub binary: ChainBinary,
    /// The chain id.
    pub chain_id: String,
    /// The nodes, node0 first.
    pub nodes: Vec<Node>,
    /// The funded accounts, keys read from the files the CLI wrote.
    pub accounts: Vec<TestAccount>,
    /// The keyring directory of the funded accounts (for the CLI's `--keyring-dir`).
    pub keys_dir: PathBuf,
    dir: Option<tempfile::TempDir>,
}

impl Network {
    /// One validator: `<chain> init`, then its RPC and P2P ports moved to free ones and the
    /// consensus timeouts lowered. Its funded account is the operator key `init` made.
    pub fn single(binary: &ChainBinary, chain_id: &str) -> Network {
        let dir = temp_dir();
        let home = dir.path().join("node0");
        let output = run(Command::new(&binary.path)
            .args(["init", "--home"])
            .arg(&home)
            .args(["--chain-id", chain_id, "--moniker", "node0", "--keyring-backend", "test", "--output", "json"])
            .arg("--cometbft")
            .arg(cometbft()));
        let summary: Value = serde_json::from_str(&output)
            .unwrap_or_else(|e| panic!("{} init --output json printed non-JSON ({e}): {output}", binary.name));
        let base = free_port_block(1).unwrap_or_else(|e| panic!("{e}"));
        let (p2p_port, rpc_port) = (base, base + 1);
        edit_toml(&home.join("config/config.toml"), |doc| {
            doc["rpc"]["laddr"] = toml_edit::value(format!("tcp://127.0.0.1:{rpc_port}"));
            doc["p2p"]["laddr"] = toml_edit::value(format!("tcp://127.0.0.1:{p2p_port}"));
            doc["consensus"]["timeout_commit"] = toml_edit::value(TIMEOUT_COMMIT);
            doc["consensus"]["timeout_propose"] = toml_edit::value(TIMEOUT_PROPOSE);
        });
        if let Some(address) = summary["address"].as_str() {
            adopt_address_prefix(address);
        }
        let key_name = summary["account"].as_str().unwrap_or("validator").to_string();
        let keys_dir = home.join("keys");
        let accounts = vec![read_key(&keys_dir.join(format!("{key_name}.json")))];
        let chain_id = genesis_chain_id(&home);
        let mut nodes = vec![Node::new(binary, "node0", home, rpc_port)];
        nodes[0].operator = Some(accounts[0].clone());
        Network { binary: binary.clone(), chain_id, nodes, accounts, keys_dir, dir: Some(dir) }
    }

    /// `validators` nodes from `<chain> localnet --validators N --no-start` on a free block of
    /// ports, with its funded accounts.
    pub fn localnet(binary: &ChainBinary, validators: usize, chain_id: &str) -> Network {
        let dir = temp_dir();
        let net = dir.path().join("net");
        let count = u16::try_from(validators).expect("a local network has at most 16 nodes");
        let base = free_port_block(count).unwrap_or_else(|e| panic!("{e}"));
        let output = run(Command::new(&binary.path)
            .args(["localnet", "--validators", &validators.to_string(), "--dir"])
            .arg(&net)
            .args(["--base-port", &base.to_string(), "--chain-id", chain_id])
            .args(["--timeout-commit", TIMEOUT_COMMIT, "--timeout-propose", TIMEOUT_PROPOSE])
            .args(["--no-start", "--output", "json", "--cometbft"])
            .arg(cometbft()));
        let manifest: Value = serde_json::from_str(&output)
            .unwrap_or_else(|e| panic!("{} localnet --output json printed non-JSON ({e}): {output}", binary.name));
        let listed = manifest["accounts"].as_array().expect("manifest accounts");
        if let Some(address) = listed.first().and_then(|a| a["address"].as_str()) {
            adopt_address_prefix(address);
        }
        let keys = PathBuf::from(manifest["keys"].as_str().expect("manifest keys dir"));
        let entries =
            manifest["nodes"].as_array().unwrap_or_else(|| panic!("localnet manifest without nodes: {manifest}"));
        let nodes: Vec<Node> = entries
            .iter()
            .map(|n| {
                let port = n["rpc_port"].as_u64().and_then(|p| u16::try_from(p).ok()).expect("node rpc_port");
                let home = PathBuf::from(n["home"].as_str().expect("node home"));
                let mut node = Node::new(binary, n["name"].as_str().expect("node name"), home, port);
                if let Some(operator) = n["operator"]["name"].as_str() {
                    node.operator = Some(read_key(&keys.join(format!("{operator}.json"))));
                }
                node
            })
            .collect();
        assert_eq!(nodes.len(), validators, "localnet wrote {} homes, asked for {validators}", nodes.len());
        let accounts: Vec<TestAccount> = listed
            .iter()
            .map(|a| {
                let account = read_key(&keys.join(format!("{}.json", a["name"].as_str().expect("account name"))));
                assert_eq!(a["address"].as_str(), Some(account.address.to_string().as_str()), "{}", account.name);
                account
            })
            .collect();
        let chain_id = genesis_chain_id(&nodes[0].home);
        Network { binary: binary.clone(), chain_id, nodes, accounts, keys_dir: keys, dir: Some(dir) }
    }

    /// `validators` validators plus `full_nodes` full nodes, every node peered with every
    /// other: `<chain> localnet --validators N+M --no-start` (so each node has its own home,
    /// ports, node key and consensus key), then the full nodes' keys are removed from
    /// genesis's `validators`, identically in every home. The app elects its genesis set from
    /// its own state, so `remove_from_app_state` must drop those keys there too (e.g. their
    /// staking registrations); it gets the genesis document and the removed keys.
    ///
    /// The full nodes are the last `full_nodes` of [`Network::nodes`], named `node<N>`.. like
    /// the others, with `genesis_validator == false`; CometBFT runs them as non-validators
    /// until an update adds their key. Their operators stay funded.
    pub fn localnet_with_full_nodes(
        binary: &ChainBinary,
        validators: usize,
        full_nodes: usize,
        chain_id: &str,
        remove_from_app_state: impl FnOnce(&mut Value, &[ConsensusKey]),
    ) -> Network {
        assert!(validators >= 1, "a network needs a validator");
        let mut net = Network::localnet(binary, validators + full_nodes, chain_id);
        let removed: Vec<ConsensusKey> = net.nodes[validators..].iter().map(Node::consensus_key).collect();
        for node in &mut net.nodes[validators..] {
            node.genesis_validator = false;
        }
        net.edit_genesis(|doc| {
            let kept: Vec<Value> = doc["validators"]
                .as_array()
                .expect("genesis validators")
                .iter()
                .filter(|v| {
                    let key = v["pub_key"]["value"].as_str().and_then(|k| BASE64.decode(k).ok()).unwrap_or_default();
                    !removed.iter().any(|r| r.pub_key == key)
                })
                .cloned()
                .collect();
            assert_eq!(kept.len(), validators, "genesis validators after removing the full nodes: {kept:?}");
            doc["validators"] = Value::Array(kept);
            remove_from_app_state(doc, &removed);
        });
        net
    }

    /// The genesis document (node0's; every home holds the same).
    pub fn genesis(&self) -> Value {
        genesis(&self.nodes[0].home)
    }

    /// Edits `genesis.json` (before starting): node0's file is edited and written to every
    /// home, so they stay identical.
    pub fn edit_genesis(&mut self, edit: impl FnOnce(&mut Value)) {
        let mut doc = self.genesis();
        edit(&mut doc);
        let mut bytes = serde_json::to_vec_pretty(&doc).expect("genesis to JSON");
        bytes.push(b'\n');
        for node in &self.nodes {
            let path = node.home.join("config/genesis.json");
            std::fs::write(&path, &bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        }
    }

    /// Edits every node's `config/app.toml` (before starting).
    pub fn edit_app_toml(&self, edit: impl Fn(&mut toml_edit::DocumentMut)) {
        for node in &self.nodes {
            edit_toml(&node.home.join("config/app.toml"), &edit);
        }
    }

    /// Sets `[store] keep_versions` and `checkpoint_interval` in every node's app.toml.
    pub fn set_store(&self, keep_versions: u32, checkpoint_interval: u32) {
        self.edit_app_toml(|doc| {
            doc["store"]["keep_versions"] = toml_edit::value(i64::from(keep_versions));
            doc["store"]["checkpoint_interval"] = toml_edit::value(i64::from(checkpoint_interval));
        });
    }

    /// Edits every node's CometBFT `config/config.toml` (before starting).
    pub fn edit_config_toml(&self, edit: impl Fn(&mut toml_edit::DocumentMut)) {
        for node in &self.nodes {
            edit_toml(&node.home.join("config/config.toml"), &edit);
        }
    }

    /// The chain's CLI against node `i`, keys from [`Network::keys_dir`] (`--keyring-dir`).
    pub fn cli(&self, i: usize) -> Cli {
        Cli::with_keyring_dir(&self.binary, self.nodes[i].rpc.url(), &self.keys_dir)
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

    /// The funded account named `name`.
    pub fn account(&self, name: &str) -> &TestAccount {
        self.accounts.iter().find(|a| a.name == name).unwrap_or_else(|| panic!("no funded account {name}"))
    }

    /// The genesis validator set, sorted like [`Network::validator_set_everywhere`].
    pub fn genesis_validators(&self) -> Vec<ValidatorInfo> {
        let doc = self.genesis();
        let validators = doc["validators"].as_array().cloned().unwrap_or_default();
        let mut out: Vec<ValidatorInfo> = validators
            .into_iter()
            .map(|v| serde_json::from_value::<Validator>(genesis_as_rpc(v)).expect("a genesis validator").into())
            .collect();
        out.sort();
        out
    }

    /// Starts every node: all chain processes, then all CometBFTs.
    pub fn start_all(&mut self) {
        for node in &mut self.nodes {
            node.start_app();
        }
        for node in &mut self.nodes {
            node.start_cometbft();
        }
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

    /// Waits until each node in `which` reports a height of at least `height`; a node that
    /// makes no progress for `stall`, or whose process exits, fails the test with its height
    /// and log tails.
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

    /// Every node reports the same app hash after every block in `from..=to` (and the same
    /// block hashes for headers `from+1..=to+1`); `to` must be at most
    /// [`Network::common_app_hash_height`]. Returns node0's `(height, app hash)` list.
    pub fn assert_same_app_hashes(&self, from: u64, to: u64) -> Vec<(u64, Vec<u8>)> {
        let headers = |node: &Node| {
            node.rpc
                .headers(from + 1, to + 1)
                .unwrap_or_else(|e| panic!("{}: headers {}..={}: {e}", node.name, from + 1, to + 1))
        };
        let reference = &self.nodes[0];
        let expected = headers(reference);
        for node in &self.nodes[1..] {
            for (mine, theirs) in headers(node).iter().zip(&expected) {
                assert_eq!(
                    (&mine.header.app_hash, &mine.block_id.hash),
                    (&theirs.header.app_hash, &theirs.block_id.hash),
                    "after block {}: {} reports app hash {} (header {} = block {}), {} reports {} (block {})",
                    mine.header.height - 1,
                    node.name,
                    hex::encode(&mine.header.app_hash),
                    mine.header.height,
                    mine.block_id.hash,
                    reference.name,
                    hex::encode(&theirs.header.app_hash),
                    theirs.block_id.hash
                );
            }
        }
        expected.into_iter().map(|m| (m.header.height - 1, m.header.app_hash)).collect()
    }

    /// The validator set of `height` as every node's `/validators` reports it; fails if two
    /// nodes disagree or one answers for another height.
    pub fn validator_set_everywhere(&self, height: u64) -> Vec<ValidatorInfo> {
        self.validator_set_of(&self.all(), height)
    }

    /// [`Network::validator_set_everywhere`] over the nodes in `which` only (e.g. while one
    /// is stopped).
    pub fn validator_set_of(&self, which: &[usize], height: u64) -> Vec<ValidatorInfo> {
        let nodes: Vec<&Node> = which.iter().map(|&i| &self.nodes[i]).collect();
        let sets: Vec<Vec<ValidatorInfo>> = nodes
            .iter()
            .map(|n| {
                let (answered, set) = n
                    .rpc
                    .validator_set(height)
                    .unwrap_or_else(|e| panic!("{}: /validators?height={height}: {e}", n.name));
                assert_eq!(answered, height, "{}: /validators answered for height {answered}", n.name);
                let mut set: Vec<ValidatorInfo> = set.into_iter().map(ValidatorInfo::from).collect();
                set.sort();
                set
            })
            .collect();
        for (node, set) in nodes.iter().zip(&sets).skip(1) {
            assert_eq!(set, &sets[0], "validators at {height}: {} and {} disagree", node.name, nodes[0].name);
        }
        sets.into_iter().next().unwrap_or_default()
    }

    /// The directory holding the homes.
    pub fn dir(&self) -> &Path {
        self.dir.as_ref().expect("the directory exists until drop").path()
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        // Processes first, then the directory. Every CometBFT is asked to stop at once (one
        // that lost its app mid-block can take the whole grace period), then each node stops
        // its own processes in order.
        for node in &mut self.nodes {
            node.terminate_cometbft();
        }
        self.nodes.clear();
        if let Some(dir) = self.dir.take() {
            if std::thread::panicking() && std::env::var_os("CONCLAVE_E2E_KEEP").is_some() {
                eprintln!("keeping the failed test's homes in {}", dir.keep().display());
            }
        }
    }
}

/// A genesis validator (`{address, pub_key, power, name}`) in `/validators`' shape.
fn genesis_as_rpc(mut v: Value) -> Value {
    v["voting_power"] = v["power"].take();
    v
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

fn genesis_chain_id(home: &Path) -> String {
    genesis(home)["chain_id"].as_str().expect("genesis chain_id").to_string()
}
