//! What the tests under a real CometBFT (`under_cometbft_*.rs`) need beyond the SDK's live
//! harness (`conclave_testkit::live`, which runs any chain binary): the `appchaind` binary,
//! and the parts that know the app-template chain's modules.
//!
//! - [`appchaind`]: the binary under test, built on first use (`CONCLAVE_APPCHAIND=/path`
//!   skips the build);
//! - [`single`], [`localnet`], [`localnet_with_full_nodes`]: the harness's networks of
//!   `appchaind`; full nodes also leave staking's genesis registrations, which the app elects
//!   its genesis set from;
//! - [`genesis_balances`], [`AppchainQueries`] (`bank/balance`, `auth/account` over RPC),
//!   [`validator_updates`];
//! - [`load`]: bank-transfer load on the toolkit's load generator, and balances recomputed
//!   from the blocks.
//!
//! Every wait is bounded and fails with what it was waiting for and the nodes' log tails.
#![allow(dead_code, unreachable_pub, unused_imports)]

pub mod load;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitStatus;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use conclave_cometbft::rpc::{Rpc, ValidatorUpdate};
use conclave_core::Address;
use conclave_testkit::live::{ChainBinary, ConsensusKey, Network};

pub use conclave_testkit::live::wait_for;

/// The `appchaind` binary: `$CONCLAVE_APPCHAIND`, else built into this test's target
/// directory and profile (a no-op under `cargo test --workspace`, which has built it for
/// app-template's own CLI tests).
pub fn appchaind() -> &'static ChainBinary {
    static APPCHAIND: OnceLock<ChainBinary> = OnceLock::new();
    APPCHAIND.get_or_init(|| {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ is inside the workspace");
        ChainBinary::from_env_or_cargo("CONCLAVE_APPCHAIND", workspace, "appchain", "appchaind")
    })
}

/// One `appchaind` validator (`appchaind init`); its funded account is the key `validator`.
pub fn single(chain_id: &str) -> Network {
    Network::single(appchaind(), chain_id)
}

/// `validators` `appchaind` validators (`appchaind localnet`), funded accounts alice, bob,
/// carol and dave.
pub fn localnet(validators: usize, chain_id: &str) -> Network {
    Network::localnet(appchaind(), validators, chain_id)
}

/// `validators` validators and `full_nodes` full nodes with their own consensus keys, taken
/// out of genesis's validators and of staking's genesis registrations.
pub fn localnet_with_full_nodes(validators: usize, full_nodes: usize, chain_id: &str) -> Network {
    Network::localnet_with_full_nodes(appchaind(), validators, full_nodes, chain_id, |doc, removed| {
        let registrations = &mut doc["app_state"]["app"]["staking"]["registrations"];
        let kept: Vec<Value> = registrations
            .as_array()
            .expect("staking registrations")
            .iter()
            .filter(|r| !removed.iter().any(|k: &ConsensusKey| r["consensus_key"].as_str() == Some(k.hex().as_str())))
            .cloned()
            .collect();
        assert_eq!(kept.len(), validators, "registrations after removing the full nodes: {kept:?}");
        *registrations = Value::Array(kept);
    })
}

/// Each funded account's `stake` balance right after genesis: its bank genesis balance, minus
/// the self-bond of a staking registration it operates (bonded from that balance at
/// InitChain).
pub fn genesis_balances(net: &Network) -> BTreeMap<Address, u128> {
    let genesis = net.genesis();
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

/// The app-template chain's queries over a node's RPC.
pub trait AppchainQueries {
    /// The `denom` balance of `address` (its text form) at `height` (0 = latest).
    fn balance(&self, address: &str, denom: &str, height: u64) -> Result<u128, String>;
    /// The next nonce of `address` in the latest committed state.
    fn nonce(&self, address: &str) -> Result<u64, String>;
}

impl AppchainQueries for Rpc {
    fn balance(&self, address: &str, denom: &str, height: u64) -> Result<u128, String> {
        let request = json!({ "address": address, "denom": denom });
        let (coin, _) =
            self.query_json("bank/balance", &request, height).map_err(|e| format!("{}: {e}", self.url()))?;
        coin["amount"]
            .as_str()
            .and_then(|a| a.parse().ok())
            .ok_or_else(|| format!("{}: bank/balance answered {coin}", self.url()))
    }

    fn nonce(&self, address: &str) -> Result<u64, String> {
        let (account, _) = self
            .query_json("auth/account", &json!({ "address": address }), 0)
            .map_err(|e| format!("{}: {e}", self.url()))?;
        account["nonce"].as_u64().ok_or_else(|| format!("{}: auth/account answered {account}", self.url()))
    }
}

/// The validator updates block `height` returned from `FinalizeBlock`, sorted by key; empty
/// for most blocks. They are in the set of height `height + 2`.
pub fn validator_updates(rpc: &Rpc, height: u64) -> Vec<ValidatorUpdate> {
    let mut updates = rpc
        .block_results(height)
        .unwrap_or_else(|e| panic!("{}: block_results {height}: {e}", rpc.url()))
        .validator_updates;
    updates.sort();
    updates
}

/// Waits for an upgrade halt at `height` on every node and returns each node's app-log length
/// at that point (where its restart's log begins).
///
/// A node whose CometBFT commits `height` executes it: its app must exit with status 70 and
/// log `expected` at ERROR, then its CometBFT exits. At least one node does. A node that had
/// not received the block's last precommits when the others stopped (they gossip nothing once
/// their app has exited) waits at `height` forever with nothing to execute; it must not have
/// committed `height`, and it is stopped here. Restarted, it fetches the block like the
/// others replay it.
pub fn wait_for_upgrade_halt(net: &mut Network, height: u64, expected: &str, first: Duration) -> Vec<usize> {
    // The first node to halt may need the whole lead; the rest halt within seconds of it.
    let deadline = Instant::now() + first;
    let mut exits: Vec<Option<ExitStatus>> = vec![None; net.nodes.len()];
    while exits.iter().all(Option::is_none) {
        assert!(
            Instant::now() < deadline,
            "no node halted at {height} within {first:?}\n{}",
            net.nodes[0].log_tails(30)
        );
        for (node, exit) in net.nodes.iter_mut().zip(exits.iter_mut()) {
            *exit = node.wait_app_exit(Duration::from_millis(100));
        }
    }
    let mut log_lengths = Vec::new();
    let mut halted = Vec::new();
    for (node, exit) in net.nodes.iter_mut().zip(exits) {
        match exit.or_else(|| node.wait_app_exit(Duration::from_secs(20))) {
            Some(status) => {
                let tails = node.log_tails(30);
                assert_eq!(status.code(), Some(70), "{}: appchaind exited with {status}\n{tails}", node.name);
                let log = std::fs::read_to_string(node.app_log()).expect("app log");
                assert!(
                    log.lines().any(|l| l.contains(" ERROR ") && l.contains(expected)),
                    "{}: no ERROR line with {expected:?} in\n{tails}",
                    node.name
                );
                let comet = node.wait_cometbft_exit(Duration::from_secs(30));
                assert!(comet.is_some(), "{}: cometbft still runs after its app stopped\n{tails}", node.name);
                log_lengths.push(log.len());
                halted.push(node.name.clone());
            }
            None => {
                let committed = node.height();
                assert!(
                    committed < height,
                    "{}: appchaind still runs at height {committed}, plan height {height}\n{}",
                    node.name,
                    node.log_tails(30)
                );
                eprintln!(
                    "{}: waits at {committed} (it missed the last precommits of {height}); stopping it",
                    node.name
                );
                node.stop();
                log_lengths.push(std::fs::read_to_string(node.app_log()).expect("app log").len());
            }
        }
    }
    assert!(!halted.is_empty(), "no node halted at {height}");
    log_lengths
}
